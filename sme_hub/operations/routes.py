"""The routes of this feature, collected by the app."""

from sme_hub.operations.api import MetricsController

routes = [MetricsController]
