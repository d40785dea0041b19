"""The routes of this feature, collected by the app."""

from sme_hub.implementation.api import ImplementationApiController
from sme_hub.implementation.pages.applicant import GranteePagesController
from sme_hub.implementation.pages.office import GrantOfficePagesController

routes = [ImplementationApiController, GrantOfficePagesController, GranteePagesController]
