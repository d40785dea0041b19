"""The routes of this feature, collected by the app."""

from sme_hub.organisations.api import OrganisationsApiController

routes = [OrganisationsApiController]
