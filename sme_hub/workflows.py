"""Every workflow table (core/workflow.py) of the features, in the order the docs show them:
for docs/workflows.md (scripts/workflow_docs.py) and the tests of the CHECK constraints."""

from sme_hub.core.workflow import Workflow
from sme_hub.evaluation.rules import ASSIGNMENT
from sme_hub.grants.rules import APPLICATION, CALL
from sme_hub.implementation.rules import OBLIGATION, REPORT, TRANCHE
from sme_hub.partners.rules import REFERRAL
from sme_hub.training.rules import COHORT, ENROLMENT

WORKFLOWS: tuple[Workflow, ...] = (
    CALL,
    APPLICATION,
    ASSIGNMENT,
    TRANCHE,
    REPORT,
    OBLIGATION,
    COHORT,
    ENROLMENT,
    REFERRAL,
)
