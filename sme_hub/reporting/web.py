"""Who may read the dashboards (the guard of the reports' API and pages)."""

from sme_hub.core.auth import requires_role
from sme_hub.core.roles import Role

READERS = [requires_role(Role.MUNICIPAL_OFFICER, Role.REGIONAL_OBSERVER, Role.ADMIN)]
