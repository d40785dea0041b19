"""The routes of this feature, collected by the app."""

from sme_hub.operations.controllers import MetricsController

routes = [MetricsController]
