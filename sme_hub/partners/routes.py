"""The routes of this feature, collected by the app."""

from sme_hub.partners.api import PartnersApiController
from sme_hub.partners.pages.admin import PartnerAdminPagesController
from sme_hub.partners.pages.applicant import ReferralApplicantPagesController
from sme_hub.partners.pages.partner import ReferralPartnerPagesController
from sme_hub.partners.pages.public import PartnerPagesController
from sme_hub.partners.pages.staff import PartnerCentrePagesController, ReferralCentrePagesController

routes = [
    PartnersApiController,
    PartnerAdminPagesController,
    PartnerCentrePagesController,
    PartnerPagesController,
    ReferralApplicantPagesController,
    ReferralCentrePagesController,
    ReferralPartnerPagesController,
]
