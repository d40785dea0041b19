"""The routes of this feature, collected by the app."""

from sme_hub.reporting.api import AwardsApiController, ReportsApiController
from sme_hub.reporting.pages.office import ReportPagesController
from sme_hub.reporting.pages.public import AwardPagesController

routes = [ReportPagesController, ReportsApiController, AwardPagesController, AwardsApiController]
