"""The home feature's HTML pages, one module per audience."""
