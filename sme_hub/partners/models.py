"""Business-infrastructure partners (product.md §2); partner users are bound to one."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field


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
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()


class PartnerMunicipality(SQLModel, table=True):
    """Which municipalities a partner serves."""

    __tablename__ = "partner_municipality"

    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, index=True, ondelete="CASCADE"
    )
