"""Operations: metrics for monitoring, backups and their restore."""
