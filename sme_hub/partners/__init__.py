"""Business-infrastructure partners: directory and referrals."""
