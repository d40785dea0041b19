"""Accounts: users, roles, registration, login, tokens."""
