"""Submitting an application: the deadline by the database's clock, every failed rule at once,
then the business snapshot, the PDF copy and the confirmation email."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.config import Settings
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput
from sme_hub.core.i18n import KYIV, _, format_datetime_kyiv
from sme_hub.core.roles import CurrentUser
from sme_hub.core.storage import Storage, new_key
from sme_hub.core.transitions import transition
from sme_hub.entrepreneurs import rules as business_rules
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.entrepreneurs.schemas import LegalForm
from sme_hub.grants import (
    application_reads,
    applications,
    calls,
    documents,
    eligibility_rules,
    rules,
)
from sme_hub.grants.eligibility import applicant_facts, as_errors, call_rules
from sme_hub.grants.models import Application, GrantCall


async def locked_call_for_submission(
    session: AsyncSession, call_id: int
) -> tuple[GrantCall, datetime]:
    """The call under a share lock (closing it waits for the submissions in flight, and a
    submission after the close sees it closed) and the database's clock at that moment."""
    call = await session.scalar(
        select(GrantCall)
        .where(col(GrantCall.id) == call_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)  # fresh, not what was read before
    )
    assert call is not None
    clock = await session.scalar(select(func.clock_timestamp()))
    assert clock is not None
    return call, clock


def women_led_for_call(profile: BusinessProfile, call: GrantCall) -> bool:
    """Women-led by the call's own thresholds (product.md §4: they are settings of a call)."""
    thresholds = call.priorities.get("women_led_thresholds", {})
    owner_is_female = (
        business_rules.rnokpp_is_female(profile.tax_id)
        if profile.tax_id and profile.tax_id_kind == "rnokpp"
        else None
    )
    legal_form: LegalForm = profile.legal_form  # type: ignore[assignment]
    return business_rules.women_led(
        legal_form,
        [business_rules.Owner(o["gender"], Decimal(str(o["share_pct"]))) for o in profile.owners],
        [business_rules.Leader(x["role"], x["gender"]) for x in profile.leaders],
        thresholds=business_rules.WomenLedThresholds(
            Decimal(str(thresholds.get("ownership_pct", 51))),
            Decimal(str(thresholds.get("with_head_pct", 25))),
        ),
        owner_is_female=owner_is_female,
    ).women_led


async def submit(
    session: AsyncSession,
    user: CurrentUser,
    application_id: int,
    *,
    storage: Storage,
    settings: Settings,
) -> Application:
    """Submit a draft (the applicant only): 409 outside the call's window, 422 with every
    failed rule; on success the snapshot, the stored PDF copy and an email.

    The slow part (the PDF) is done before the call's share lock is taken, so an officer
    closing the call waits only for submissions that are about to commit; the window is
    checked again under the lock, by the database's clock."""
    application = await applications.get_application(session, user, application_id, lock=True)
    if application.applicant_id != user.id:
        raise Forbidden(_("Only the applicant can submit the application."))
    if application.status != "draft":
        raise Conflict(_("This application has already been submitted."))
    call = await session.get(GrantCall, application.call_id)
    assert call is not None
    clock = await session.scalar(select(func.clock_timestamp()))
    assert clock is not None
    _ensure_open(call, clock)
    profile = await entrepreneurs.get_profile(session, application.applicant_id)
    limits, eligibility = call_rules(call)
    today: date = clock.astimezone(KYIV).date()
    facts = await applicant_facts(
        session, application.applicant_id, call, profile, other_than=application.id
    )
    problems = eligibility_rules.submission_problems(
        application_reads.content_of(application), limits, eligibility, facts, today
    )
    if problems:
        raise InvalidInput(
            as_errors(problems),
            detail=_("The application cannot be submitted yet: see what needs attention."),
        )
    assert profile is not None
    application.snapshot = {**entrepreneurs.snapshot(profile), "profile_id": profile.id}
    application.women_led = women_led_for_call(profile, call)
    application.green_level = profile.green_level
    application.submitted_at = clock  # before the close, if the check under the lock passes
    owner = await session.get(User, application.applicant_id)
    assert owner is not None
    pdf = await documents.application_pdf(session, application, call, locale=owner.locale)
    key = new_key(f"applications/{application_id}", ".pdf")
    await storage.put(key, pdf)
    locked, locked_clock = await locked_call_for_submission(session, application.call_id)
    try:
        _ensure_open(locked, locked_clock)
    except Conflict:
        await storage.delete(key)  # the copy of a submission that did not happen
        raise
    application.pdf_key = key
    await transition(
        session,
        rules.APPLICATION,
        application,
        "submit",
        user=user,
        owner_id=application.applicant_id,
        values={"updated_at": calls.now()},
    )
    await applications.tell_applicant(
        session, settings, application, call, "application_submitted", number=application.id
    )
    return application


def _ensure_open(call: GrantCall, clock: datetime) -> None:
    """409 unless the call takes submissions at `clock`."""
    window = rules.call_window(call.status, call.opens_at, call.closes_at, clock)
    if window == "closed":
        raise Conflict(
            _("The call closed at {time} (Kyiv time); applications are no longer accepted.").format(
                time=format_datetime_kyiv(call.closed_at or call.closes_at, "d MMMM y, HH:mm")
            )
        )
    if window == "not_open":
        raise Conflict(
            _("The call opens for submissions at {time} (Kyiv time).").format(
                time=format_datetime_kyiv(call.opens_at, "d MMMM y, HH:mm")
            )
        )
