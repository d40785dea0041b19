"""The routes of this feature, collected by the app."""

from sme_hub.home.controllers import HomeController

routes = [HomeController]
