"""The administrator's console: the admin page and API, tenants and accounts made by hand, with
their roles bound to a municipality, a centre or a partner (so it sits above all three)."""
