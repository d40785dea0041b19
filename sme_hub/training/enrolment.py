"""Enrolment: a seat while there is one, else the waitlist; cancelling promotes the next
person in the same transaction. Every change happens under the cohort's row lock, so seats
are never exceeded and waitlist positions stay 1..N (the database also checks the counters)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit, mail, transitions
from sme_hub.core.errors import Conflict, Forbidden, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.training import rules
from sme_hub.training.models import Cohort, Enrolment, Programme
from sme_hub.training.service import ensure_staff_of, locked_cohort

KYIV = ZoneInfo("Europe/Kyiv")


def _today() -> datetime:
    return datetime.now(KYIV)


def _seats(cohort: Cohort) -> rules.Seats:
    return rules.Seats(
        cohort.capacity,
        cohort.enrolled_count,
        cohort.reserved_women_seats,
        cohort.women_enrolled_count,
        cohort.enrolment_deadline,
    )


def _take_seat(cohort: Cohort, enrolment: Enrolment) -> None:
    """Count the enrolment's seat on the (locked) cohort."""
    cohort.enrolled_count += 1
    cohort.women_enrolled_count += int(enrolment.women_led)


async def enrol(session: AsyncSession, user: CurrentUser, cohort_id: int) -> Enrolment:
    """Enrol the user (an entrepreneur) in an open cohort, or put them on its waitlist."""
    if not user.has_role(Role.ENTREPRENEUR):
        raise Forbidden(_("Only entrepreneurs enrol in cohorts."))
    cohort = await locked_cohort(session, cohort_id)
    today = _today().date()
    reason = rules.can_enrol(cohort.status, cohort.enrolment_deadline, today)
    if reason:
        raise Conflict(_(reason))
    enrolment = await session.scalar(
        select(Enrolment).where(
            col(Enrolment.cohort_id) == cohort_id, col(Enrolment.user_id) == user.id
        )
    )
    if enrolment is not None and rules.ENROLMENT.next_state(enrolment.status, "enrolled") is None:
        raise Conflict(_("You are already enrolled in this cohort (or on its waitlist)."))
    profile = await entrepreneurs.get_profile(session, user.id)
    women_led = bool(profile and profile.women_led)
    gets_seat = _seats(cohort).free_for(women_led, today)
    position = None
    if not gets_seat:  # counted before the new row exists, so it is not counted itself
        waiting = await session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status) == "waitlisted")
        )
        position = (waiting or 0) + 1
    # The audit action is the state it starts (or starts again) in.
    action = "enrolled" if gets_seat else "waitlisted"
    after = {"cohort_id": cohort_id, "waitlist_position": position}
    if enrolment is None:
        enrolment = Enrolment(
            cohort_id=cohort_id,
            user_id=user.id,
            municipality_id=cohort.municipality_id,
            status=rules.ENROLMENT.step(action).target,
            waitlist_position=position,
            women_led=women_led,
        )
        await audit.add_created(session, user, "enrolment", enrolment, action, after=after)
    else:  # enrolling again after a cancellation
        enrolment.women_led = women_led
        await transitions.transition(
            session,
            rules.ENROLMENT,
            enrolment,
            action,
            user=user,
            owner_id=enrolment.user_id,
            values={"waitlist_position": position, "cancelled_at": None},
            before=None,
            after=after,
        )
    if gets_seat:
        _take_seat(cohort, enrolment)
    await session.flush()
    return enrolment


async def cancel(session: AsyncSession, user: CurrentUser, enrolment_id: int) -> Enrolment:
    """Cancel an enrolment (its owner, or staff of the cohort's centre); a freed seat goes
    to the first person on the waitlist who may take it, who is told by email."""
    found = await session.get(Enrolment, enrolment_id)
    if found is None:
        raise NotFound()
    cohort = await locked_cohort(session, found.cohort_id)
    if found.user_id != user.id:
        ensure_staff_of(user, cohort.centre_id)
    await session.refresh(found)  # read again now that the cohort is locked
    not_active = _("This enrolment is not active.")
    if rules.ENROLMENT.next_state(found.status, "cancelled") is None:
        raise Conflict(not_active)
    if cohort.status in rules.COHORT.terminal_states():
        raise Conflict(_("The cohort is over; its enrolments no longer change."))
    was_enrolled, position = found.status == "enrolled", found.waitlist_position
    await transitions.transition(
        session,
        rules.ENROLMENT,
        found,
        "cancelled",
        user=user,
        owner_id=found.user_id,
        values={"waitlist_position": None, "cancelled_at": datetime.now(UTC)},
        refused=not_active,
        record=False,  # below, with who took the seat
    )
    promoted = None
    if was_enrolled:
        cohort.enrolled_count -= 1
        cohort.women_enrolled_count -= int(found.women_led)
        promoted = await _promote(session, cohort)
        position = promoted.waitlist_position if promoted else None
    await session.flush()
    if position is not None:
        await _close_gap(session, cohort, position)
    if promoted is not None:
        await transitions.transition(
            session,
            rules.ENROLMENT,
            promoted,
            "promoted",
            user=None,
            values={"waitlist_position": None},
            record=False,  # recorded on the cancellation that freed the seat
        )
        _take_seat(cohort, promoted)
        await session.flush()
        await _tell_promoted(session, cohort, promoted)
    await audit.record(
        session,
        user,
        "enrolment",
        enrolment_id,
        "cancelled",
        municipality_id=cohort.municipality_id,
        after={"promoted_enrolment_id": promoted.id if promoted else None},
    )
    return found


async def _promote(session: AsyncSession, cohort: Cohort) -> Enrolment | None:
    waitlist = (
        await session.scalars(
            select(Enrolment)
            .where(col(Enrolment.cohort_id) == cohort.id, col(Enrolment.status) == "waitlisted")
            .order_by(col(Enrolment.waitlist_position))
        )
    ).all()
    chosen = rules.first_to_promote(
        [(e.id or 0, e.women_led) for e in waitlist], _seats(cohort), _today().date()
    )
    return next((e for e in waitlist if e.id == chosen), None)


async def _close_gap(session: AsyncSession, cohort: Cohort, position: int) -> None:
    """Everyone behind `position` moves up one place."""
    behind = (
        await session.scalars(
            select(Enrolment)
            .where(
                col(Enrolment.cohort_id) == cohort.id,
                col(Enrolment.status) == "waitlisted",
                col(Enrolment.waitlist_position) > position,
            )
            .order_by(col(Enrolment.waitlist_position))
        )
    ).all()
    for enrolment in behind:
        assert enrolment.waitlist_position is not None
        enrolment.waitlist_position -= 1
    await session.flush()


async def _tell_promoted(session: AsyncSession, cohort: Cohort, enrolment: Enrolment) -> None:
    programme = await session.get(Programme, cohort.programme_id)
    if programme is None:
        return
    await mail.notify(
        session,
        enrolment.user_id,
        "waitlist_promoted",
        programme=programme.title,
        starts_on=cohort.starts_on.strftime("%d.%m.%Y"),
    )


async def my_enrolments(session: AsyncSession, user: CurrentUser) -> list[Enrolment]:
    rows = await session.scalars(
        select(Enrolment)
        .where(col(Enrolment.user_id) == user.id)
        .order_by(col(Enrolment.id).desc())
    )
    return list(rows.all())
