"""Tenants: municipalities (territorial communities) and their business support centres."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field


class MunicipalityBase(SQLModel):
    name_uk: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    katottg: str = Field(max_length=19, unique=True)
    oblast: str = Field(max_length=19, index=True)  # the oblast's KATOTTG code
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)


class Municipality(MunicipalityBase, table=True):
    __tablename__ = "municipality"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()


class SupportCentreBase(SQLModel):
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)


class SupportCentre(SupportCentreBase, table=True):
    __tablename__ = "support_centre"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
