"""The routes of this feature, collected by the app."""

from sme_hub.entrepreneurs.api import EntrepreneurApiController
from sme_hub.entrepreneurs.pages.applicant import EntrepreneurPagesController
from sme_hub.entrepreneurs.pages.staff import ClientPagesController

routes = [ClientPagesController, EntrepreneurApiController, EntrepreneurPagesController]
