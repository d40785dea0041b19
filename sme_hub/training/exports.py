"""A cohort's participants as a file for its centre's staff: name, email, status, waitlist
position, women-led, sessions attended and completion (personal data: audited)."""

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import User
from sme_hub.core.exports import AnyRow, Cell, Export
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.training import roster, rules, service
from sme_hub.training.models import Attendance, Enrolment


async def enrolments_export(session: AsyncSession, user: CurrentUser, cohort_id: int) -> Export:
    """The roster of a cohort of the staff member's centre (another centre's is 404)."""
    cohort = await service.staff_cohort(session, user, cohort_id)
    attended = (
        sa_select(func.count())
        .where(col(Attendance.enrolment_id) == col(Enrolment.id))
        .scalar_subquery()
    )
    statement = roster.roster_statement(cohort_id).with_only_columns(
        col(User.full_name),
        col(User.email),
        col(Enrolment.status),
        col(Enrolment.waitlist_position),
        col(Enrolment.women_led),
        attended,
        maintain_column_froms=False,
    )
    header = [
        _("Full name"),
        _("Email"),
        _("Status"),
        _("Waitlist position"),
        _("Women-led"),
        _("Sessions attended"),
        _("Completed"),
    ]

    def cells(row: AnyRow) -> list[Cell]:
        name, email, status, position, women, sessions = row
        completed = {"completed": _("yes"), "not_completed": _("no")}.get(status, "")
        return [
            name,
            email,
            rules.ENROLMENT.label(status),
            position,
            _("yes") if women else _("no"),
            sessions,
            completed,
        ]

    return Export(
        name=f"cohort-{cohort_id}-participants",
        header=header,
        statement=statement,
        cells=cells,
        object_type="cohort",
        object_id=cohort_id,
        municipality_id=cohort.municipality_id,
    )
