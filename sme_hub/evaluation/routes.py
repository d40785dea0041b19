"""The routes of this feature, collected by the app."""

from sme_hub.evaluation.controllers import DecisionApiController, EvaluationApiController
from sme_hub.evaluation.office_pages import EvaluationOfficePagesController
from sme_hub.evaluation.pages import EvaluatorPagesController
from sme_hub.evaluation.results_controllers import CallResultsController

routes = [
    DecisionApiController,
    EvaluationApiController,
    EvaluationOfficePagesController,
    EvaluatorPagesController,
    CallResultsController,
]
