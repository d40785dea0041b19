"""The routes of this feature, collected by the app."""

from sme_hub.organisations.api import AdminApiController, OrganisationsApiController
from sme_hub.organisations.pages.admin import AdminPagesController

routes = [AdminApiController, AdminPagesController, OrganisationsApiController]
