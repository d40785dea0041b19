"""Scores: an evaluator scores, submits and (with the officer) reopens an assignment."""

from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import transitions
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.queries import ensure_belongs
from sme_hub.core.roles import CurrentUser
from sme_hub.evaluation import rules
from sme_hub.evaluation.committee import _my_assignment
from sme_hub.evaluation.models import Assignment, CriterionScore
from sme_hub.evaluation.schemas import ScoresIn
from sme_hub.grants import calls
from sme_hub.grants.models import GrantCall


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
    await transitions.transition(
        session,
        rules.ASSIGNMENT,
        assignment,
        "submit_scores",
        user=user,
        values={"submitted_at": calls.now()},
        refused=_("Only declared assignments with scores can be submitted."),
    )
    return assignment


async def ready_to_submit(
    session: AsyncSession, user: CurrentUser, assignment_id: int
) -> Assignment:
    """The assignment if its scores may be made final (what `submit_scores` checks, so the
    page asks for confirmation only of what would pass); 409 or 422 otherwise."""
    assignment = await _my_assignment(session, user, assignment_id)
    if rules.ASSIGNMENT.next_state(assignment.status, "submit_scores") is None:
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
    await transitions.transition(
        session,
        rules.ASSIGNMENT,
        assignment,
        "reopen",
        user=user,
        values={"submitted_at": None},
        refused=_("Only submitted scores can be reopened."),
    )
    return assignment


async def reopen_in_call(
    session: AsyncSession, user: CurrentUser, call_id: int, assignment_id: int
) -> Assignment:
    """`reopen` from the call's page: another call's sheet is not found (and not reopened)."""
    await ensure_belongs(
        session, col(Assignment.call_id), col(Assignment.id) == assignment_id, call_id
    )
    return await reopen(session, user, assignment_id)
