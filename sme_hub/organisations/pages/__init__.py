"""The organisations' HTML pages, one module per audience."""
