"""Use cases of training run by centre staff: programmes, cohorts, sessions, the cohort
workflow, attendance and completion."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit, transitions
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import KYIV, _, format_day
from sme_hub.core.queries import page
from sme_hub.core.roles import CurrentUser
from sme_hub.organisations import service as organisations
from sme_hub.partners.models import Partner
from sme_hub.training import certificates, rules
from sme_hub.training.models import Attendance, Cohort, Enrolment, Programme, TrainingSession
from sme_hub.training.schemas import (
    AttendanceUpdate,
    CohortCreate,
    ProgrammeCreate,
    SessionCreate,
)


def ensure_staff_of(user: CurrentUser, centre_id: int) -> None:
    """Staff work only on their own centre's training: another centre's is not found."""
    if not (user.is_admin or centre_id in user.centre_ids()):
        raise NotFound()


async def create_programme(
    session: AsyncSession, user: CurrentUser, data: ProgrammeCreate
) -> Programme:
    centres = sorted(user.centre_ids())
    centre_id = data.centre_id or (centres[0] if len(centres) == 1 else None)
    if centre_id is None:
        raise InvalidInput({"centre_id": _("Choose the centre that runs the programme.")})
    ensure_staff_of(user, centre_id)
    centre = await organisations.get_centre(session, centre_id)
    if centre is None:
        raise InvalidInput({"centre_id": _("There is no such business support centre.")})
    if data.host_partner_id is not None:
        host = await session.get(Partner, data.host_partner_id)
        if host is None or not host.is_active:
            raise InvalidInput(
                {"host_partner_id": _("This partner is not active in the directory.")}
            )
    programme = Programme(
        **data.model_dump(exclude={"centre_id"}),
        centre_id=centre_id,
        municipality_id=centre.municipality_id,
    )
    await audit.add_created(
        session, user, "programme", programme, after=data.model_dump(mode="json")
    )
    return programme


async def list_programmes(
    session: AsyncSession, *, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Programme], int]:
    newest = col(Programme.id).desc()
    return await page(session, Programme, order_by=[newest], limit=limit, offset=offset)


_OfACentre = TypeVar("_OfACentre", Programme, Cohort)


def _of_my_centre(user: CurrentUser, found: _OfACentre | None) -> _OfACentre:
    """A programme or cohort the user's centre runs; anything else is not found."""
    if found is None:
        raise NotFound()
    ensure_staff_of(user, found.centre_id)
    return found


async def staff_programme(session: AsyncSession, user: CurrentUser, programme_id: int) -> Programme:
    return _of_my_centre(user, await session.get(Programme, programme_id))


async def create_cohort(
    session: AsyncSession, user: CurrentUser, programme_id: int, data: CohortCreate
) -> Cohort:
    programme = await staff_programme(session, user, programme_id)
    assert programme.id is not None
    cohort = Cohort(
        **data.model_dump(exclude={"open"}),
        programme_id=programme.id,
        centre_id=programme.centre_id,
        municipality_id=programme.municipality_id,
        status="open" if data.open else "planned",
    )
    await audit.add_created(session, user, "cohort", cohort, after=data.model_dump(mode="json"))
    return cohort


async def list_cohorts(
    session: AsyncSession, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Cohort], int]:
    condition = col(Cohort.status) == status if status else col(Cohort.id).is_not(None)
    first = col(Cohort.starts_on)
    return await page(session, Cohort, condition, order_by=[first], limit=limit, offset=offset)


async def locked_cohort(session: AsyncSession, cohort_id: int) -> Cohort:
    """The cohort with its row locked: seat changes and state changes queue up here."""
    cohort = await session.scalar(
        select(Cohort).where(col(Cohort.id) == cohort_id).with_for_update()
    )
    if cohort is None:
        raise NotFound()
    return cohort


async def staff_cohort(
    session: AsyncSession, user: CurrentUser, cohort_id: int, *, lock: bool = False
) -> Cohort:
    cohort = (
        await locked_cohort(session, cohort_id) if lock else await session.get(Cohort, cohort_id)
    )
    return _of_my_centre(user, cohort)


async def add_session(
    session: AsyncSession, user: CurrentUser, cohort_id: int, data: SessionCreate
) -> TrainingSession:
    cohort = await staff_cohort(session, user, cohort_id)
    if cohort.status in ("finished", "cancelled"):
        raise Conflict(_("Sessions cannot be added to a finished or cancelled cohort."))
    assert cohort.id is not None
    training_session = TrainingSession(cohort_id=cohort.id, **data.model_dump())
    await audit.add_created(
        session,
        user,
        "training_session",
        training_session,
        municipality_id=cohort.municipality_id,
        after=data.model_dump(mode="json"),
    )
    return training_session


async def transition(
    session: AsyncSession, user: CurrentUser, cohort_id: int, action: str
) -> Cohort:
    """Move a cohort along its workflow (rules.COHORT); `finish` decides who completed the
    programme."""
    cohort = await staff_cohort(session, user, cohort_id, lock=True)
    if rules.COHORT.next_state(cohort.status, action) is None:
        raise Conflict(_(rules.COHORT.refused).format(status=rules.COHORT.label(cohort.status)))
    if action in ("start", "finish"):
        starts = (
            await session.scalars(
                select(col(TrainingSession.starts_at)).where(
                    col(TrainingSession.cohort_id) == cohort_id
                )
            )
        ).all()
        if reason := too_early(cohort, starts, action):
            raise Conflict(reason)
    completions = None
    if action == "finish":
        completions = await _record_completions(session, cohort)
        await certificates.queue_cohort_certificates(session, cohort_id)
    await transitions.transition(
        session, rules.COHORT, cohort, action, user=user, details={"completed": completions}
    )
    return cohort


def today_in_kyiv() -> date:
    return datetime.now(UTC).astimezone(KYIV).date()


def too_early(cohort: Cohort, session_starts: Sequence[datetime], action: str) -> str | None:
    """Why `action` must wait for a later day (in the reader's language), or None."""
    first, last = rules.training_days(
        cohort.starts_on, cohort.ends_on, [s.astimezone(KYIV).date() for s in session_starts]
    )
    found = rules.too_early(action, first, last, today_in_kyiv())
    if found is None:
        return None
    msgid, day = found
    return _(msgid).format(date=format_day(day))


def waiting_actions(cohort: Cohort, sessions: Sequence[TrainingSession]) -> dict[str, str]:
    """The workflow buttons that must wait for a later day, with the reason to show."""
    starts = [s.starts_at for s in sessions]
    return {
        action: reason
        for action in ("start", "finish")
        if (reason := too_early(cohort, starts, action))
    }


async def _record_completions(session: AsyncSession, cohort: Cohort) -> int:
    """Mark each enrolled person completed or not by their attendance; return how many
    completed."""
    programme = await session.get(Programme, cohort.programme_id)
    assert programme is not None
    sessions = (
        await session.scalar(
            select(func.count())
            .select_from(TrainingSession)
            .where(col(TrainingSession.cohort_id) == cohort.id)
        )
        or 0
    )
    attended = dict(
        (
            await session.execute(
                select(col(Attendance.enrolment_id), func.count())
                .join(TrainingSession, col(TrainingSession.id) == col(Attendance.session_id))
                .where(col(TrainingSession.cohort_id) == cohort.id)
                .group_by(col(Attendance.enrolment_id))
            )
        ).all()
    )
    enrolled = (
        await session.scalars(
            select(Enrolment).where(
                col(Enrolment.cohort_id) == cohort.id, col(Enrolment.status) == "enrolled"
            )
        )
    ).all()
    completed = {
        enrolment.id or 0
        for enrolment in enrolled
        if rules.completed(
            attended.get(enrolment.id or 0, 0), sessions, programme.completion_threshold_pct
        )
    }
    others = {enrolment.id or 0 for enrolment in enrolled} - completed
    for action, ids in (("complete", completed), ("not_complete", others)):
        if ids:
            await transitions.transition_many(
                session,
                rules.ENROLMENT,
                Enrolment,
                action,
                col(Enrolment.id).in_(ids),
                user=None,
            )
    return len(completed)


async def set_attendance(
    session: AsyncSession, user: CurrentUser, session_id: int, data: AttendanceUpdate
) -> list[int]:
    """Replace who was present at a session (one bulk write, audited)."""
    training_session = await session.get(TrainingSession, session_id)
    if training_session is None:
        raise NotFound()
    cohort = await staff_cohort(session, user, training_session.cohort_id)
    if cohort.status in ("finished", "cancelled"):
        raise Conflict(_("Attendance of a finished or cancelled cohort cannot change."))
    wanted = set(data.present)
    valid = set(
        (
            await session.scalars(
                select(col(Enrolment.id)).where(
                    col(Enrolment.cohort_id) == cohort.id, col(Enrolment.status) == "enrolled"
                )
            )
        ).all()
    )
    if wanted - valid:
        raise InvalidInput(
            {"present": _("Only people enrolled in this cohort can be marked present.")}
        )
    await session.execute(delete(Attendance).where(col(Attendance.session_id) == session_id))
    session.add_all(
        [
            Attendance(session_id=session_id, enrolment_id=e, marked_by=user.id)
            for e in sorted(wanted)
        ]
    )
    await session.flush()
    await audit.record(
        session,
        user,
        "training_session",
        session_id,
        "attendance",
        municipality_id=cohort.municipality_id,
        after={"present": sorted(wanted)},
    )
    return sorted(wanted)
