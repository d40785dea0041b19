"""The partner pages, one module per audience."""
