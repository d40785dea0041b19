"""Reporting: dashboards, exports, open data and the public pages of awarded grants."""
