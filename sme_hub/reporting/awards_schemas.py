"""Shapes of the public register of awarded grants: its filters and one award as published."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

GreenLevel = Literal["none", "basic", "advanced"]


class AwardFilters(BaseModel):
    q: str | None = Field(default=None, max_length=200, description="Part of a name or title")
    municipality: str | None = Field(default=None, description="A municipality's KATOTTG code")
    women_led: bool | None = None
    green_level: GreenLevel | None = None
    year: int | None = Field(default=None, ge=2000, le=2100, description="Award year (Kyiv)")


class AwardRead(BaseModel):
    """An awarded grant as anyone may see it: never an individual's tax number."""

    id: int
    project_title: str
    summary: str
    recipient_name: str
    recipient_id: str = Field(description="360Giving organisation id (opaque for individuals)")
    edrpou: str | None = Field(description="A legal entity's EDRPOU code; null for individuals")
    legal_form: str
    beneficiary_katottg: str | None
    beneficiary_place: str | None
    awarded_kop: int
    requested_kop: int | None
    awarded_at: datetime
    status: str
    women_led: bool | None
    green_level: str | None
    call_id: int
    call_title_uk: str
    call_title_en: str
    municipality_id: int
    municipality_katottg: str
    municipality_name_uk: str
    municipality_name_en: str
    final_report_due: date | None = Field(description="End of the planned grant period")
    updated_at: datetime


class OpenDataFile(BaseModel):
    """One municipality's entry in the open data index."""

    municipality_id: int
    katottg: str
    name_uk: str
    name_en: str
    grants: int
    latest_award: datetime | None
