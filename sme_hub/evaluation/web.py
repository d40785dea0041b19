"""The evaluation feature's guards, shared by its API and its pages."""

from sme_hub.core.auth import requires_role
from sme_hub.core.roles import Role

officers = [requires_role(Role.MUNICIPAL_OFFICER, Role.ADMIN)]
evaluators = [requires_role(Role.EVALUATOR)]
