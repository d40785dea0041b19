"""Every table, imported once so metadata (Alembic, tests) sees them all."""

from sqlmodel import SQLModel

from sme_hub.accounts import models as accounts_models
from sme_hub.core import audit
from sme_hub.core import mail as mail  # the email outbox
from sme_hub.entrepreneurs import models as entrepreneurs_models
from sme_hub.evaluation import models as evaluation_models
from sme_hub.grants import models as grants_models
from sme_hub.implementation import models as implementation_models
from sme_hub.organisations import models as organisations_models
from sme_hub.partners import models as partners_models
from sme_hub.reference import models as reference_models
from sme_hub.training import certificate_models as certificate_models
from sme_hub.training import models as training_models

__all__ = [
    "accounts_models",
    "audit",
    "entrepreneurs_models",
    "evaluation_models",
    "grants_models",
    "implementation_models",
    "metadata",
    "organisations_models",
    "partners_models",
    "reference_models",
    "training_models",
]

metadata = SQLModel.metadata
