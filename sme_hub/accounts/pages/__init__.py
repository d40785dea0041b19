"""The accounts' HTML pages, one module per audience."""
