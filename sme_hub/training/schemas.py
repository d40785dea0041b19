"""Training shapes: programmes, cohorts, sessions, enrolments, attendance."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sme_hub.core.forms import WebAddress
from sme_hub.core.i18n import N_
from sme_hub.training import rules

TargetGroup = Literal["all", "women", "veterans", "youth", "idp", "startups"]
Format = Literal["in_person", "online", "hybrid"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProgrammeCreate(Strict):
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=5000)
    topics: list[str] = Field(default_factory=list, max_length=20)
    target_group: TargetGroup = "all"
    language: Literal["uk", "en"] = "uk"
    format: Format = "in_person"
    completion_threshold_pct: int = Field(default=80, ge=1, le=100)
    centre_id: int | None = Field(
        default=None, description="The staff member's centre; needed only if they have several"
    )
    host_partner_id: int | None = Field(
        default=None, description="A partner hosting it (an incubator, a university…)"
    )


class ProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    centre_id: int
    municipality_id: int
    title: str
    description: str
    topics: list[str]
    target_group: str
    language: str
    format: str
    completion_threshold_pct: int
    host_partner_id: int | None = None


class CohortCreate(Strict):
    starts_on: date
    ends_on: date
    enrolment_deadline: date
    capacity: int = Field(ge=1, le=1000)
    reserved_women_seats: int = Field(default=0, ge=0)
    place: str = Field(default="", max_length=300)
    link: WebAddress = Field(
        default=None, max_length=500, description="An http(s) address, e.g. of an online meeting"
    )
    open: bool = Field(default=False, description="Open for enrolment at once")

    @field_validator("ends_on")
    @classmethod
    def ends_after_start(cls, value: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on and value < starts_on:
            raise ValueError(N_("The cohort cannot end before it starts."))
        return value

    @field_validator("enrolment_deadline")
    @classmethod
    def deadline_before_start(cls, value: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on and value > starts_on:
            raise ValueError(N_("The enrolment deadline must be on or before the first day."))
        return value

    @field_validator("reserved_women_seats")
    @classmethod
    def reserve_within_capacity(cls, value: int, info: ValidationInfo) -> int:
        if value > info.data.get("capacity", value):
            raise ValueError(N_("More seats are reserved than the cohort has."))
        return value


class CohortRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    programme_id: int
    centre_id: int
    municipality_id: int
    starts_on: date
    ends_on: date
    enrolment_deadline: date
    capacity: int
    reserved_women_seats: int
    enrolled_count: int
    place: str
    link: str | None
    status: str


class SessionCreate(Strict):
    starts_at: datetime
    topic: str = Field(min_length=2, max_length=200)
    duration_minutes: int = Field(default=120, ge=15, le=600)

    @field_validator("starts_at")
    @classmethod
    def with_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(N_("Give the time with its offset, e.g. 2026-12-01T10:00:00+02:00."))
        return value


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cohort_id: int
    starts_at: datetime
    duration_minutes: int
    topic: str


class EnrolmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cohort_id: int
    user_id: int
    status: Literal["enrolled", "waitlisted", "cancelled", "completed", "not_completed"]
    waitlist_position: int | None


class AttendanceUpdate(Strict):
    present: list[int] = Field(description="Ids of the enrolments present at the session")


class AttendanceRead(BaseModel):
    session_id: int
    present: list[int]


COHORT_STATUS_LABELS = rules.COHORT.labels
ENROLMENT_STATUS_LABELS = rules.ENROLMENT.labels
TARGET_GROUP_LABELS = {
    "all": N_("Everyone"),
    "women": N_("Women"),
    "veterans": N_("Veterans"),
    "youth": N_("Young people"),
    "idp": N_("Internally displaced people"),
    "startups": N_("Start-ups"),
}
FORMAT_LABELS = {"in_person": N_("In person"), "online": N_("Online"), "hybrid": N_("Hybrid")}
