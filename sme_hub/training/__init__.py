"""Training: programmes, cohorts, sessions, enrolment with waitlists, attendance, certificates."""
