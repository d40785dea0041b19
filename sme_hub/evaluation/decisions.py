"""The officer's part after the scores: the recommendation (each ranked application
recommended, on the reserve list or not selected) and the decisions, whose approved sum
PostgreSQL keeps within the call's budget however many are made at once."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit
from sme_hub.core.auth import CurrentUser
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import _, format_money
from sme_hub.evaluation.schemas import DecisionIn
from sme_hub.evaluation.service import call_outcomes
from sme_hub.grants import calls
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.schemas import APPLICATION_STATUS_LABELS

DECIDABLE = ("recommended", "reserve")


async def recommend(session: AsyncSession, user: CurrentUser, call_id: int) -> dict[str, int]:
    """Store the selection on the applications under evaluation (status and rank); it may be
    run again until the first decision."""
    call = await calls.managed_call(session, user, call_id, lock=True)
    if call.status != "in_evaluation":
        raise Conflict(_("The recommendation is made while the call is in evaluation."))
    decided = await session.scalar(
        select(col(Application.id)).where(
            col(Application.call_id) == call_id, col(Application.decided_at).is_not(None)
        )
    )
    if decided is not None:
        raise Conflict(_("Decisions have been made: the recommendation can no longer change."))
    found = await call_outcomes(session, call)
    counts: dict[str, int] = {}
    rows = await session.scalars(
        select(Application).where(
            col(Application.call_id) == call_id,
            col(Application.status).in_(("under_evaluation", *DECIDABLE, "not_selected")),
        )
    )
    for application in rows:
        decision = found.outcomes.decisions.get(application.id or 0)
        if decision is None:
            continue
        application.status = decision.outcome
        application.rank = decision.rank
        counts[decision.outcome] = counts.get(decision.outcome, 0) + 1
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant_call",
        object_id=call_id,
        action="recommendation",
        municipality_id=call.municipality_id,
        after={"counts": counts, "recommended_kop": found.outcomes.selection.recommended_kop},
    )
    return counts


async def decide(
    session: AsyncSession, user: CurrentUser, application_id: int, data: DecisionIn
) -> Application:
    """Approve (an amount up to the request, within what is left of the budget) or reject a
    recommended or reserve application, with a decision reference."""
    application = await session.scalar(
        select(Application).where(col(Application.id) == application_id).with_for_update()
    )
    if application is None:
        raise NotFound()
    call = await calls.managed_call(session, user, application.call_id)
    if application.status not in DECIDABLE:
        raise Conflict(
            _("Only recommended or reserve applications are decided; this one is {status}.").format(
                status=_(APPLICATION_STATUS_LABELS[application.status])
            )
        )
    amount = 0
    if data.decision == "approved":
        amount = data.amount_kop or application.requested_amount_kop or 0
        if amount > (application.requested_amount_kop or 0):
            raise InvalidInput(
                {
                    "amount_kop": _(
                        "The amount cannot be more than the {requested} requested."
                    ).format(requested=format_money(application.requested_amount_kop))
                }
            )
        await _take_from_budget(session, call, amount)
    application.status = data.decision
    application.awarded_kop = amount or None
    application.decision_reference = data.reference
    application.decision_note = data.note
    application.decided_by = user.id
    application.decided_at = calls.now()
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="application",
        object_id=application_id,
        action=data.decision,
        municipality_id=application.municipality_id,
        after={"amount_kop": amount, "reference": data.reference},
    )
    return application


async def _take_from_budget(session: AsyncSession, call: GrantCall, amount: int) -> None:
    """One guarded UPDATE: it adds the amount only while the sum stays within the budget, so
    simultaneous approvals queue on the call's row and none can overspend."""
    taken = await session.scalar(
        update(GrantCall)
        .where(
            col(GrantCall.id) == call.id,
            col(GrantCall.approved_kop) + amount <= col(GrantCall.budget_kop),
        )
        .values(approved_kop=col(GrantCall.approved_kop) + amount)
        .returning(col(GrantCall.approved_kop))
    )
    if taken is None:
        approved = await session.scalar(
            select(col(GrantCall.approved_kop)).where(col(GrantCall.id) == call.id)
        )
        remaining = call.budget_kop - (approved or 0)
        raise Conflict(
            _("This approval would exceed the call's budget: {remaining} is left.").format(
                remaining=format_money(remaining)
            ),
            extra={"remaining_kop": remaining},
        )
