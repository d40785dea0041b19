"""The routes of this feature, collected by the app."""

from sme_hub.implementation.api import GrantOffersApiController, ImplementationApiController
from sme_hub.implementation.pages.applicant import GranteePagesController
from sme_hub.implementation.pages.office import GrantOfficePagesController

routes = [
    GrantOffersApiController,
    ImplementationApiController,
    GrantOfficePagesController,
    GranteePagesController,
]
