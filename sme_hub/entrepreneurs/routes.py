"""The routes of this feature, collected by the app."""

from sme_hub.entrepreneurs.controllers import (
    ClientPagesController,
    EntrepreneurApiController,
    EntrepreneurPagesController,
)

routes = [ClientPagesController, EntrepreneurApiController, EntrepreneurPagesController]
