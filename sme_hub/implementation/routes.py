"""The routes of this feature, collected by the app."""

from sme_hub.implementation.controllers import ImplementationApiController
from sme_hub.implementation.office_pages import GrantOfficePagesController
from sme_hub.implementation.pages import GranteePagesController

routes = [ImplementationApiController, GrantOfficePagesController, GranteePagesController]
