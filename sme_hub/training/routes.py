"""The routes of this feature, collected by the app."""

from sme_hub.training.api import CertificateApiController, TrainingApiController
from sme_hub.training.pages.applicant import TrainingApplicantPagesController
from sme_hub.training.pages.public import TrainingPagesController
from sme_hub.training.pages.staff import (
    CertificateStaffPagesController,
    TrainingStaffPagesController,
)

routes = [
    CertificateApiController,
    CertificateStaffPagesController,
    TrainingApiController,
    TrainingApplicantPagesController,
    TrainingPagesController,
    TrainingStaffPagesController,
]
