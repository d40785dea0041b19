"""The reporting HTML pages, one module per audience."""
