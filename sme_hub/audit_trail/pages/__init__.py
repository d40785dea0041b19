"""The audit trail's HTML pages, one module per audience."""
