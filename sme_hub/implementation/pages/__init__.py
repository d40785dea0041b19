"""The pages of grants in implementation, one module per audience."""
