"""Request and response shapes of partners."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PartnerKind = Literal[
    "support_centre",
    "incubator",
    "accelerator",
    "industrial_park",
    "coworking",
    "bank",
    "credit_union",
    "business_association",
    "university",
    "ngo",
    "other",
]
Sector = Literal["public", "private", "civil_society"]


class PartnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    kind: PartnerKind
    sector: Sector
    services: list[str] = Field(default_factory=list, max_length=50)
    municipality_ids: list[int] = Field(default_factory=list)
    address: str | None = Field(default=None, max_length=300)
    website: str | None = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    sector: str
    services: list[str]
    municipality_ids: list[int]
    address: str | None
    website: str | None
    is_active: bool
