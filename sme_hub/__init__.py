"""SME Hub: small-business support and grant programmes for Ukrainian municipalities."""
