"""The evaluation committee: the officer names it and assigns evaluators; an evaluator declares
conflicts (and a declared conflict replans the assignments)."""

from collections import defaultdict

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment
from sme_hub.core import audit, transitions
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.queries import one_where
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.evaluation import rules
from sme_hub.evaluation.models import Assignment, CommitteeMember, CriterionScore
from sme_hub.evaluation.schemas import ConflictDeclaration
from sme_hub.grants import calls
from sme_hub.grants import rules as grant_rules
from sme_hub.grants.models import Application, GrantCall

_START = grant_rules.APPLICATION.step("start_evaluation")
TO_EVALUATE = (*_START.sources, _START.target)


async def set_committee(
    session: AsyncSession, user: CurrentUser, call_id: int, evaluator_ids: list[int]
) -> list[int]:
    """Name the call's evaluators: users holding the evaluator role in its municipality."""
    call = await calls.managed_call(session, user, call_id, lock=True)
    wanted = sorted(set(evaluator_ids))
    valid = set(
        (
            await session.scalars(
                select(col(RoleAssignment.user_id)).where(
                    col(RoleAssignment.user_id).in_(wanted),
                    col(RoleAssignment.role) == Role.EVALUATOR.value,
                    col(RoleAssignment.municipality_id) == call.municipality_id,
                )
            )
        ).all()
    )
    if set(wanted) - valid:
        raise InvalidInput(
            {
                "evaluator_ids": _(
                    "These people are not evaluators of your municipality: {ids}."
                ).format(ids=", ".join(str(i) for i in sorted(set(wanted) - valid)))
            }
        )
    await session.execute(delete(CommitteeMember).where(col(CommitteeMember.call_id) == call_id))
    session.add_all(
        CommitteeMember(call_id=call_id, evaluator_id=e, municipality_id=call.municipality_id)
        for e in wanted
    )
    await session.flush()
    await audit.record(
        session, user, "grant_call", call, "committee", after={"evaluator_ids": wanted}
    )
    return wanted


async def _committee(session: AsyncSession, call_id: int) -> list[int]:
    rows = await session.scalars(
        select(col(CommitteeMember.evaluator_id)).where(col(CommitteeMember.call_id) == call_id)
    )
    return sorted(rows.all())


async def assign(session: AsyncSession, user: CurrentUser, call_id: int) -> list[Assignment]:
    """Give every eligible application its evaluators (idempotent); the call moves into
    evaluation and its eligible applications under evaluation."""
    call = await calls.managed_call(session, user, call_id, lock=True)
    if grant_rules.shown_call_status(call.status, call.closes_at, calls.now()) not in (
        "closed",
        "in_evaluation",
    ):
        raise Conflict(_("Evaluators are assigned once the call is closed."))
    committee = await _committee(session, call_id)
    if len(committee) < call.evaluators_per_application:
        raise Conflict(
            _("The committee needs at least {n} evaluators for this call.").format(
                n=call.evaluators_per_application
            )
        )
    await _replan(session, call, committee)
    await transitions.transition(
        session,
        grant_rules.CALL,
        call,
        "start_evaluation",
        user=user,
        values={"closed_at": call.closed_at or call.closes_at},
        when_allowed=True,
    )
    rows = await session.scalars(
        select(Assignment).where(col(Assignment.call_id) == call_id).order_by(col(Assignment.id))
    )
    return list(rows.all())


async def _replan(session: AsyncSession, call: GrantCall, committee: list[int]) -> None:
    """Add the assignments the rules plan, and put the applications under evaluation."""
    assert call.id is not None
    applications = (
        await session.scalars(
            select(col(Application.id)).where(
                col(Application.call_id) == call.id, col(Application.status).in_(TO_EVALUATE)
            )
        )
    ).all()
    existing: dict[int, dict[int, str]] = defaultdict(dict)
    for application_id, evaluator_id, status in (
        await session.execute(
            select(
                col(Assignment.application_id), col(Assignment.evaluator_id), col(Assignment.status)
            ).where(col(Assignment.call_id) == call.id)
        )
    ).all():
        existing[application_id][evaluator_id] = status
    plan = rules.plan_assignments(
        [a for a in applications if a is not None],
        committee,
        existing,
        call.evaluators_per_application,
    )
    if plan:
        await session.execute(
            insert(Assignment).values(
                [
                    {
                        "call_id": call.id,
                        "application_id": application_id,
                        "evaluator_id": evaluator_id,
                        "municipality_id": call.municipality_id,
                        "status": "assigned",
                    }
                    for application_id, evaluator_id in plan
                ]
            )
        )
        await audit.record(
            session,
            None,
            "grant_call",
            call,
            "assigned",
            after={"pairs": [list(pair) for pair in plan]},
        )
    await transitions.transition_many(
        session,
        grant_rules.APPLICATION,
        Application,
        "start_evaluation",
        col(Application.call_id) == call.id,
        user=None,
    )


async def _my_assignment(
    session: AsyncSession, user: CurrentUser, assignment_id: int, *, lock: bool = True
) -> Assignment:
    assignment = await one_where(
        session, Assignment, col(Assignment.id) == assignment_id, lock=lock
    )
    if assignment is None or assignment.evaluator_id != user.id:
        raise NotFound()
    return assignment


async def declare(
    session: AsyncSession, user: CurrentUser, assignment_id: int, data: ConflictDeclaration
) -> Assignment:
    """Declare (no) conflict before seeing the application; a conflict takes the evaluator
    off it (their draft scores are dropped) and another member replaces them."""
    assignment = await _my_assignment(session, user, assignment_id)
    action = "conflict" if data.has_conflict else "no_conflict"
    if not data.has_conflict and assignment.status == rules.ASSIGNMENT.step(action).target:
        return assignment  # declared already: nothing changes
    await transitions.transition(
        session,
        rules.ASSIGNMENT,
        assignment,
        action,
        user=user,
        values={"conflict_note": data.note, "declared_at": calls.now()},
        refused=_("This assignment can no longer change its declaration."),
        details={"note": data.note},
    )
    if data.has_conflict:
        await session.execute(
            delete(CriterionScore).where(col(CriterionScore.assignment_id) == assignment_id)
        )
        call = await session.get(GrantCall, assignment.call_id)
        assert call is not None
        await _replan(session, call, await _committee(session, assignment.call_id))
    return assignment
