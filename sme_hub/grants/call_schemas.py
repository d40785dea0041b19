"""Shapes of grant calls over the API (api.md "Bodies"): rules, criteria, priorities,
eligibility, questions, amendments; and the base every grants body shares (`Strict`)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from sme_hub.core.i18n import N_
from sme_hub.entrepreneurs.schemas import DeclaredGroup, LegalForm
from sme_hub.grants import rules

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_KOP = 100_000_000_000  # 1 billion hryvnias: anything above is a typing mistake


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(N_("Give the time with its offset, e.g. 2026-12-01T18:00:00+02:00."))
    return value


class Criterion(Strict):
    """A scoring criterion, named in both languages like a call's questions (English pages
    show `name_en`, or the Ukrainian name while it is empty)."""

    key: str = Field(pattern=KEY_PATTERN, description="Short id, e.g. `innovation`")
    name_uk: str = Field(min_length=2, max_length=200)
    name_en: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    weight: Decimal = Field(gt=0, le=100, decimal_places=2)
    max_score: int = Field(ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def one_name_is_ukrainian(cls, data: Any) -> Any:
        """The first API version sent one `name` (api.md): it is the Ukrainian name."""
        if isinstance(data, dict) and "name" in data:
            data = dict(data)
            name = data.pop("name")
            data.setdefault("name_uk", name)
        return data


class CriterionRead(Criterion):
    name: str = Field(default="", description="`name_uk`, for clients of the first version")

    @model_validator(mode="after")
    def with_name(self) -> "CriterionRead":
        self.name = self.name_uk
        return self


class WomenLedThresholdsIn(Strict):
    ownership_pct: Decimal = Field(default=Decimal(51), ge=0, le=100, decimal_places=2)
    with_head_pct: Decimal = Field(default=Decimal(25), ge=0, le=100, decimal_places=2)


class Priorities(Strict):
    women_led_bonus: Decimal = Field(default=Decimal(10), ge=0, le=100, decimal_places=2)
    green_bonus: Decimal = Field(default=Decimal(10), ge=0, le=100, decimal_places=2)
    women_led_budget_share: Decimal = Field(default=Decimal(0), ge=0, le=1, decimal_places=4)
    women_led_thresholds: WomenLedThresholdsIn = Field(default_factory=WomenLedThresholdsIn)
    group_bonuses: dict[DeclaredGroup, Decimal] = Field(
        default_factory=dict,
        description="Bonus points for declared groups of the business (each off by default)",
    )

    @field_validator("group_bonuses")
    @classmethod
    def bonuses_in_range(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(points < 0 or points > 100 for points in value.values()):
            raise ValueError(N_("A bonus is between 0 and 100 points."))
        return value


class EligibilityIn(Strict):
    in_municipality: bool = False
    legal_forms: list[LegalForm] = Field(default_factory=list)
    min_business_age_months: int | None = Field(default=None, ge=0, le=1200)
    max_business_age_months: int | None = Field(default=None, ge=0, le=1200)
    excluded_kved: list[str] = Field(
        default_factory=list, description="KVED sections (A–U), divisions, groups or classes"
    )
    required_programme_id: int | None = None
    max_employees: int | None = Field(default=None, ge=0, le=100_000)
    one_active_grant: bool = False

    @field_validator("excluded_kved")
    @classmethod
    def kved_prefixes(cls, value: list[str]) -> list[str]:
        codes = [code.strip().upper() for code in value if code.strip()]
        for code in codes:
            if not (
                (len(code) == 1 and "A" <= code <= "U")
                or (code[:2].isdigit() and len(code) in (2, 4, 5) and code[2:3] in ("", "."))
            ):
                raise ValueError(
                    N_("Give KVED sections (A–U), divisions (47) or codes (47.1, 47.11).")
                )
        return codes

    @model_validator(mode="after")
    def age_range(self) -> "EligibilityIn":
        low, high = self.min_business_age_months, self.max_business_age_months
        if low is not None and high is not None and low > high:
            raise ValueError(N_("The minimum business age is above the maximum."))
        return self


class Question(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    label_uk: str = Field(min_length=2, max_length=500)
    label_en: str = Field(default="", max_length=500)
    required: bool = False


class CallRules(Strict):
    """What a published call freezes: amounts, dates, criteria, priorities, eligibility,
    questions, review settings."""

    title_uk: str = Field(min_length=3, max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_uk: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    budget_kop: int = Field(gt=0, le=MAX_KOP)
    min_grant_kop: int = Field(gt=0, le=MAX_KOP)
    max_grant_kop: int = Field(gt=0, le=MAX_KOP)
    own_contribution_pct: Decimal = Field(default=Decimal(0), ge=0, le=100, decimal_places=2)
    opens_at: datetime
    closes_at: datetime
    threshold: Decimal = Field(default=Decimal(60), ge=0, le=100, decimal_places=2)
    evaluators_per_application: int = Field(default=2, ge=1, le=10)
    blind_review: bool = False
    criteria: list[Criterion] = Field(default_factory=list, max_length=30)
    priorities: Priorities = Field(default_factory=Priorities)
    eligibility: EligibilityIn = Field(default_factory=EligibilityIn)
    questions: list[Question] = Field(default_factory=list, max_length=30)

    _aware = field_validator("opens_at", "closes_at")(classmethod(lambda cls, v: _aware(v)))

    # The rules between fields, each reported on its field (`extra[].key`), not the body.
    @field_validator("max_grant_kop")
    @classmethod
    def grant_limits(cls, value: int, info: ValidationInfo) -> int:
        if "min_grant_kop" in info.data and info.data["min_grant_kop"] > value:
            raise ValueError(N_("The minimum grant is above the maximum grant."))
        if "budget_kop" in info.data and value > info.data["budget_kop"]:
            raise ValueError(N_("The maximum grant is above the call's budget."))
        return value

    @field_validator("closes_at")
    @classmethod
    def closes_after_opening(cls, value: datetime, info: ValidationInfo) -> datetime:
        opens_at = info.data.get("opens_at")
        if value.tzinfo is not None and opens_at is not None and value <= opens_at:
            raise ValueError(N_("The call must close after it opens."))
        return value

    @field_validator("criteria", "questions")
    @classmethod
    def unique_keys(cls, value: list[Any]) -> list[Any]:
        keys = [item.key for item in value]
        if len(keys) != len(set(keys)):
            raise ValueError(N_("Each criterion and question needs its own key."))
        return value


class CallCreate(CallRules):
    criteria: list[Criterion] = Field(min_length=1, max_length=30)


class CallUpdate(Strict):
    """A partial change. On a published call it is an amendment: `amendment_reason` is
    required and the change is logged."""

    title_uk: str | None = Field(default=None, min_length=3, max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    description_uk: str | None = Field(default=None, max_length=20000)
    description_en: str | None = Field(default=None, max_length=20000)
    budget_kop: int | None = Field(default=None, gt=0, le=MAX_KOP)
    min_grant_kop: int | None = Field(default=None, gt=0, le=MAX_KOP)
    max_grant_kop: int | None = Field(default=None, gt=0, le=MAX_KOP)
    own_contribution_pct: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    threshold: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    evaluators_per_application: int | None = Field(default=None, ge=1, le=10)
    blind_review: bool | None = None
    criteria: list[Criterion] | None = Field(default=None, min_length=1, max_length=30)
    priorities: Priorities | None = None
    eligibility: EligibilityIn | None = None
    questions: list[Question] | None = Field(default=None, max_length=30)
    amendment_reason: str | None = Field(default=None, min_length=5, max_length=2000)

    _aware = field_validator("opens_at", "closes_at")(classmethod(lambda cls, v: _aware(v)))


class CallRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    municipality_id: int
    title_uk: str
    title_en: str
    description_uk: str
    description_en: str
    budget_kop: int
    min_grant_kop: int
    max_grant_kop: int
    own_contribution_pct: Decimal
    opens_at: datetime
    closes_at: datetime
    threshold: Decimal
    evaluators_per_application: int
    blind_review: bool
    criteria: list[CriterionRead]
    priorities: Priorities
    eligibility: EligibilityIn
    questions: list[Question]
    status: str = Field(description="As people see it: `closed` from the closing time on")
    published_at: datetime | None
    closed_at: datetime | None


class AmendmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    call_id: int
    reason: str
    changes: dict[str, Any]
    amended_by: int | None
    created_at: datetime


CALL_STATUS_LABELS = rules.CALL.labels
