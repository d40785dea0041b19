"""Business-infrastructure partners (product.md §2); partner users are bound to one."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field, timestamp_field
from sme_hub.partners.rules import REFERRAL


class PartnerBase(SQLModel):
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40, index=True)
    sector: str = Field(max_length=20, index=True)
    services: list[str] = Field(default_factory=list, sa_type=JSONB)
    address: str | None = Field(default=None, max_length=300)
    website: str | None = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)
    is_active: bool = Field(default=True)
    description_uk: str = Field(default="", max_length=2000)
    description_en: str = Field(default="", max_length=2000)
    # Where the directory's map puts it (WGS 84); a partner without them is listed only.
    latitude: Decimal | None = Field(default=None, sa_type=sa.Numeric(8, 6))
    longitude: Decimal | None = Field(default=None, sa_type=sa.Numeric(9, 6))


class Partner(PartnerBase, table=True):
    __tablename__ = "partner"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('support_centre', 'incubator', 'accelerator', 'industrial_park', "
            "'coworking', 'bank', 'credit_union', 'business_association', 'university', "
            "'ngo', 'other')",
            name="kind",
        ),
        sa.CheckConstraint("sector IN ('public', 'private', 'civil_society')", name="sector"),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL) AND latitude BETWEEN -90 AND 90 "
            "AND longitude BETWEEN -180 AND 180",
            name="location",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class PartnerMunicipality(SQLModel, table=True):
    """Which municipalities a partner serves."""

    __tablename__ = "partner_municipality"

    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class Referral(SQLModel, table=True):
    """An entrepreneur sent to a partner for one of its services, by centre staff, by the
    entrepreneur from the directory, or from a grant's offer; the partner answers it."""

    __tablename__ = "referral"
    __table_args__ = (
        sa.CheckConstraint(REFERRAL.check_constraint_sql(), name="status"),
        sa.CheckConstraint("source IN ('centre', 'self', 'grant')", name="source"),
        sa.CheckConstraint("status <> 'completed' OR outcome_note <> ''", name="outcome"),
        # One open referral per person, partner and service: a second click is not a second
        # request.
        sa.Index(
            "uq_referral_open",
            "entrepreneur_id",
            "partner_id",
            "service",
            unique=True,
            postgresql_where=sa.text("status IN ('sent', 'accepted')"),
        ),
        sa.Index("ix_referral_partner_status", "partner_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entrepreneur_id: int = Field(foreign_key="user_account.id", index=True)
    partner_id: int = Field(foreign_key="partner.id")
    service: str = Field(max_length=200)
    note: str = Field(default="", max_length=2000)
    status: str = Field(default="sent", max_length=10)
    outcome_note: str = Field(default="", max_length=2000)
    source: str = Field(default="self", max_length=10)
    created_by: int = Field(foreign_key="user_account.id")
    centre_id: int | None = Field(default=None, foreign_key="support_centre.id", index=True)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id")
    answered_by: int | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    answered_at: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field()


class CallPartner(SQLModel, table=True):
    """A partner a grant call names (a bank co-financing, an incubator mentoring winners):
    after approval the grantee is offered a referral to it."""

    __tablename__ = "call_partner"

    call_id: int = Field(foreign_key="grant_call.id", primary_key=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, index=True)
    service: str = Field(default="", max_length=200)
