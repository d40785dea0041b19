"""The routes of this feature, collected by the app."""

from sme_hub.grants.api import CallPartnersApiController, GrantsApiController
from sme_hub.grants.pages.applicant import GrantPagesController
from sme_hub.grants.pages.office import CallOfficePagesController
from sme_hub.grants.pages.public import PublicCallPagesController
from sme_hub.grants.pages.staff import GrantStaffPagesController

routes = [
    CallPartnersApiController,
    CallOfficePagesController,
    GrantsApiController,
    GrantPagesController,
    PublicCallPagesController,
    GrantStaffPagesController,
]
