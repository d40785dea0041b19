"""The reference lists' HTML fragments, one module per audience."""
