"""The routes of this feature, collected by the app."""

from sme_hub.evaluation.api import (
    CallResultsController,
    DecisionApiController,
    EvaluationApiController,
)
from sme_hub.evaluation.pages.evaluator import EvaluatorPagesController
from sme_hub.evaluation.pages.office import (
    CallResultsPagesController,
    EvaluationOfficePagesController,
)

routes = [
    DecisionApiController,
    EvaluationApiController,
    EvaluationOfficePagesController,
    EvaluatorPagesController,
    CallResultsController,
    CallResultsPagesController,
]
