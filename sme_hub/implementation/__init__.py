"""A grant after its approval: the agreement, disbursements, progress reports, obligations."""
