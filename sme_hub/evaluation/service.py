"""Use cases of evaluation: the officer names a committee and assigns evaluators; an
evaluator declares conflicts, scores and submits; the officer reads the ranking."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Integer, cast, delete, func, literal_column, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.core import audit
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import _, current_locale, in_language
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.evaluation import rules
from sme_hub.evaluation.models import Assignment, CommitteeMember, CriterionScore
from sme_hub.evaluation.schemas import (
    AssignmentRead,
    ConflictDeclaration,
    RankingItem,
    RankingRead,
    ScoresIn,
)
from sme_hub.grants import calls
from sme_hub.grants import rules as grant_rules
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.rules import criterion_name

TO_EVALUATE = ("eligible", "under_evaluation")
# Decided applications keep their place: a decision never reorders the others.
RANKED = (
    "eligible",
    "under_evaluation",
    "recommended",
    "reserve",
    "not_selected",
    "approved",
    "rejected",
    "in_implementation",
    "completed",
)


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
        session,
        actor_id=user.id,
        object_type="grant_call",
        object_id=call_id,
        action="committee",
        municipality_id=call.municipality_id,
        after={"evaluator_ids": wanted},
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
    if call.status != "in_evaluation":
        before, call.status = call.status, "in_evaluation"
        call.closed_at = call.closed_at or call.closes_at
        await audit.record(
            session,
            actor_id=user.id,
            object_type="grant_call",
            object_id=call_id,
            action="start_evaluation",
            municipality_id=call.municipality_id,
            before={"status": before},
            after={"status": "in_evaluation"},
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
            actor_id=None,
            object_type="grant_call",
            object_id=call.id,
            action="assigned",
            municipality_id=call.municipality_id,
            after={"pairs": [list(pair) for pair in plan]},
        )
    await session.execute(
        update(Application)
        .where(col(Application.call_id) == call.id, col(Application.status) == "eligible")
        .values(status="under_evaluation")
    )


async def _my_assignment(
    session: AsyncSession, user: CurrentUser, assignment_id: int, *, lock: bool = True
) -> Assignment:
    statement = select(Assignment).where(col(Assignment.id) == assignment_id)
    assignment = await session.scalar(statement.with_for_update() if lock else statement)
    if assignment is None or assignment.evaluator_id != user.id:
        raise NotFound()
    return assignment


async def declare(
    session: AsyncSession, user: CurrentUser, assignment_id: int, data: ConflictDeclaration
) -> Assignment:
    """Declare (no) conflict before seeing the application; a conflict takes the evaluator
    off it (their draft scores are dropped) and another member replaces them."""
    assignment = await _my_assignment(session, user, assignment_id)
    if assignment.status in ("conflict", "submitted"):
        raise Conflict(_("This assignment can no longer change its declaration."))
    if not data.has_conflict and assignment.status == "declared":
        return assignment
    before = assignment.status
    assignment.status = "conflict" if data.has_conflict else "declared"
    assignment.conflict_note = data.note
    assignment.declared_at = calls.now()
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="assignment",
        object_id=assignment_id,
        action="conflict" if data.has_conflict else "no_conflict",
        municipality_id=assignment.municipality_id,
        before={"status": before},
        after={"status": assignment.status, "note": data.note},
    )
    if data.has_conflict:
        await session.execute(
            delete(CriterionScore).where(col(CriterionScore.assignment_id) == assignment_id)
        )
        call = await session.get(GrantCall, assignment.call_id)
        assert call is not None
        await _replan(session, call, await _committee(session, assignment.call_id))
    return assignment


async def save_scores(
    session: AsyncSession, user: CurrentUser, assignment_id: int, data: ScoresIn
) -> Assignment:
    """Save (draft) scores: each 0..max of its criterion, in halves; unknown criteria and
    scoring without a declaration are refused and change nothing."""
    assignment = await _my_assignment(session, user, assignment_id)
    if assignment.status == "assigned":
        raise Forbidden(_("Declare whether you have a conflict of interest first."))
    if assignment.status != "declared":
        raise Conflict(_("These scores are final or the assignment is closed."))
    call = await session.get(GrantCall, assignment.call_id)
    assert call is not None
    maxima = {c["key"]: Decimal(str(c["max_score"])) for c in call.criteria}
    errors: dict[str, str] = {}
    for key, value in data.scores.items():
        if key not in maxima:
            errors[f"scores.{key}"] = _("This call has no such criterion.")
        elif value < 0 or value > maxima[key] or (value * 2) % 1 != 0:
            errors[f"scores.{key}"] = _("A score is from 0 to {max}, in halves.").format(
                max=maxima[key]
            )
    errors |= {
        f"comments.{key}": _("This call has no such criterion.")
        for key in data.comments
        if key not in maxima
    }
    if errors:
        raise InvalidInput(errors)
    for key, value in data.scores.items():
        await session.execute(
            insert(CriterionScore)
            .values(
                assignment_id=assignment_id,
                criterion_key=key,
                score=value,
                comment=data.comments.get(key, ""),
            )
            .on_conflict_do_update(
                index_elements=["assignment_id", "criterion_key"],
                set_={"score": value, "comment": data.comments.get(key, "")},
            )
        )
    return assignment


async def submit_scores(session: AsyncSession, user: CurrentUser, assignment_id: int) -> Assignment:
    """Make the scores final: 422 naming every criterion still without a score."""
    assignment = await ready_to_submit(session, user, assignment_id)
    assignment.status = "submitted"
    assignment.submitted_at = calls.now()
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="assignment",
        object_id=assignment_id,
        action="submit_scores",
        municipality_id=assignment.municipality_id,
    )
    return assignment


async def ready_to_submit(
    session: AsyncSession, user: CurrentUser, assignment_id: int
) -> Assignment:
    """The assignment if its scores may be made final (what `submit_scores` checks, so the
    page asks for confirmation only of what would pass); 409 or 422 otherwise."""
    assignment = await _my_assignment(session, user, assignment_id)
    if assignment.status != "declared":
        raise Conflict(_("Only declared assignments with scores can be submitted."))
    call = await session.get(GrantCall, assignment.call_id)
    assert call is not None
    scored = set(
        (
            await session.scalars(
                select(col(CriterionScore.criterion_key)).where(
                    col(CriterionScore.assignment_id) == assignment_id
                )
            )
        ).all()
    )
    missing = [c["key"] for c in call.criteria if c["key"] not in scored]
    if missing:
        raise InvalidInput(
            {f"scores.{key}": _("Give a score for this criterion.") for key in missing}
        )
    return assignment


async def reopen(session: AsyncSession, user: CurrentUser, assignment_id: int) -> Assignment:
    """The officer reopens submitted scores (audited)."""
    assignment = await session.scalar(
        select(Assignment).where(col(Assignment.id) == assignment_id).with_for_update()
    )
    if assignment is None:
        raise NotFound()
    await calls.managed_call(session, user, assignment.call_id)
    if assignment.status != "submitted":
        raise Conflict(_("Only submitted scores can be reopened."))
    assignment.status = "declared"
    assignment.submitted_at = None
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="assignment",
        object_id=assignment_id,
        action="reopen",
        municipality_id=assignment.municipality_id,
    )
    return assignment


async def my_assignments(session: AsyncSession, user: CurrentUser) -> list[AssignmentRead]:
    rows = (
        await session.execute(
            select(Assignment, Application, GrantCall, col(User.full_name))
            .join(Application, col(Application.id) == col(Assignment.application_id))
            .join(GrantCall, col(GrantCall.id) == col(Assignment.call_id))
            .join(User, col(User.id) == col(Application.applicant_id))
            .where(col(Assignment.evaluator_id) == user.id)
            .order_by(col(Assignment.id))
        )
    ).all()
    scores = await _scores(session, [a.id for a, *_rest in rows if a.id is not None])
    return [_read(a, application, call, name, scores) for a, application, call, name in rows]


async def _scores(
    session: AsyncSession, assignment_ids: list[int]
) -> dict[int, list[CriterionScore]]:
    found: dict[int, list[CriterionScore]] = defaultdict(list)
    for row in await session.scalars(
        select(CriterionScore).where(col(CriterionScore.assignment_id).in_(assignment_ids))
    ):
        found[row.assignment_id].append(row)
    return found


def _read(
    assignment: Assignment,
    application: Application,
    call: GrantCall,
    applicant_name: str,
    scores: dict[int, list[CriterionScore]],
) -> AssignmentRead:
    """What an evaluator sees: nothing of the application before declaring no conflict;
    no applicant's name when the review is blind."""
    visible = assignment.status in ("declared", "submitted")
    mine = scores.get(assignment.id or 0, [])
    return AssignmentRead(
        id=assignment.id or 0,
        call_id=assignment.call_id,
        application_id=assignment.application_id,
        status=assignment.status,
        project_title=application.project_title if visible else None,
        applicant_name=applicant_name if visible and not call.blind_review else None,
        scores={s.criterion_key: s.score for s in mine},
        comments={s.criterion_key: s.comment for s in mine if s.comment},
    )


# --- the ranking ----------------------------------------------------------------------------


def _fraction(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


@dataclass(frozen=True)
class CallOutcomes:
    outcomes: rules.Outcomes
    candidates: dict[int, rules.Candidate]
    criteria: list[rules.Criterion]


@dataclass(frozen=True)
class WhatIf:
    """Settings the officer tries instead of the call's own (the what-if panel); None keeps
    the call's value. Shaped like the call's columns: the share is a fraction (0.3 for 30 %),
    points out of 100; `group_bonuses` replaces the points of the groups it names."""

    budget_kop: int | None = None
    women_led_budget_share: Decimal | None = None
    threshold: Decimal | None = None
    women_led_bonus: Decimal | None = None
    green_bonus: Decimal | None = None
    group_bonuses: Mapping[str, Decimal] | None = None


NO_CHANGE = WhatIf()


def _either(tried: Any, own: Any) -> Any:
    return own if tried is None else tried


async def call_outcomes(
    session: AsyncSession, call: GrantCall, what_if: WhatIf = NO_CHANGE
) -> CallOutcomes:
    """The call's applications scored, ranked and selected by the rules, read in two
    queries (the score sheets put together by PostgreSQL). `what_if` replaces some of the
    call's settings for a simulation; nothing is written either way."""
    criteria = [
        rules.Criterion(c["key"], _fraction(c["weight"]), _fraction(c["max_score"]))
        for c in call.criteria
    ]
    p, w = call.priorities, what_if
    group_bonuses = {**(p.get("group_bonuses") or {}), **(w.group_bonuses or {})}
    priorities = rules.Priorities(
        women_led_bonus=_fraction(_either(w.women_led_bonus, p.get("women_led_bonus", 10))),
        green_bonus=_fraction(_either(w.green_bonus, p.get("green_bonus", 10))),
        women_led_budget_share=_fraction(
            _either(w.women_led_budget_share, p.get("women_led_budget_share", 0))
        ),
        group_bonuses={k: _fraction(v) for k, v in group_bonuses.items()},
    )
    # Each complete submitted score sheet as half points in the order of the criteria's keys
    # (byte order, as Python sorts them), gathered per application by PostgreSQL as an
    # int[][]: integer arrays travel without any JSON to parse.
    keys = sorted(c.key for c in criteria)
    halves = cast(col(CriterionScore.score) * 2, Integer)
    position = col(CriterionScore.criterion_key).collate("C")
    sheet = (
        sa_select(
            col(Assignment.application_id).label("application_id"),
            func.array_agg(aggregate_order_by(halves, position)).label("halves"),
        )
        .join(CriterionScore, col(CriterionScore.assignment_id) == col(Assignment.id))
        .where(
            col(Assignment.call_id) == call.id,
            col(Assignment.status) == "submitted",
            col(CriterionScore.criterion_key).in_(keys),
        )
        .group_by(col(Assignment.id))
        .having(func.count() == len(keys))
        .subquery()
    )
    # Core execution: plain rows, without the ORM's per-row bookkeeping.
    connection = await session.connection()
    sheets: dict[int, list[list[int]]] = dict(
        (
            await connection.execute(
                sa_select(sheet.c.application_id, func.array_agg(sheet.c.halves)).group_by(
                    sheet.c.application_id
                )
            )
        ).all()
    )
    # Only the columns the rules need: a large call's snapshots stay in the database.
    groups: ColumnElement[list[str]] = literal_column(
        "ARRAY(SELECT jsonb_array_elements_text(application.snapshot -> 'declared_groups'))"
    )
    rows = (
        await connection.execute(
            sa_select(
                col(Application.id),
                col(Application.submitted_at),
                col(Application.requested_amount_kop),
                col(Application.women_led),
                col(Application.green_level),
                groups,
            ).where(col(Application.call_id) == call.id, col(Application.status).in_(RANKED))
        )
    ).all()
    candidates = [
        rules.Candidate(
            application_id=app_id or 0,
            submitted_at=at or calls.now(),
            requested_kop=requested or 0,
            eligible=True,
            women_led=bool(women),
            green_level=green or "none",
            declared_groups=tuple(declared),
            evaluations=tuple(
                dict(zip(keys, one, strict=True)) for one in sheets.get(app_id or 0, ())
            ),
        )
        for app_id, at, requested, women, green, declared in rows
    ]
    outcomes = rules.rank_and_select(
        candidates,
        criteria,
        priorities,
        _fraction(_either(w.threshold, call.threshold)),
        _either(w.budget_kop, call.budget_kop),
    )
    return CallOutcomes(outcomes, {c.application_id: c for c in candidates}, criteria)


async def ranking(
    session: AsyncSession, user: CurrentUser, call_id: int, *, limit: int = 50, offset: int = 0
) -> RankingRead:
    """Score, rank and select the call's applications by rules.rank_and_select, from one
    query of applications and one of submitted scores. The whole call is ranked and
    selected; the items (with their explanations) are the requested page of that order."""
    call = await calls.managed_call(session, user, call_id)
    found = await call_outcomes(session, call)
    outcomes, by_id = found.outcomes, found.candidates
    order = outcomes.ranked_ids + sorted(set(by_id) - set(outcomes.ranked_ids))
    return RankingRead(
        items=[ranking_item(found, call, i) for i in order[offset : offset + limit]],
        total=len(order),
        limit=limit,
        offset=offset,
        budget_kop=call.budget_kop,
        reserved_kop=outcomes.selection.reserved_kop,
        recommended_kop=outcomes.selection.recommended_kop,
    )


def ranking_item(found: CallOutcomes, call: GrantCall, application_id: int) -> RankingItem:
    """One application's scores, outcome and explanation (in the current language)."""
    outcomes = found.outcomes
    result = outcomes.scores[application_id]
    decision = outcomes.decisions[application_id]
    lines = rules.explanation(
        result,
        decision,
        found.criteria,
        {c["key"]: criterion_name(c, current_locale.get()) for c in call.criteria},
        green_level=found.candidates[application_id].green_level,
        ranked_total=len(outcomes.ranked_ids),
    )
    return RankingItem(
        application_id=application_id,
        rank=decision.rank,
        base=result.base if result else None,
        bonus_women=result.bonus_women if result else None,
        bonus_green=result.bonus_green if result else None,
        bonus_other=result.bonus_other if result else {},
        final=result.final if result else None,
        fundable=bool(result and result.fundable),
        divergent=bool(result and result.divergent),
        outcome=decision.outcome,
        explanation=[
            _(line.message).format(**in_language(line.params, current_locale.get()))
            for line in lines
        ],
    )
