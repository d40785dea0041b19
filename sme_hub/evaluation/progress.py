"""A call's evaluation as its officer follows it: the municipality's evaluators and the
committee, assignments counted by status and by evaluator, the applications still short of
evaluations, and the submitted score sheets (which the officer may reopen), read in five
queries whatever the size of the call; and what the ranking's rows show of each application."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.evaluation import rules
from sme_hub.evaluation.committee import TO_EVALUATE
from sme_hub.evaluation.models import ASSIGNMENT_STATUSES, Assignment, CommitteeMember
from sme_hub.grants import calls
from sme_hub.grants.models import Application, GrantCall

UNDECIDED = (*TO_EVALUATE, "recommended", "reserve", "not_selected")
# The officer's view of an assignment (the evaluator's own pages word it for them).
ASSIGNMENT_STATUS_LABELS = rules.ASSIGNMENT.labels
MISSING_SHOWN = 100  # the rest are counted; the list is for chasing, not for reading whole


@dataclass(frozen=True)
class Evaluator:
    id: int
    name: str
    in_committee: bool
    counts: dict[str, int] = field(default_factory=dict)  # assignment status → how many


@dataclass(frozen=True)
class Missing:
    application_id: int
    project_title: str
    submitted: int


@dataclass(frozen=True)
class Sheet:
    assignment_id: int
    application_id: int
    project_title: str
    evaluator: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class Progress:
    call: GrantCall
    totals: dict[str, int]  # assignment status → how many, every status present
    evaluators: list[Evaluator]
    missing: list[Missing]
    missing_total: int
    sheets: list[Sheet]  # the requested page of the submitted score sheets

    @property
    def committee_ids(self) -> set[int]:
        return {e.id for e in self.evaluators if e.in_committee}


async def progress(
    session: AsyncSession, user: CurrentUser, call_id: int, *, limit: int = 50, offset: int = 0
) -> Progress:
    call = await calls.managed_call(session, user, call_id)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    totals = dict.fromkeys(ASSIGNMENT_STATUSES, 0)
    for evaluator_id, status, n in (
        await session.execute(
            sa_select(col(Assignment.evaluator_id), col(Assignment.status), func.count())
            .where(col(Assignment.call_id) == call_id)
            .group_by(col(Assignment.evaluator_id), col(Assignment.status))
        )
    ).all():
        counts[evaluator_id][status] = n
        totals[status] += n
    missing, missing_total = await _missing(session, call)
    return Progress(
        call=call,
        totals=totals,
        evaluators=await _evaluators(session, call, counts),
        missing=missing,
        missing_total=missing_total,
        sheets=await _sheets(session, call_id, limit=limit, offset=offset),
    )


async def _evaluators(
    session: AsyncSession, call: GrantCall, counts: dict[int, dict[str, int]]
) -> list[Evaluator]:
    """Who may sit on the committee (active evaluators of the municipality), and whoever
    sits on it or has assignments although no longer one (their work still counts)."""
    committee = sa_select(col(CommitteeMember.evaluator_id)).where(
        col(CommitteeMember.call_id) == call.id
    )
    evaluators = sa_select(col(RoleAssignment.user_id)).where(
        col(RoleAssignment.role) == Role.EVALUATOR.value,
        col(RoleAssignment.municipality_id) == call.municipality_id,
    )
    rows = await session.execute(
        sa_select(col(User.id), col(User.full_name), col(User.id).in_(committee))
        .where(
            or_(
                col(User.id).in_(evaluators) & col(User.is_active),
                col(User.id).in_(committee),
                col(User.id).in_(list(counts)),
            )
        )
        .order_by(col(User.full_name), col(User.id))
    )
    return [
        Evaluator(user_id or 0, name, bool(member), counts.get(user_id or 0, {}))
        for user_id, name, member in rows.all()
    ]


async def _missing(session: AsyncSession, call: GrantCall) -> tuple[list[Missing], int]:
    """Applications not yet decided with fewer submitted score sheets than the call asks
    for (a stored recommendation does not end the scoring), and how many there are."""
    submitted = func.count(col(Assignment.id)).filter(col(Assignment.status) == "submitted")
    rows = (
        await session.execute(
            sa_select(
                col(Application.id),
                col(Application.project_title),
                submitted,
                func.count().over(),
            )
            .outerjoin(Assignment, col(Assignment.application_id) == col(Application.id))
            .where(col(Application.call_id) == call.id, col(Application.status).in_(UNDECIDED))
            .group_by(col(Application.id))
            .having(submitted < call.evaluators_per_application)
            .order_by(col(Application.id))
            .limit(MISSING_SHOWN)
        )
    ).all()
    total = rows[0][3] if rows else 0
    return [Missing(i or 0, title, n) for i, title, n, _total in rows], total


async def _sheets(session: AsyncSession, call_id: int, *, limit: int, offset: int) -> list[Sheet]:
    rows = await session.execute(
        sa_select(
            col(Assignment.id),
            col(Assignment.application_id),
            col(Application.project_title),
            col(User.full_name),
            col(Assignment.submitted_at),
        )
        .join(Application, col(Application.id) == col(Assignment.application_id))
        .join(User, col(User.id) == col(Assignment.evaluator_id))
        .where(col(Assignment.call_id) == call_id, col(Assignment.status) == "submitted")
        .order_by(col(Assignment.application_id), col(Assignment.id))
        .limit(limit)
        .offset(offset)
    )
    return [
        Sheet(assignment_id or 0, application_id, title, evaluator, at)
        for assignment_id, application_id, title, evaluator, at in rows.all()
    ]


@dataclass(frozen=True)
class Row:
    """What a ranking or what-if row shows of an application besides its scores."""

    application_id: int
    project_title: str
    business_name: str
    applicant_name: str
    requested_kop: int
    status: str
    women_led: bool


async def rows_of(session: AsyncSession, call_id: int, ids: list[int]) -> dict[int, Row]:
    """The rows of the call's applications `ids`, in one query (tenancy: a call the officer
    manages, checked by the caller)."""
    if not ids:
        return {}
    business = Application.snapshot["name"].astext  # type: ignore[index]
    found = await session.execute(
        sa_select(
            col(Application.id),
            col(Application.project_title),
            business,
            col(User.full_name),
            col(Application.requested_amount_kop),
            col(Application.status),
            col(Application.women_led),
        )
        .join(User, col(User.id) == col(Application.applicant_id))
        .where(col(Application.call_id) == call_id, col(Application.id).in_(ids))
    )
    return {
        i: Row(i, title, name or "", person, requested or 0, status, bool(women))
        for i, title, name, person, requested, status, women in found.all()
    }


@dataclass(frozen=True)
class Decided:
    application_id: int
    project_title: str
    rank: int | None
    status: str
    awarded_kop: int | None
    reference: str


async def decided(session: AsyncSession, call_id: int) -> list[Decided]:
    """The call's decided applications, in the order of the stored recommendation: they
    leave the live ranking once decided, and the officer still needs to find them."""
    rows = await session.execute(
        sa_select(
            col(Application.id),
            col(Application.project_title),
            col(Application.rank),
            col(Application.status),
            col(Application.awarded_kop),
            col(Application.decision_reference),
        )
        .where(col(Application.call_id) == call_id, col(Application.decided_at).is_not(None))
        .order_by(col(Application.rank).asc().nulls_last(), col(Application.id))
    )
    return [
        Decided(i or 0, title, rank, status, awarded, reference)
        for i, title, rank, status, awarded, reference in rows.all()
    ]
