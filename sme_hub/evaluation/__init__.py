"""Evaluation and decisions: committees, conflicts of interest, scores, ranking and
selection, approvals within the budget."""
