"""Grant calls of a municipality, their amendments, applications and their attachments."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field, timestamp_field
from sme_hub.grants.rules import APPLICATION, CALL
from sme_hub.grants.rules import AWARDED_STATUSES as AWARDED_STATUSES
from sme_hub.grants.rules import SUBMITTED_STATUSES as SUBMITTED_STATUSES

# The states live in the workflow tables (rules.CALL, rules.APPLICATION); the names stay here
# for the modules that import them.
CALL_STATUSES = CALL.state_names
APPLICATION_STATUSES = APPLICATION.state_names


class GrantCall(SQLModel, table=True):
    """A call for applications. Its rules (criteria, priorities, eligibility, questions) are
    JSON shaped by `call_schemas.CallRules`; once published they change only by an amendment."""

    __tablename__ = "grant_call"
    __table_args__ = (
        sa.CheckConstraint(CALL.check_constraint_sql(), name="status"),
        sa.CheckConstraint("budget_kop > 0", name="budget"),
        sa.CheckConstraint(
            "min_grant_kop > 0 AND min_grant_kop <= max_grant_kop AND max_grant_kop <= budget_kop",
            name="grant_limits",
        ),
        sa.CheckConstraint("own_contribution_pct BETWEEN 0 AND 100", name="own_contribution"),
        sa.CheckConstraint("closes_at > opens_at", name="dates"),
        sa.CheckConstraint("threshold BETWEEN 0 AND 100", name="threshold"),
        sa.CheckConstraint("evaluators_per_application BETWEEN 1 AND 10", name="evaluators"),
        # The sum of approved grants never exceeds the budget, whatever runs at once.
        sa.CheckConstraint("approved_kop >= 0 AND approved_kop <= budget_kop", name="approved"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    created_by: int | None = None
    title_uk: str = Field(max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_uk: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    budget_kop: int = Field(sa_type=sa.BigInteger)
    min_grant_kop: int = Field(sa_type=sa.BigInteger)
    max_grant_kop: int = Field(sa_type=sa.BigInteger)
    own_contribution_pct: Decimal = Field(default=Decimal(0), sa_type=sa.Numeric(5, 2))
    opens_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    closes_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    threshold: Decimal = Field(default=Decimal(60), sa_type=sa.Numeric(5, 2))
    evaluators_per_application: int = 2
    blind_review: bool = False
    criteria: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    priorities: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    eligibility: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    status: str = Field(default="draft", max_length=15, index=True)
    approved_kop: int = Field(default=0, sa_type=sa.BigInteger)
    published_at: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class CallAmendment(SQLModel, table=True):
    """A correction of a published call: what changed, why, by whom."""

    __tablename__ = "call_amendment"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="grant_call.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    reason: str = Field(max_length=2000)
    changes: dict[str, Any] = Field(sa_type=JSONB)  # field -> {"before": …, "after": …}
    amended_by: int | None = None
    created_at: datetime = created_at_field()


class Application(SQLModel, table=True):
    """An application to a call. Amounts are kopiykas; `snapshot` is the business profile as
    it was at submission (evaluation reads it, never the live profile)."""

    __tablename__ = "application"
    __table_args__ = (
        sa.CheckConstraint(APPLICATION.check_constraint_sql(), name="status"),
        sa.CheckConstraint(
            "requested_amount_kop >= 0 AND own_contribution_kop >= 0", name="amounts"
        ),
        sa.CheckConstraint("jobs_women <= jobs_total", name="jobs"),
        sa.CheckConstraint(
            "awarded_kop > 0 AND awarded_kop <= requested_amount_kop", name="awarded"
        ),
        sa.CheckConstraint(
            "environmental_category IN ('A', 'B', 'C')", name="environmental_category"
        ),
        # Tranches never add up to more than the award, nor payments to more than the plan.
        sa.CheckConstraint(
            "paid_kop >= 0 AND paid_kop <= scheduled_kop"
            " AND scheduled_kop <= COALESCE(awarded_kop, 0)",
            name="disbursed",
        ),
        # One live application per applicant and call; a withdrawn one may be replaced.
        sa.Index(
            "uq_application_call_applicant_live",
            "call_id",
            "applicant_id",
            unique=True,
            postgresql_where=sa.text("status <> 'withdrawn'"),
        ),
        sa.Index("ix_application_call_status", "call_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="grant_call.id")
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    applicant_id: int = Field(foreign_key="user_account.id", index=True)
    status: str = Field(default="draft", max_length=20)
    project_title: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=2000)
    description: str = Field(default="", max_length=20000)
    requested_amount_kop: int | None = Field(default=None, sa_type=sa.BigInteger)
    own_contribution_kop: int | None = Field(default=None, sa_type=sa.BigInteger)
    budget_lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    jobs_total: int | None = None
    jobs_women: int | None = None
    environmental_effect: str = Field(default="", max_length=5000)
    screening: dict[str, bool] = Field(default_factory=dict, sa_type=JSONB)
    mitigation: str = Field(default="", max_length=5000)
    environmental_category: str | None = Field(default=None, max_length=1)
    answers: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)
    iban: str = Field(default="", max_length=34)
    contact_phone: str = Field(default="", max_length=30)
    business_address: str = Field(default="", max_length=300)
    # Normalised contacts, compared across applicants of one call to flag duplicates.
    phone_key: str = Field(default="", max_length=20)
    address_key: str = Field(default="", max_length=300)
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    women_led: bool | None = None
    green_level: str | None = Field(default=None, max_length=10)
    submitted_at: datetime | None = timestamp_field()
    pdf_key: str | None = Field(default=None, max_length=200)
    eligibility_reason: str = Field(default="", max_length=2000)
    screened_by: int | None = None
    screened_at: datetime | None = timestamp_field()
    # The selection (rank among the fundable) and the officer's decision.
    rank: int | None = None
    awarded_kop: int | None = Field(default=None, sa_type=sa.BigInteger)
    decision_reference: str = Field(default="", max_length=200)
    decision_note: str = Field(default="", max_length=2000)
    decided_by: int | None = None
    decided_at: datetime | None = timestamp_field()
    # The ranking's explanation stored with the recommendation: [{message, params}], shown
    # to the applicant in their language once decided.
    explanation: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    # Sums of the grant's tranches (planned and paid), kept beside the award for the CHECK.
    scheduled_kop: int = Field(default=0, sa_type=sa.BigInteger)
    paid_kop: int = Field(default=0, sa_type=sa.BigInteger)
    # Assisted filing: the centre staff member who drafted it and the client's consent.
    assisted_by: int | None = Field(default=None, foreign_key="user_account.id")
    assistance_consent: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class Attachment(SQLModel, table=True):
    """A file of an application, kept in the storage under `storage_key`."""

    __tablename__ = "application_attachment"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=40)
    size_bytes: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200, unique=True)
    uploaded_by: int | None = None
    created_at: datetime = created_at_field()
