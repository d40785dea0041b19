"""Organisations: municipalities and business support centres, the tenants."""
