"""The admin's HTML pages."""
