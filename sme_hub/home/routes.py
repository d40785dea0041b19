"""The routes of this feature, collected by the app."""

from sme_hub.home.api import HealthController
from sme_hub.home.pages.public import HomeController

routes = [HealthController, HomeController]
