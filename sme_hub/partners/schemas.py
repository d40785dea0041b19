"""Request and response shapes of partners and referrals."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sme_hub.core.forms import WebAddress
from sme_hub.core.i18n import N_
from sme_hub.partners.rules import clean_services

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
ReferralStatus = Literal["sent", "accepted", "declined", "completed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartnerFields(Strict):
    """Every field of product.md §2 but the municipalities served."""

    name: str = Field(min_length=2, max_length=200)
    kind: PartnerKind
    sector: Sector
    services: list[str] = Field(
        default_factory=list, max_length=50, description="Named services, e.g. “Microloans”"
    )
    address: str | None = Field(default=None, max_length=300)
    website: WebAddress = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)
    description_uk: str = Field(default="", max_length=2000)
    description_en: str = Field(default="", max_length=2000)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    is_active: bool = True

    @field_validator("services")
    @classmethod
    def distinct_services(cls, value: list[str]) -> list[str]:
        for service in value:
            if len(service) > 200:
                raise ValueError(N_("A service's name has at most 200 characters."))
        return clean_services(value)

    @model_validator(mode="after")
    def both_coordinates(self) -> "PartnerFields":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError(N_("Give both the latitude and the longitude, or neither."))
        return self


class PartnerCreate(PartnerFields):
    municipality_ids: list[int] = Field(default_factory=list, max_length=200)


class PartnerUpdate(Strict):
    """The fields sent are changed; the municipalities served only by an admin. The changed
    record is checked as a whole against PartnerCreate (the service), the web address too."""

    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: PartnerKind | None = None
    sector: Sector | None = None
    services: list[str] | None = Field(default=None, max_length=50)
    municipality_ids: list[int] | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    website: str | None = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)
    description_uk: str | None = Field(default=None, max_length=2000)
    description_en: str | None = Field(default=None, max_length=2000)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    is_active: bool | None = None


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
    contact_email: str | None = None
    contact_phone: str | None = None
    description_uk: str = ""
    description_en: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    is_active: bool


class DirectoryFilters(BaseModel):
    kind: PartnerKind | None = None
    sector: Sector | None = None
    municipality: int | None = Field(default=None, description="A municipality served (id)")
    service: str | None = Field(default=None, max_length=200, description="Part of a name")
    q: str | None = Field(default=None, max_length=200, description="Part of the name")


class ReferralIn(Strict):
    entrepreneur_id: int | None = Field(
        default=None, description="Centre staff: the client; an entrepreneur: omitted (self)"
    )
    partner_id: int
    service: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class ReferralChange(Strict):
    status: Literal["accepted", "declined", "completed"]
    outcome_note: str = Field(default="", max_length=2000)


class ReferralRead(BaseModel):
    id: int
    entrepreneur_id: int
    entrepreneur_name: str
    partner_id: int
    partner_name: str
    service: str
    note: str
    status: ReferralStatus
    outcome_note: str
    source: Literal["centre", "self", "grant"]
    centre_id: int | None
    application_id: int | None
    created_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None


class CallPartnerIn(Strict):
    partner_id: int
    service: str = Field(default="", max_length=200)


class GrantOfferIn(Strict):
    partner_id: int


class CallPartnersIn(Strict):
    partners: list[CallPartnerIn] = Field(max_length=20)


class ReferralCounts(BaseModel):
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    completed: int = 0


class ReferralFigures(BaseModel):
    """Referrals by partner, kind, sector and outcome, and per month (the month's first day),
    counted by their status now."""

    since: date | None
    until: date | None
    total: ReferralCounts
    by_partner: list[dict[str, object]]
    by_kind: dict[str, ReferralCounts]
    by_sector: dict[str, ReferralCounts]
    by_month: dict[str, ReferralCounts]
