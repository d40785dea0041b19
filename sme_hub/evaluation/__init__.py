"""Evaluation and decisions: committees, conflicts of interest, scores, ranking and
selection, approvals within the budget."""

# Evaluators' reading of the applications assigned to them is added to grants on import.
from sme_hub.evaluation import readers as readers
