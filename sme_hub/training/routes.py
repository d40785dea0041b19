"""The routes of this feature, collected by the app."""

from sme_hub.training.certificate_controllers import (
    CertificateApiController,
    CertificatePagesController,
)
from sme_hub.training.controllers import TrainingApiController
from sme_hub.training.pages import TrainingPagesController
from sme_hub.training.staff_pages import TrainingStaffPagesController

routes = [
    CertificateApiController,
    CertificatePagesController,
    TrainingApiController,
    TrainingPagesController,
    TrainingStaffPagesController,
]
