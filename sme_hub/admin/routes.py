"""The routes of this feature, collected by the app."""

from sme_hub.admin.api import AdminApiController
from sme_hub.admin.pages.admin import AdminPagesController

routes = [AdminApiController, AdminPagesController]
