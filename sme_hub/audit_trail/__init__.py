"""The audit trail: who did what to an object, and who read whose personal data."""
