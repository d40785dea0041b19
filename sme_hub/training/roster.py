"""What centre staff see of their training: their programmes with cohorts, a cohort's
roster (personal data: audited) and the attendance of a session."""

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core import audit
from sme_hub.core.errors import NotFound
from sme_hub.core.roles import CurrentUser
from sme_hub.training import service
from sme_hub.training.models import Attendance, Cohort, Enrolment, Programme, TrainingSession


async def centre_programmes(
    session: AsyncSession, user: CurrentUser
) -> list[tuple[Programme, list[Cohort]]]:
    """The programmes of the user's centres with their cohorts, newest first."""
    centre_ids = user.centre_ids()
    programmes = (
        await session.scalars(
            select(Programme)
            .where(col(Programme.centre_id).in_(centre_ids))
            .order_by(col(Programme.id).desc())
        )
    ).all()
    cohorts = (
        await session.scalars(
            select(Cohort)
            .where(col(Cohort.programme_id).in_([p.id for p in programmes]))
            .order_by(col(Cohort.starts_on).desc())
        )
    ).all()
    return [(p, [c for c in cohorts if c.programme_id == p.id]) for p in programmes]


async def cohort_roster(
    session: AsyncSession, user: CurrentUser, cohort_id: int
) -> tuple[Cohort, Programme, list[TrainingSession], list[tuple[Enrolment, str]]]:
    """A cohort as its staff see it: sessions, and enrolments with people's names."""
    cohort = await service.staff_cohort(session, user, cohort_id)
    programme = await session.get(Programme, cohort.programme_id)
    assert programme is not None
    sessions = list(
        (
            await session.scalars(
                select(TrainingSession)
                .where(col(TrainingSession.cohort_id) == cohort_id)
                .order_by(col(TrainingSession.starts_at))
            )
        ).all()
    )
    people = (await session.execute(roster_statement(cohort_id))).all()
    # The names of the people enrolled are personal data.
    await audit.record_access(session, user, "cohort", cohort, "roster_viewed")
    return cohort, programme, sessions, [(e, name) for e, name in people]


def roster_statement(cohort_id: int) -> Select[Enrolment, str]:
    """The cohort's enrolments but the cancelled, with people's names, as the roster lists
    them (the export keeps its joins, conditions and order and picks its own columns)."""
    return (
        select(Enrolment, col(User.full_name))
        .join(User, col(User.id) == col(Enrolment.user_id))
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status) != "cancelled")
        .order_by(
            col(Enrolment.status),
            col(Enrolment.waitlist_position),
            col(User.full_name),
            col(Enrolment.id),
        )
    )


async def session_attendance(
    session: AsyncSession, user: CurrentUser, session_id: int
) -> tuple[TrainingSession, Cohort, set[int]]:
    training_session = await session.get(TrainingSession, session_id)
    if training_session is None:
        raise NotFound()
    cohort = await service.staff_cohort(session, user, training_session.cohort_id)
    present = set(
        (
            await session.scalars(
                select(col(Attendance.enrolment_id)).where(col(Attendance.session_id) == session_id)
            )
        ).all()
    )
    return training_session, cohort, present
