"""Business profile shapes: the API body (PUT /api/v1/me/business), the wizard's steps, reads."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sme_hub.core.i18n import N_
from sme_hub.entrepreneurs.rules import GREEN_QUESTIONS
from sme_hub.reference.identifiers import normalise_tax_id, tax_id_kind_for

Gender = Literal["female", "male"]
LegalForm = Literal["fop", "llc", "farm", "cooperative", "other", "not_registered"]
LeaderRole = Literal["head", "deputy", "board_member", "manager"]
DeclaredGroup = Literal["veteran_owned", "idp_owned", "youth_owned"]
RevenueBand = Literal["none", "up_to_1m", "1m_to_5m", "5m_to_20m", "20m_to_100m", "over_100m"]

LEGAL_FORMS: tuple[str, ...] = LegalForm.__args__  # type: ignore[attr-defined]
REVENUE_BANDS: tuple[str, ...] = RevenueBand.__args__  # type: ignore[attr-defined]
DECLARED_GROUPS: tuple[str, ...] = DeclaredGroup.__args__  # type: ignore[attr-defined]
LEADER_ROLES: tuple[str, ...] = LeaderRole.__args__  # type: ignore[attr-defined]
INDEPENDENCE_DAY = date(1991, 8, 24)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OwnerIn(Strict):
    gender: Gender
    share_pct: Decimal = Field(gt=0, le=100, decimal_places=2)


class LeaderIn(Strict):
    role: LeaderRole
    gender: Gender


class GreenIn(Strict):
    answers: dict[str, bool] = Field(default_factory=dict)

    @field_validator("answers")
    @classmethod
    def known_questions(cls, answers: dict[str, bool]) -> dict[str, bool]:
        if set(answers) - set(GREEN_QUESTIONS):
            raise ValueError(N_("Unknown question in the green self-assessment."))
        return answers


class BusinessDetails(Strict):
    """Step 1 of the wizard: the business itself."""

    legal_form: LegalForm
    tax_id_kind: Literal["edrpou", "rnokpp", "passport"] | None = Field(
        default=None,
        description="Inferred from the legal form; 'passport' only for a fop "
        "who refused an RNOKPP on religious grounds",
    )
    tax_id: str | None = Field(default=None, max_length=20, validate_default=True)
    name: str = Field(min_length=2, max_length=200)
    kved: str = Field(description="KVED-2010 class of the main activity, e.g. 62.01")
    katottg: str = Field(description="KATOTTG code of the territorial community")
    registered_on: date | None = Field(default=None, validate_default=True)
    employees_total: int = Field(default=0, ge=0, le=100_000)
    employees_women: int = Field(default=0, ge=0, le=100_000)
    revenue_band: RevenueBand | None = None

    @field_validator("tax_id_kind")
    @classmethod
    def kind_fits_form(cls, kind: str | None, info: ValidationInfo) -> str | None:
        legal_form = info.data.get("legal_form")
        if legal_form is None:
            return kind
        expected = tax_id_kind_for(legal_form)
        if kind == "passport" and legal_form == "fop":
            return kind
        if kind is not None and kind != expected:
            raise ValueError(N_("This kind of tax number does not fit the legal form."))
        return expected

    @field_validator("tax_id")
    @classmethod
    def tax_id_is_valid(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("tax_id_kind")
        legal_form = info.data.get("legal_form")
        if legal_form == "not_registered":
            return None
        if not value:
            if legal_form is None:
                return None
            raise ValueError(N_("Enter the tax number of the business."))
        return normalise_tax_id(kind or tax_id_kind_for(legal_form or "other") or "edrpou", value)

    @field_validator("registered_on")
    @classmethod
    def plausible_date(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            if info.data.get("legal_form") not in (None, "not_registered"):
                raise ValueError(N_("Enter the date of registration."))
            return None
        if value > date.today():  # noqa: DTZ011 - a calendar date, compared as such
            raise ValueError(N_("The registration date cannot be in the future."))
        if value < INDEPENDENCE_DAY:
            raise ValueError(N_("The registration date cannot be before 24 August 1991."))
        return value

    @field_validator("employees_women")
    @classmethod
    def women_within_total(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("employees_total", value):
            raise ValueError(N_("Women employees cannot outnumber all employees."))
        return value


class Ownership(Strict):
    """Step 2 of the wizard: owners, leaders and (optional, confidential) declared groups."""

    owners: list[OwnerIn] = Field(default_factory=list, max_length=50)
    leaders: list[LeaderIn] = Field(default_factory=list, max_length=50)
    declared_groups: list[DeclaredGroup] = Field(default_factory=list)

    @field_validator("owners")
    @classmethod
    def shares_sum_to_100(cls, owners: list[OwnerIn]) -> list[OwnerIn]:
        if owners and sum(owner.share_pct for owner in owners) != 100:
            raise ValueError(N_("The owners' shares must add up to 100 %."))
        return owners

    @field_validator("declared_groups")
    @classmethod
    def unique_groups(cls, groups: list[str]) -> list[str]:
        return sorted(set(groups))


class BusinessProfileIn(BusinessDetails, Ownership):
    """PUT /api/v1/me/business: the whole profile."""

    green: GreenIn = Field(default_factory=GreenIn)


class BusinessProfileRead(BaseModel):
    id: int
    version: int
    legal_form: str
    tax_id: str | None
    tax_id_kind: str | None
    name: str
    kved: str
    katottg: str
    municipality_id: int | None
    registered_on: date | None
    employees_total: int
    employees_women: int
    revenue_band: str | None
    owners: list[OwnerIn]
    leaders: list[LeaderIn]
    declared_groups: list[str]
    green: GreenIn
    women_led: bool
    women_led_reasons: list[str]
    green_score: int
    green_level: str
    green_reasons: list[str]
    updated_at: datetime


class ClientRead(BaseModel):
    """An entrepreneur as centre staff see them (RNOKPP masked)."""

    user_id: int
    full_name: str
    email: str
    business_name: str
    legal_form: str
    tax_id: str | None
    kved: str
    women_led: bool
    green_level: str
    updated_at: datetime


LEGAL_FORM_LABELS = {
    "fop": N_("Individual entrepreneur (FOP)"),
    "llc": N_("Limited liability company"),
    "farm": N_("Farm"),
    "cooperative": N_("Cooperative"),
    "other": N_("Other legal entity"),
    "not_registered": N_("Not registered yet (planning to start)"),
}
REVENUE_BAND_LABELS = {
    "none": N_("No revenue yet"),
    "up_to_1m": N_("Up to 1 million UAH a year"),
    "1m_to_5m": N_("1–5 million UAH a year"),
    "5m_to_20m": N_("5–20 million UAH a year"),
    "20m_to_100m": N_("20–100 million UAH a year"),
    "over_100m": N_("Over 100 million UAH a year"),
}
LEADER_ROLE_LABELS = {
    "head": N_("Head"),
    "deputy": N_("Deputy head"),
    "board_member": N_("Board member"),
    "manager": N_("Manager"),
}
GENDER_LABELS = {"female": N_("Woman"), "male": N_("Man")}
DECLARED_GROUP_LABELS = {
    "veteran_owned": N_("Owned by a veteran"),
    "idp_owned": N_("Owned by an internally displaced person"),
    "youth_owned": N_("Owned by a young person (under 35)"),
}
