"""Who may read the audit trail (the guard of the API and the page)."""

from sme_hub.audit_trail.service import READERS
from sme_hub.core.auth import requires_role

readers = [requires_role(*READERS)]
