"""Entrepreneurs: business profiles, women-led and green assessments."""
