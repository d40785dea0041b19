"""The entrepreneurs' HTML pages, one module per audience."""
