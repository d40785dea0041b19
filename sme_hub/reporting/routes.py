"""The routes of this feature, collected by the app."""

from sme_hub.reporting.controllers import ReportPagesController, ReportsApiController
from sme_hub.reporting.public_pages import AwardPagesController, AwardsApiController

routes = [ReportPagesController, ReportsApiController, AwardPagesController, AwardsApiController]
