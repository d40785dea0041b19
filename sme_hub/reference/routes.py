"""The routes of this feature, collected by the app."""

from sme_hub.reference.api import reference_router

routes = [reference_router]
