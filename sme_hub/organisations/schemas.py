"""Request and response shapes of municipalities and business support centres."""

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sme_hub.core.i18n import N_

KATOTTG_PATTERN = re.compile(r"^UA\d{17}$")


def checked_katottg(value: str) -> str:
    value = value.strip().upper()
    if not KATOTTG_PATTERN.match(value):
        raise ValueError(N_("A KATOTTG code is UA followed by 17 digits."))
    return value


class MunicipalityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_uk: str = Field(min_length=2, max_length=200)
    name_en: str = Field(min_length=2, max_length=200)
    katottg: str = Field(description="KATOTTG code of the territorial community")
    oblast: str = Field(description="KATOTTG code of the oblast")
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)

    _katottg = field_validator("katottg", "oblast")(checked_katottg)


class MunicipalityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name_uk: str
    name_en: str
    katottg: str
    oblast: str
    contact_email: str | None
    contact_phone: str | None
    created_at: datetime


class CentreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    municipality_id: int
    name: str = Field(min_length=2, max_length=200)
    address: str = Field(min_length=2, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)


class CentreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    municipality_id: int
    name: str
    address: str
    contact_email: str | None
    contact_phone: str | None


class StaffMember(BaseModel):
    user_id: int
    full_name: str
    email: str
    role: str
    centre_id: int | None
