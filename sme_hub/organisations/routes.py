"""The routes of this feature, collected by the app."""

from sme_hub.organisations.controllers import (
    AdminApiController,
    AdminPagesController,
    OrganisationsApiController,
)

routes = [AdminApiController, AdminPagesController, OrganisationsApiController]
