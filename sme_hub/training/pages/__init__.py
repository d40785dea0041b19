"""The training pages, one module per audience."""
