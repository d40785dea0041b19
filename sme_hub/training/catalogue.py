"""What entrepreneurs see of training: the public catalogue of open cohorts, their own
courses, and a cohort's calendar."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.errors import NotFound
from sme_hub.core.roles import CurrentUser
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.partners.models import Partner
from sme_hub.training.calendar import CalendarEvent, ics
from sme_hub.training.models import Cohort, Enrolment, Programme, TrainingSession


@dataclass(frozen=True)
class CatalogueFilters:
    topic: str | None = None
    format: str | None = None
    municipality_id: int | None = None
    target_group: str | None = None


@dataclass(frozen=True)
class CourseEntry:
    cohort: Cohort
    programme: Programme
    centre: SupportCentre
    municipality: Municipality
    enrolment: Enrolment | None = None

    @property
    def seats_left(self) -> int:
        return max(self.cohort.capacity - self.cohort.enrolled_count, 0)


def _joined() -> Any:  # a Select of four entities; its generic type is unwieldy
    return (
        select(Cohort, Programme, SupportCentre, Municipality)
        .join(Programme, col(Programme.id) == col(Cohort.programme_id))
        .join(SupportCentre, col(SupportCentre.id) == col(Cohort.centre_id))
        .join(Municipality, col(Municipality.id) == col(Cohort.municipality_id))
    )


async def open_cohorts(
    session: AsyncSession, filters: CatalogueFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[CourseEntry], int]:
    conditions = [col(Cohort.status) == "open"]
    if filters.topic:
        conditions.append(col(Programme.topics).contains([filters.topic]))
    if filters.format:
        conditions.append(col(Programme.format) == filters.format)
    if filters.municipality_id:
        conditions.append(col(Cohort.municipality_id) == filters.municipality_id)
    if filters.target_group:
        conditions.append(col(Programme.target_group) == filters.target_group)
    query = _joined().where(*conditions)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(col(Cohort.starts_on), col(Cohort.id)).limit(limit).offset(offset)
    )
    return [CourseEntry(*row) for row in rows.all()], total or 0


async def topics(session: AsyncSession) -> list[str]:
    """Every topic of a programme with an open cohort, for the catalogue's filter."""
    rows = await session.scalars(
        select(func.jsonb_array_elements_text(col(Programme.topics)))
        .distinct()
        .join(Cohort, col(Cohort.programme_id) == col(Programme.id))
        .where(col(Cohort.status) == "open")
    )
    return sorted(rows.all())


async def host_names(session: AsyncSession, programmes: Iterable[Programme]) -> dict[int, str]:
    """The names of the partners hosting these programmes, by partner id, in one query."""
    ids = {p.host_partner_id for p in programmes if p.host_partner_id is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(col(Partner.id), col(Partner.name)).where(col(Partner.id).in_(ids))
    )
    return {pid: name for pid, name in rows.all() if pid is not None}


async def my_courses(session: AsyncSession, user: CurrentUser) -> list[CourseEntry]:
    query = (
        _joined()
        .add_columns(Enrolment)
        .join(Enrolment, col(Enrolment.cohort_id) == col(Cohort.id))
        .where(col(Enrolment.user_id) == user.id, col(Enrolment.status) != "cancelled")
    )
    rows = await session.execute(query.order_by(col(Cohort.starts_on).desc()))
    return [CourseEntry(*row) for row in rows.all()]


async def calendar_for(session: AsyncSession, user: CurrentUser, enrolment_id: int) -> str:
    """The sessions of the owner's cohort as an .ics file (404 for anyone else's)."""
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user.id:
        raise NotFound()
    cohort = await session.get(Cohort, enrolment.cohort_id)
    programme = await session.get(Programme, cohort.programme_id) if cohort else None
    assert cohort is not None and programme is not None
    sessions = (
        await session.scalars(
            select(TrainingSession)
            .where(col(TrainingSession.cohort_id) == cohort.id)
            .order_by(col(TrainingSession.starts_at))
        )
    ).all()
    events = [
        CalendarEvent(
            uid=f"session-{s.id}@sme-hub",
            starts_at=s.starts_at,
            minutes=s.duration_minutes,
            summary=f"{programme.title}: {s.topic}",
            location=cohort.place or (cohort.link or ""),
        )
        for s in sessions
    ]
    return ics(events, name=programme.title, now=datetime.now(UTC))
