"""Reporting and open government: dashboards, the register of awarded grants, open data."""
