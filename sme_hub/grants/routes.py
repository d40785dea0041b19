"""The routes of this feature, collected by the app."""

from sme_hub.grants.call_pages import CallOfficePagesController
from sme_hub.grants.controllers import GrantsApiController
from sme_hub.grants.pages import GrantPagesController
from sme_hub.grants.public_pages import PublicCallPagesController
from sme_hub.grants.staff_pages import GrantStaffPagesController

routes = [
    CallOfficePagesController,
    GrantsApiController,
    GrantPagesController,
    PublicCallPagesController,
    GrantStaffPagesController,
]
