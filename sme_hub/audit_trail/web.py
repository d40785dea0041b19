"""Who may read the audit trail (the guard of the API and the page)."""

from sme_hub.core.auth import requires_role
from sme_hub.core.trail_access import READERS

readers = [requires_role(*READERS)]
