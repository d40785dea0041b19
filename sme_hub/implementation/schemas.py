"""What the implementation API takes and gives: tranches, payments, reports, obligations."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sme_hub.core.i18n import N_
from sme_hub.implementation import rules
from sme_hub.reference.identifiers import normalise_iban

TRANCHE_STATUS_LABELS = rules.TRANCHE.labels
REPORT_KIND_LABELS = {"interim": N_("interim report"), "final": N_("final report")}
REPORT_STATUS_LABELS = rules.REPORT.labels


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _iban(value: str | None) -> str | None:
    return normalise_iban(value) if value else None


class TrancheIn(Strict):
    """A tranche the officer adds to the schedule, paid at once when `paid_on` is given."""

    amount_kop: int = Field(gt=0)
    planned_on: date
    paid_on: date | None = None
    iban: str | None = Field(default=None, max_length=40, description="The grantee's if omitted")

    _check_iban = field_validator("iban")(_iban)


class PaymentIn(Strict):
    paid_on: date
    iban: str | None = Field(default=None, max_length=40, description="The grantee's if omitted")

    _check_iban = field_validator("iban")(_iban)


class TrancheRead(BaseModel):
    id: int
    number: int
    amount_kop: int
    planned_on: date
    status: Literal["planned", "paid"]
    paid_on: date | None
    paid_iban: str


class SpendingLine(Strict):
    item: str = Field(min_length=2, max_length=200)
    amount_kop: int = Field(gt=0)


class ReportIn(Strict):
    kind: Literal["interim", "final"] = "interim"
    period: str = Field(min_length=2, max_length=100, description="E.g. “Q1 2027”")
    jobs_created: int = Field(ge=0, le=10_000)
    women_employed: int = Field(ge=0, le=10_000)
    spending: list[SpendingLine] = Field(default_factory=list, max_length=100)
    environmental_results: str = Field(default="", max_length=5000)
    narrative: str = Field(default="", max_length=10000)

    @model_validator(mode="after")
    def women_within_jobs(self) -> "ReportIn":
        if self.women_employed > self.jobs_created:
            raise ValueError(N_("Women employed cannot be more than the jobs created."))
        return self


class ReviewIn(Strict):
    decision: Literal["accepted", "returned"]
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def returned_says_why(self) -> "ReviewIn":
        if self.decision == "returned" and len(self.note.strip()) < 5:
            raise ValueError(N_("Say what the grantee should change when returning a report."))
        return self


class ReceiptRead(BaseModel):
    key: str
    filename: str
    content_type: str
    size_bytes: int


class ReportRead(BaseModel):
    id: int
    grant_id: int
    kind: Literal["interim", "final"]
    period: str
    jobs_created: int
    women_employed: int
    spending: list[SpendingLine]
    spent_kop: int
    environmental_results: str
    narrative: str
    receipts: list[ReceiptRead]
    status: Literal["submitted", "accepted", "returned"]
    review_note: str
    submitted_at: datetime
    reviewed_at: datetime | None


class ObligationRead(BaseModel):
    id: int
    grant_id: int
    kind: Literal["report", "final_report", "keep_jobs"]
    text: str
    due_on: date
    status: Literal["open", "met"]
    overdue: bool


class GrantRead(BaseModel):
    id: int = Field(description="The approved application's id")
    call_id: int
    status: str
    project_title: str
    awarded_kop: int
    scheduled_kop: int
    paid_kop: int
    decision_reference: str
    tranches: list[TrancheRead]
    reports: list[ReportRead]
    obligations: list[ObligationRead]
