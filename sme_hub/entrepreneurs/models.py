"""Business profiles (one per entrepreneur) and their saved versions."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field


class BusinessProfile(SQLModel, table=True):
    """The current profile; every save also writes a BusinessProfileVersion."""

    __tablename__ = "business_profile"
    __table_args__ = (
        sa.CheckConstraint(
            "legal_form IN ('fop', 'llc', 'farm', 'cooperative', 'other', 'not_registered')",
            name="legal_form",
        ),
        sa.CheckConstraint("tax_id_kind IN ('edrpou', 'rnokpp', 'passport')", name="tax_id_kind"),
        sa.CheckConstraint(
            "employees_total >= 0 AND employees_women >= 0 AND employees_women <= employees_total",
            name="employees",
        ),
        sa.CheckConstraint("green_score BETWEEN 0 AND 100", name="green_score"),
        sa.CheckConstraint("green_level IN ('none', 'basic', 'advanced')", name="green_level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", unique=True, ondelete="CASCADE")
    # The municipality whose community the business is in, when it is on SME Hub: the
    # tenant whose centre staff may see this profile.
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    legal_form: str = Field(max_length=20)
    tax_id: str | None = Field(default=None, max_length=20, unique=True)
    tax_id_kind: str | None = Field(default=None, max_length=10)
    name: str = Field(max_length=200)
    kved: str = Field(max_length=5, index=True)
    katottg: str = Field(max_length=19, index=True)
    registered_on: date | None = None
    employees_total: int = 0
    employees_women: int = 0
    revenue_band: str | None = Field(default=None, max_length=20)
    owners: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    leaders: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    declared_groups: list[str] = Field(default_factory=list, sa_type=JSONB)
    green_answers: dict[str, bool] = Field(default_factory=dict, sa_type=JSONB)
    green_version: int = 1
    women_led: bool = Field(default=False, index=True)
    women_led_reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    green_score: int = 0
    green_level: str = Field(default="none", max_length=10, index=True)
    green_reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class BusinessProfileVersion(SQLModel, table=True):
    """A profile as it was saved; applications keep such a snapshot."""

    __tablename__ = "business_profile_version"
    __table_args__ = (sa.UniqueConstraint("profile_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="business_profile.id", index=True, ondelete="CASCADE")
    version: int
    data: dict[str, Any] = Field(sa_type=JSONB)
    saved_by: int | None = None
    created_at: datetime = created_at_field()
