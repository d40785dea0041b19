"""Progress of a cohort's certificate batch (one row per cohort, reset when re-queued)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field

BATCH_STATUSES = ("queued", "running", "done", "failed")


class CertificateBatch(SQLModel, table=True):
    __tablename__ = "certificate_batch"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        sa.CheckConstraint("done >= 0 AND done <= total", name="progress"),
    )

    cohort_id: int = Field(foreign_key="cohort.id", primary_key=True, ondelete="CASCADE")
    total: int = 0
    done: int = 0
    status: str = Field(default="queued", max_length=10)
    error: str | None = Field(default=None, max_length=500)
    updated_at: datetime = created_at_field()
