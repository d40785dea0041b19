"""A grant's tranches, progress reports (with receipts) and obligations. A grant is its
approved application: every row here points at `application.id`."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field, timestamp_field
from sme_hub.implementation.rules import OBLIGATION, REPORT, TRANCHE

REPORT_KINDS = ("interim", "final")


class Tranche(SQLModel, table=True):
    """One disbursement: planned at approval (or added by the officer), then paid to an IBAN."""

    __tablename__ = "grant_tranche"
    __table_args__ = (
        sa.CheckConstraint("amount_kop > 0", name="amount"),
        sa.CheckConstraint(TRANCHE.check_constraint_sql(), name="status"),
        sa.CheckConstraint(
            "(status = 'paid') = (paid_on IS NOT NULL AND paid_iban <> '')", name="paid"
        ),
        sa.UniqueConstraint("application_id", "number", name="uq_grant_tranche_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    number: int
    amount_kop: int = Field(sa_type=sa.BigInteger)
    planned_on: date
    status: str = Field(default="planned", max_length=10)
    paid_on: date | None = None
    paid_iban: str = Field(default="", max_length=34)
    paid_by: int | None = None
    created_at: datetime = created_at_field()


class ProgressReport(SQLModel, table=True):
    """What the grantee reports: jobs, women employed, spending (with receipts in the
    storage), environmental results. The officer accepts it or returns it with a note."""

    __tablename__ = "progress_report"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('interim', 'final')", name="kind"),
        sa.CheckConstraint(REPORT.check_constraint_sql(), name="status"),
        sa.CheckConstraint("jobs_created >= 0 AND women_employed >= 0", name="jobs"),
        sa.CheckConstraint("spent_kop >= 0", name="spent"),
        # One final report per grant that is not returned: a second would complete it twice.
        sa.Index(
            "uq_progress_report_final",
            "application_id",
            unique=True,
            postgresql_where=sa.text("kind = 'final' AND status <> 'returned'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    kind: str = Field(default="interim", max_length=10)
    period: str = Field(max_length=100)
    jobs_created: int = 0
    women_employed: int = 0
    spending: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    spent_kop: int = Field(default=0, sa_type=sa.BigInteger)
    environmental_results: str = Field(default="", max_length=5000)
    narrative: str = Field(default="", max_length=10000)
    # [{key, filename, content_type, size_bytes, sha256}] — files kept in the storage.
    receipts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    status: str = Field(default="submitted", max_length=10, index=True)
    review_note: str = Field(default="", max_length=2000)
    submitted_by: int | None = None
    submitted_at: datetime = created_at_field()
    reviewed_by: int | None = None
    reviewed_at: datetime | None = timestamp_field()


class Obligation(SQLModel, table=True):
    """A duty of the grantee with a due date; reminded a week before and when overdue."""

    __tablename__ = "grant_obligation"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('report', 'final_report', 'keep_jobs')", name="kind"),
        sa.CheckConstraint(OBLIGATION.check_constraint_sql(), name="status"),
        sa.Index("ix_grant_obligation_open_due", "due_on", postgresql_where="status = 'open'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    kind: str = Field(max_length=15)
    jobs: int = 0
    due_on: date
    status: str = Field(default="open", max_length=10)
    met_at: datetime | None = timestamp_field()
    met_by: int | None = None
    reminded_on: date | None = None
    created_at: datetime = created_at_field()
