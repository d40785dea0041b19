"""The evaluation pages, one module per audience."""
