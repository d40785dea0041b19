"""The evaluation feature's guards, shared by its API and its pages; the bases of its pages'
controllers (guarded, not in the API's schema) and the addresses its pages redirect to."""

from sme_hub.core.auth import requires_role
from sme_hub.core.pages import PagesController
from sme_hub.core.roles import Role

officers = [requires_role(Role.MUNICIPAL_OFFICER, Role.ADMIN)]
evaluators = [requires_role(Role.EVALUATOR)]


class OfficerPages(PagesController):
    """The municipal officer's evaluation pages."""

    guards = officers


def evaluation_url(call_id: int) -> str:
    """The officer's evaluation page of a call."""
    return f"/municipality/calls/{call_id}/evaluation"


def assignment_url(assignment_id: int) -> str:
    """The evaluator's page of one assignment."""
    return f"/evaluator/assignments/{assignment_id}"
