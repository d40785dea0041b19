"""Shapes of grant applications over the API (api.md "Bodies"), and their labels. The shapes
of calls are in grants/call_schemas.py."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sme_hub.core.i18n import N_
from sme_hub.grants import rules
from sme_hub.grants.call_schemas import MAX_KOP, Strict
from sme_hub.reference.identifiers import normalise_iban


class BudgetLine(Strict):
    item: str = Field(min_length=1, max_length=200)
    amount_kop: int = Field(ge=0, le=MAX_KOP)


class Screening(Strict):
    """domain.md's five yes/no questions; null: not answered yet."""

    protected_area: bool | None = None
    hazardous_waste: bool | None = None
    new_construction: bool | None = None
    emissions_or_discharges: bool | None = None
    noise_or_traffic: bool | None = None


class ApplicationIn(Strict):
    """The application's content; every field optional (a draft is saved as it grows, PATCH
    sends only what changed). Submit checks completeness."""

    project_title: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=20000)
    requested_amount_kop: int | None = Field(default=None, ge=0, le=MAX_KOP)
    own_contribution_kop: int | None = Field(default=None, ge=0, le=MAX_KOP)
    budget_lines: list[BudgetLine] | None = Field(default=None, max_length=50)
    jobs_total: int | None = Field(default=None, ge=0, le=10_000)
    jobs_women: int | None = Field(default=None, ge=0, le=10_000)
    environmental_effect: str | None = Field(default=None, max_length=5000)
    screening: Screening | None = None
    mitigation: str | None = Field(default=None, max_length=5000)
    answers: dict[str, str] | None = Field(
        default=None, description="question_key: text; an empty text clears the answer"
    )
    iban: str | None = Field(default=None, max_length=40)
    contact_phone: str | None = Field(default=None, max_length=30)
    business_address: str | None = Field(default=None, max_length=300)

    @field_validator("iban")
    @classmethod
    def valid_iban(cls, value: str | None) -> str | None:
        return normalise_iban(value) if value else value

    @field_validator("contact_phone")
    @classmethod
    def phone_digits(cls, value: str | None) -> str | None:
        if value and sum(ch.isdigit() for ch in value) < 9:
            raise ValueError(N_("Enter a phone number with its code, e.g. +380 67 123 45 67."))
        if value and any(not (ch.isdigit() or ch in "+-() ") for ch in value):
            raise ValueError(N_("A phone number has only digits, spaces, +, - and brackets."))
        return value

    @field_validator("answers")
    @classmethod
    def answer_length(cls, value: dict[str, str] | None, info: ValidationInfo) -> Any:
        if value and any(len(text) > 5000 for text in value.values()):
            raise ValueError(N_("An answer can be at most 5,000 characters long."))
        return value


class AssistedDraft(Strict):
    """Centre staff drafting for a client: whose application, and how the client consented."""

    entrepreneur_id: int
    consent: Literal[True] = Field(description="The client agreed to assisted filing")
    consent_method: Literal["in_person", "signed_form", "email", "phone"] = "in_person"
    consent_note: str = Field(default="", max_length=500)


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


class TimelineEntry(BaseModel):
    at: datetime
    action: str
    text: str


DuplicateField = Literal["iban", "phone", "address"]
DUPLICATE_FIELD_LABELS: dict[str, str] = {
    "iban": N_("IBAN (account number)"),
    "phone": N_("phone"),
    "address": N_("address"),
}


class DuplicateMatch(BaseModel):
    """Another applicant's application in the call and what the two share."""

    application_id: int = Field(description="Its number")
    fields: list[DuplicateField] = Field(description="What matched: iban, phone, address")


class ApplicationRead(BaseModel):
    id: int
    call_id: int
    municipality_id: int
    applicant_id: int
    status: str
    project_title: str
    summary: str
    description: str
    requested_amount_kop: int | None
    own_contribution_kop: int | None
    project_cost_kop: int | None
    budget_lines: list[BudgetLine]
    jobs_total: int | None
    jobs_women: int | None
    environmental_effect: str
    screening: Screening
    mitigation: str
    environmental_category: Literal["A", "B", "C"] | None
    answers: dict[str, str]
    iban: str
    contact_phone: str
    business_address: str
    women_led: bool | None = Field(description="From the business snapshot (after submission)")
    green_level: str | None = Field(description="From the business snapshot (after submission)")
    snapshot: dict[str, Any] | None
    submitted_at: datetime | None
    eligibility_reason: str
    assisted_by: int | None
    attachments: list[AttachmentRead]
    duplicate_of: list[int] = Field(
        default_factory=list,
        description="Staff only: other applicants' applications in the call sharing an IBAN, "
        "phone or address",
    )
    duplicate_matches: list[DuplicateMatch] = Field(
        default_factory=list,
        description="Staff only: the same applications with what each shares (iban, phone, "
        "address)",
    )
    timeline: list[TimelineEntry] = Field(default_factory=list)
    next_step: str = ""
    awarded_kop: int | None = None
    decision_reference: str = ""
    decided_at: datetime | None = None
    explanation: list[str] = Field(
        default_factory=list,
        description="How it was scored and why it was or was not recommended; once decided",
    )


class EligibilityDecision(Strict):
    eligible: bool
    reason: str = Field(default="", max_length=2000, validate_default=True)

    @field_validator("reason")
    @classmethod
    def reason_for_refusal(cls, value: str, info: ValidationInfo) -> str:
        """Reported on `reason` (the field to fill), also when it is left out."""
        if info.data.get("eligible") is False and len(value.strip()) < 5:
            raise ValueError(N_("Tell the applicant why the application is not eligible."))
        return value


class ScreeningRow(BaseModel):
    id: int
    status: str
    project_title: str
    business_name: str
    applicant_name: str
    requested_amount_kop: int | None
    women_led: bool | None
    green_level: str | None
    environmental_category: str | None
    submitted_at: datetime | None
    duplicate: bool
    attachments: int
    duplicate_matches: list[DuplicateMatch] = Field(
        default_factory=list,
        description="Why `duplicate`: each other application sharing contacts, and which",
    )


class ScreeningPage(BaseModel):
    items: list[ScreeningRow]
    total: int
    limit: int
    offset: int


APPLICATION_STATUS_LABELS = rules.APPLICATION.labels
NEXT_STEP = {
    "draft": N_("Complete the form and submit it before the call closes."),
    "submitted": N_(
        "The business support centre checks the eligibility of your application. You will "
        "see the result here."
    ),
    "eligible": N_("Your application goes to the evaluation committee after the call closes."),
    "ineligible": N_("The application cannot take part in this call. The reason is shown above."),
    "under_evaluation": N_("The evaluation committee is scoring your application."),
    "recommended": N_(
        "The committee recommends your application. The municipality decides on it next."
    ),
    "reserve": N_(
        "Your application is on the reserve list: it may be funded if money is left after "
        "the decisions."
    ),
    "not_selected": N_("The municipality announces the results when all decisions are made."),
    "approved": N_(
        "Download the grant agreement. The first tranche follows the schedule; report your "
        "progress every quarter."
    ),
    "rejected": N_("The reasons are explained below."),
    "in_implementation": N_("Report your progress every quarter and keep your receipts."),
    "completed": N_("Your final report is accepted: the grant is completed."),
    "withdrawn": N_("You withdrew this application."),
}
SCREENING_LABELS = {
    "protected_area": N_("Will the project work in or next to a protected natural area?"),
    "hazardous_waste": N_("Will it produce or handle hazardous waste?"),
    "new_construction": N_("Will it build or extend premises?"),
    "emissions_or_discharges": N_(
        "Will it emit to air or discharge to water or soil beyond household level?"
    ),
    "noise_or_traffic": N_("Will it add notable noise, odour or heavy traffic?"),
}
CATEGORY_LABELS = {
    "A": N_("A — significant impact (not eligible for a small grant)"),
    "B": N_("B — limited impact that can be mitigated"),
    "C": N_("C — minimal impact"),
}
