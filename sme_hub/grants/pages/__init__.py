"""The HTML pages of grants, one module per audience."""
