"""The routes of this feature, collected by the app."""

from sme_hub.audit_trail.api import AuditApiController
from sme_hub.audit_trail.pages.office import AuditPagesController

routes = [AuditApiController, AuditPagesController]
