"""The routes of this feature, collected by the app."""

from sme_hub.audit_trail.controllers import AuditApiController, AuditPagesController

routes = [AuditApiController, AuditPagesController]
