"""Every table, imported once so metadata (Alembic, tests) sees them all."""

from sqlmodel import SQLModel

from sme_hub.accounts import models as accounts_models
from sme_hub.core import audit
from sme_hub.organisations import models as organisations_models
from sme_hub.partners import models as partners_models

__all__ = ["accounts_models", "audit", "metadata", "organisations_models", "partners_models"]

metadata = SQLModel.metadata
