"""Grant calls and applications: calls with their rules, drafts, attachments, submission,
eligibility screening."""
