"""Training: programmes of a centre, their cohorts and sessions, enrolments, attendance."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field, timestamp_field
from sme_hub.training.rules import COHORT, ENROLMENT


class Programme(SQLModel, table=True):
    __tablename__ = "programme"
    __table_args__ = (
        sa.CheckConstraint("format IN ('in_person', 'online', 'hybrid')", name="format"),
        sa.CheckConstraint("completion_threshold_pct BETWEEN 1 AND 100", name="threshold"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="support_centre.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    topics: list[str] = Field(default_factory=list, sa_type=JSONB)
    target_group: str = Field(default="all", max_length=20)
    language: str = Field(default="uk", max_length=5)
    format: str = Field(default="in_person", max_length=10)
    completion_threshold_pct: int = 80
    # A partner hosting the programme (an incubator, a university…), shown with it.
    host_partner_id: int | None = Field(default=None, foreign_key="partner.id")
    created_at: datetime = created_at_field()


class Cohort(SQLModel, table=True):
    """A run of a programme. `enrolled_count` is the seat counter PostgreSQL guards."""

    __tablename__ = "cohort"
    __table_args__ = (
        sa.CheckConstraint(COHORT.check_constraint_sql(), name="status"),
        sa.CheckConstraint("capacity > 0", name="capacity"),
        sa.CheckConstraint(
            "reserved_women_seats >= 0 AND reserved_women_seats <= capacity", name="reserved"
        ),
        sa.CheckConstraint("enrolled_count >= 0 AND enrolled_count <= capacity", name="seats"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    centre_id: int = Field(foreign_key="support_centre.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    starts_on: date
    ends_on: date
    enrolment_deadline: date
    capacity: int
    reserved_women_seats: int = 0
    enrolled_count: int = 0
    women_enrolled_count: int = 0
    place: str = Field(default="", max_length=300)
    link: str | None = Field(default=None, max_length=500)
    status: str = Field(default="planned", max_length=10, index=True)
    created_at: datetime = created_at_field()


class TrainingSession(SQLModel, table=True):
    __tablename__ = "training_session"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    duration_minutes: int = 120
    topic: str = Field(max_length=200)


class Enrolment(SQLModel, table=True):
    __tablename__ = "enrolment"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "user_id"),
        sa.CheckConstraint(ENROLMENT.check_constraint_sql(), name="status"),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="waitlist"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    status: str = Field(max_length=15)
    waitlist_position: int | None = None
    women_led: bool = False
    certificate_code: str | None = Field(default=None, max_length=40, unique=True)
    created_at: datetime = created_at_field()
    cancelled_at: datetime | None = timestamp_field()


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"

    session_id: int = Field(foreign_key="training_session.id", primary_key=True, ondelete="CASCADE")
    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True, index=True)
    marked_by: int | None = None
    marked_at: datetime = created_at_field()
