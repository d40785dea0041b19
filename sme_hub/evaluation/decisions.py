"""The officer's part after the scores: the recommendation (each ranked application
recommended, on the reserve list or not selected) and the decisions, whose approved sum
PostgreSQL keeps within the call's budget however many are made at once."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core import audit, transitions
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import LOCALES, _, format_money
from sme_hub.core.queries import ensure_belongs
from sme_hub.core.roles import CurrentUser
from sme_hub.evaluation import progress, selection_rules, service
from sme_hub.evaluation.schemas import DecisionIn, DecisionRead
from sme_hub.evaluation.service import call_outcomes
from sme_hub.grants import applications, calls
from sme_hub.grants import rules as grant_rules
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.rules import criterion_name
from sme_hub.implementation import grants as implementation_grants

DECIDABLE = grant_rules.DECIDABLE


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
    outcomes = found.outcomes
    # Both names: the applicant reads the explanation later in their own language.
    names = {c["key"]: {lang: criterion_name(c, lang) for lang in LOCALES} for c in call.criteria}
    moves: dict[str, list[int]] = {}
    rows = await session.scalars(
        select(Application).where(
            col(Application.call_id) == call_id,
            col(Application.status).in_(grant_rules.RECOMMENDABLE),
        )
    )
    for application in rows:
        decision = outcomes.decisions.get(application.id or 0)
        if decision is None:
            continue
        application.rank = decision.rank
        # Kept as msgids with values: the applicant reads it later in their own language.
        lines = selection_rules.explanation(
            outcomes.scores[application.id or 0],
            decision,
            found.criteria,
            names,
            green_level=found.candidates[application.id or 0].green_level,
            ranked_total=len(outcomes.ranked_ids),
        )
        application.explanation = [{"message": x.message, "params": x.params} for x in lines]
        moves.setdefault(decision.outcome, []).append(application.id or 0)
    await session.flush()
    # One guarded UPDATE per outcome; audited once, below, on the call with the counts.
    for outcome, ids in moves.items():
        await transitions.transition_many(
            session,
            grant_rules.APPLICATION,
            Application,
            grant_rules.RECOMMENDATION_ACTIONS[outcome],
            col(Application.id).in_(ids),
            user=user,
        )
    counts = {outcome: len(ids) for outcome, ids in moves.items()}
    await audit.record(
        session,
        user,
        "grant_call",
        call,
        "recommendation",
        after={"counts": counts, "recommended_kop": found.outcomes.selection.recommended_kop},
    )
    return counts


async def decide(
    session: AsyncSession,
    user: CurrentUser,
    application_id: int,
    data: DecisionIn,
    *,
    settings: Settings,
) -> Application:
    """Approve (an amount up to the request, within what is left of the budget) or reject a
    recommended or reserve application, with a decision reference. An approval plans the
    grant's tranches and obligations; the applicant is emailed; the call is `decided` once
    no recommended or reserve application is left (the not selected are told then)."""
    call, application, amount = await _decidable(session, user, application_id, data)
    if data.decision == "approved":
        await _take_from_budget(session, call, amount)
    application.awarded_kop = amount or None
    application.decision_reference = data.reference
    application.decision_note = data.note
    application.decided_by = user.id
    application.decided_at = calls.now()
    await transitions.transition(
        session,
        grant_rules.APPLICATION,
        application,
        data.decision,
        user=user,
        after={"amount_kop": amount, "reference": data.reference},
    )
    if data.decision == "approved":
        await implementation_grants.start(
            session, application, implementation_grants.today_in_kyiv()
        )
    await _tell_applicant(session, application, call, settings)
    await _close_decisions(session, user, call, settings)
    return application


async def decision_read(
    session: AsyncSession,
    user: CurrentUser,
    application_id: int,
    data: DecisionIn,
    *,
    settings: Settings,
) -> DecisionRead:
    """`decide`, answered as the API shows it: with what is left of the call's budget."""
    decided = await decide(session, user, application_id, data, settings=settings)
    call = await session.get(GrantCall, decided.call_id)
    assert call is not None
    return DecisionRead(
        application_id=application_id,
        status=decided.status,
        awarded_kop=decided.awarded_kop,
        reference=decided.decision_reference,
        remaining_kop=call.budget_kop - call.approved_kop,
    )


async def decide_in_call(
    session: AsyncSession,
    user: CurrentUser,
    call_id: int,
    application_id: int,
    data: DecisionIn,
    *,
    settings: Settings,
) -> Application:
    """`decide` from the call's page: another call's application is not found."""
    await _check_in_call(session, call_id, application_id)
    return await decide(session, user, application_id, data, settings=settings)


async def check_decision_in_call(
    session: AsyncSession, user: CurrentUser, call_id: int, application_id: int, data: DecisionIn
) -> None:
    """`check_decision` from the call's page: another call's application is not found."""
    await _check_in_call(session, call_id, application_id)
    await check_decision(session, user, application_id, data)


async def decision_page(
    session: AsyncSession, user: CurrentUser, call_id: int, application_id: int
) -> dict[str, Any]:
    """What the decision page shows: the officer's call (another municipality's is not
    found), its application (another call's is not found), its place in the ranking while it
    is ranked, and what is left of the budget."""
    call = await calls.managed_call(session, user, call_id)
    application = await session.get(Application, application_id)
    if application is None or application.call_id != call_id:
        raise NotFound()
    # Other approvals may have been made since this request's first read of the call.
    await session.refresh(call)
    item = None
    if application.status in service.RANKED:  # not the ineligible or withdrawn
        item = service.ranking_item(await call_outcomes(session, call), call, application_id)
    rows = await progress.rows_of(session, call_id, [application_id])
    return {
        "call": call,
        "application": application,
        "row": rows[application_id],
        "item": item,
        "decidable": application.status in DECIDABLE,
        "remaining_kop": call.budget_kop - call.approved_kop,
    }


async def open_decision_page(
    session: AsyncSession, user: CurrentUser, call_id: int, application_id: int
) -> dict[str, Any]:
    """`decision_page` as the officer opens it: reading the applicant's business and project
    is logged."""
    view = await decision_page(session, user, call_id, application_id)
    application = view["application"]
    await audit.record_access(
        session,
        user,
        "application",
        application,
        owner_id=application.applicant_id,
        details={"as": "decision"},
    )
    return view


async def _check_in_call(session: AsyncSession, call_id: int, application_id: int) -> None:
    """404 unless the application belongs to this call (decide() checks the tenancy). Only
    a column is read: decide() locks and loads the call and the application itself."""
    await ensure_belongs(
        session, col(Application.call_id), col(Application.id) == application_id, call_id
    )


async def check_decision(
    session: AsyncSession, user: CurrentUser, application_id: int, data: DecisionIn
) -> None:
    """Raise what `decide` would refuse, changing nothing: the page asks to confirm only a
    decision that would be recorded."""
    call, _application, amount = await _decidable(session, user, application_id, data)
    if data.decision == "approved":
        approved = await session.scalar(
            select(col(GrantCall.approved_kop)).where(col(GrantCall.id) == call.id)
        )
        if (approved or 0) + amount > call.budget_kop:
            raise _over_budget(call.budget_kop - (approved or 0))


async def _decidable(
    session: AsyncSession, user: CurrentUser, application_id: int, data: DecisionIn
) -> tuple[GrantCall, Application, int]:
    """The call and the application under their row locks, and the amount to award, if the
    application may be decided so."""
    call_id = await session.scalar(
        select(col(Application.call_id)).where(col(Application.id) == application_id)
    )
    if call_id is None:
        raise NotFound()
    # The call's row first, then the application's: decisions on one call take turns, so
    # the last one sees every other and marks the call decided.
    call = await calls.managed_call(session, user, call_id, lock=True)
    application = await session.scalar(
        select(Application)
        .where(col(Application.id) == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert application is not None
    if application.status not in DECIDABLE:
        raise Conflict(
            _("Only recommended or reserve applications are decided; this one is {status}.").format(
                status=grant_rules.APPLICATION.label(application.status)
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
    return call, application, amount


async def _tell_applicant(
    session: AsyncSession, application: Application, call: GrantCall, settings: Settings
) -> None:
    await applications.tell_applicant(
        session,
        settings,
        application,
        call,
        "application_decided",
        status=application.status,
        amount=application.awarded_kop,
        reference=application.decision_reference,
        note=application.decision_note,
    )


async def _close_decisions(
    session: AsyncSession, user: CurrentUser, call: GrantCall, settings: Settings
) -> None:
    """The call is decided when the last recommended or reserve application is; those not
    selected hear it then, with their explanation."""
    pending = await session.scalar(
        select(col(Application.id))
        .where(col(Application.call_id) == call.id, col(Application.status).in_(DECIDABLE))
        .limit(1)
    )
    if pending is not None or grant_rules.CALL.next_state(call.status, "decided") is None:
        return
    await transitions.transition(session, grant_rules.CALL, call, "decided", user=user)
    for application in await session.scalars(
        select(Application).where(
            col(Application.call_id) == call.id, col(Application.status) == "not_selected"
        )
    ):
        await _tell_applicant(session, application, call, settings)


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
    if taken is not None:
        set_committed_value(call, "approved_kop", taken)
        return
    approved = await session.scalar(
        select(col(GrantCall.approved_kop)).where(col(GrantCall.id) == call.id)
    )
    raise _over_budget(call.budget_kop - (approved or 0))


def _over_budget(remaining: int) -> Conflict:
    return Conflict(
        _("This approval would exceed the call's budget: {remaining} is left.").format(
            remaining=format_money(remaining)
        ),
        extra={"remaining_kop": remaining},
    )
