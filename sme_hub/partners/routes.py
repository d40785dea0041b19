"""The routes of this feature, collected by the app."""

from sme_hub.partners.controllers import PartnersApiController
from sme_hub.partners.pages import (
    PartnerAdminPagesController,
    PartnerCentrePagesController,
    PartnerPagesController,
)
from sme_hub.partners.referral_pages import ReferralPagesController

routes = [
    PartnersApiController,
    PartnerAdminPagesController,
    PartnerCentrePagesController,
    PartnerPagesController,
    ReferralPagesController,
]
