"""The public front door: home page, health check, role landing."""
