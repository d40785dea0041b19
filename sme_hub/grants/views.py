"""What the grant pages show, loaded for the acting user: each function takes the ids the
page names and returns the values its template uses (tenancy and visibility checked here,
by the services it calls)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.errors import InvalidInput, NotFound
from sme_hub.core.i18n import _, current_locale, format_datetime_kyiv, pick
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.trail_access import may_read as may_read_trail
from sme_hub.entrepreneurs import clients
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.entrepreneurs.service import GREEN_LEVEL_LABELS
from sme_hub.grants import (
    application_reads,
    applications,
    attachments,
    calls,
    display,
    eligibility,
    explain,
    forms,
    overview,
    rules,
    schemas,
    screening,
)
from sme_hub.grants import call_partners as call_partner_offers
from sme_hub.grants.models import Application, GrantCall
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality
from sme_hub.partners import rules as partner_rules
from sme_hub.training.models import Programme

OFFICER = Role.MUNICIPAL_OFFICER
STAFF_ROLES = (Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER)
STATUS_FILTERS = {"open": "published", "closed": "closed"}


async def _call_of(session: AsyncSession, application: Application) -> GrantCall:
    call = await session.get(GrantCall, application.call_id)
    assert call is not None
    return call


# --- public ---------------------------------------------------------------------------------


async def call_list(
    session: AsyncSession,
    user: CurrentUser | None,
    values: dict[str, Any],
    *,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The calls anyone may see, open ones first, with the municipalities to filter by."""
    chosen = values["municipality_id"]
    rows, total = await calls.list_calls(
        session,
        user,
        status=STATUS_FILTERS.get(values["status"] or ""),
        municipality_id=chosen,
        limit=limit,
        offset=offset,
    )
    shown = sorted((calls.to_read(c) for c in rows), key=lambda c: c.status != "published")
    municipalities, _total = await organisations.list_municipalities(session)
    return {
        "calls": shown,
        "total": total,
        "municipalities": municipalities,
        "names": {m.id: pick(m, "name") for m in municipalities},
        "labels": schemas,
    }


async def call_page(
    session: AsyncSession, user: CurrentUser | None, call_id: int
) -> dict[str, Any]:
    """One call's rules in plain words, and what stops the visitor from applying."""
    call = await calls.get_call(session, user, call_id)
    municipality = await session.get(Municipality, call.municipality_id)
    assert municipality is not None
    programme_id = call.eligibility.get("required_programme_id")
    programme = await session.get(Programme, programme_id) if programme_id else None
    locale = current_locale.get()
    window = rules.call_window(call.status, call.opens_at, call.closes_at, calls.now())
    can_apply = bool(user and user.has_role(Role.ENTREPRENEUR))
    mine = await live_application(session, user, call_id)
    blockers = (
        await eligibility.blockers(session, user.id, call)
        if user and can_apply and window == "open" and mine is None
        else []
    )
    partners = await call_partner_offers.call_partners(session, call_id)
    return {
        "call": calls.to_read(call),
        "title": pick(call, "title", locale),
        "description": pick(call, "description", locale),
        "municipality": pick(municipality, "name"),
        "eligibility": explain.eligibility_sentences(
            call, pick(municipality, "name"), programme.title if programme else None
        ),
        "priorities": explain.priority_sentences(call),
        "window": window,
        "can_apply": can_apply,
        "mine": mine,
        "blockers": [(p.field, eligibility.problem_text(p)) for p in blockers],
        "number": explain.points_text,
        "labels": schemas,
        "partners": [(offer, p) for offer, p in partners if p.is_active],
        "partner_labels": partner_rules,
    }


async def live_application(
    session: AsyncSession, user: CurrentUser | None, call_id: int
) -> Application | None:
    """The user's application to the call that is not withdrawn, if any."""
    if user is None:
        return None
    mine = await application_reads.my_applications(session, user)
    return next((a for a, c in mine if c.id == call_id and a.status != "withdrawn"), None)


# --- the applicant --------------------------------------------------------------------------


async def my_applications(session: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    rows = await application_reads.my_applications(session, user)
    locale = current_locale.get()
    return {"rows": [(a, pick(c, "title", locale)) for a, c in rows], "labels": schemas}


async def save_form(
    session: AsyncSession, user: CurrentUser, application_id: int, data: dict[str, Any]
) -> tuple[Application, dict[str, str]]:
    """Save the valid fields of a posted form; the problems of the others come back."""
    application = await applications.get_application(session, user, application_id)
    call = await _call_of(session, application)
    fields, errors = forms.from_form(data, [q["key"] for q in call.questions])
    if not fields:
        return application, errors
    valid, invalid = forms.validate_partly(fields)
    errors.update(invalid)
    for _attempt in range(3):  # the service may refuse a field the schema let through
        try:
            return await applications.update_draft(session, user, application_id, valid), errors
        except InvalidInput as exc:
            errors.update(exc.errors)
            valid = forms.without(valid, exc.errors)
    return application, errors


async def autosaved(
    session: AsyncSession,
    user: CurrentUser,
    application: Application,
    data: dict[str, Any],
    errors: dict[str, str],
) -> dict[str, Any]:
    """The htmx answer to an autosave: when it was saved, which fields have problems."""
    call = await _call_of(session, application)
    keys = [q["key"] for q in call.questions]
    return {
        "saved_at": format_datetime_kyiv(application.updated_at, "HH:mm"),
        "errors": display.shown_errors(errors),
        "fields": sorted(display.field_ids(keys, len(display.typed_rows(data))) - {"file"}),
        "application": await application_reads.read(session, user, application),
        "labels": schemas,
    }


async def application_page(
    session: AsyncSession, user: CurrentUser, application_id: int
) -> tuple[Application, dict[str, Any] | None]:
    """An application: None for a draft the user may edit (the form shows it), else the
    values of the page that shows it."""
    application = await applications.get_application(session, user, application_id)
    if applications.can_edit(user, application):
        return application, None
    call = await _call_of(session, application)
    return application, {
        "application": await application_reads.read(session, user, application),
        "call_title": pick(call, "title"),
        "can_withdraw": application.applicant_id == user.id
        and application.status in ("draft", "submitted"),
        "size": display.size_text,
        "labels": schemas,
    }


async def withdraw_question(
    session: AsyncSession, user: CurrentUser, application_id: int
) -> dict[str, Any] | None:
    """The confirmation to ask before the applicant withdraws, or None when withdrawing is
    not theirs to do (the service then says why)."""
    application = await applications.get_application(session, user, application_id)
    mine = application.applicant_id == user.id
    if mine and rules.APPLICATION.next_state(application.status, "withdraw"):
        return display.withdraw_confirmation(application.project_title)
    return None


async def application_form(
    session: AsyncSession,
    user: CurrentUser,
    application: Application,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    rows: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The draft's form: saved values, or what was typed when there are problems."""
    call = await _call_of(session, application)
    keys = [q["key"] for q in call.questions]
    values = display.application_values(application)
    if data is not None:
        values = display.shown_values(data, values, keys)
    if rows is not None:
        values["budget_lines"] = rows
    shown = display.shown_errors(errors or {})
    locale = current_locale.get()
    questions = [{**q, "label": pick(q, "label", locale)} for q in call.questions]
    labels = {f"answers.{q['key']}": q["label"] for q in questions} | {
        f"screening.{key}": _(text) for key, text in schemas.SCREENING_LABELS.items()
    }
    order = display.form_order(keys, len(values["budget_lines"]))
    return {
        "application": await application_reads.read(session, user, application),
        "call": calls.to_read(call),
        "call_title": pick(call, "title", locale),
        "questions": questions,
        "values": values,
        "errors": shown,
        "summary": display.summary(shown, order, labels),
        "added_row": str((data or {}).get("_line")) == "add",
        "closing": application_reads.closing_text(call),
        "can_withdraw": application.applicant_id == user.id,
        "labels": schemas,
        "screening_questions": rules.SCREENING_QUESTIONS,
        "max_files": attachments.MAX_FILES,
        "number": explain.points_text,
        "size": display.size_text,
    }


# --- centre staff ---------------------------------------------------------------------------


async def staff_calls(session: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    entries = await overview.calls_with_counts(session, user, *STAFF_ROLES, include_drafts=False)
    return {
        "entries": entries,
        "explain": explain,
        "labels": schemas,
        "can_assist": user.has_role(Role.CENTRE_STAFF),
    }


async def screening_list(
    session: AsyncSession,
    user: CurrentUser,
    call_id: int,
    filters: screening.ScreeningFilters,
    *,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A call's submitted applications as the filters find them, a page of them."""
    call = await screening.staff_call(session, user, call_id)
    rows, total = await screening.list_applications(
        session, user, call_id, filters, limit=limit, offset=offset
    )
    return {
        "call": call,
        "rows": rows,
        "total": total,
        "filters": filters,
        "query": display.filters_query(filters),
        "limit": limit,
        "offset": offset,
        "explain": explain,
        "labels": schemas,
        "green_levels": GREEN_LEVEL_LABELS,
    }


async def staff_application(
    session: AsyncSession, user: CurrentUser, application_id: int
) -> dict[str, Any]:
    """One submitted application for staff of its municipality (the access is audited):
    its files, the business as it was at submission, the eligibility decision."""
    application = await applications.get_application(session, user, application_id)
    duplicates = await screening.staff_view(session, user, application)
    if application.status == "draft":
        raise NotFound()  # staff see drafts only through assisted filing
    call = await _call_of(session, application)
    snapshot = application.snapshot or {}
    return {
        "application": application,
        "read": await application_reads.read(session, user, application, duplicates=duplicates),
        "call": call,
        "business": snapshot,
        "tax_id": display.masked_tax_id(snapshot),
        "location": await _location(session, snapshot),
        "legal_form": display.label(LEGAL_FORM_LABELS, snapshot.get("legal_form")),
        "green_level": display.label(GREEN_LEVEL_LABELS, application.green_level),
        "can_decide": user.has_role(Role.CENTRE_STAFF) or user.is_admin,
        "can_see_history": may_read_trail(user, application.municipality_id),
        "explain": explain,
        "labels": schemas,
        "locale": current_locale.get(),
    }


async def _location(session: AsyncSession, snapshot: dict[str, Any]) -> str:
    """Where the business was registered at submission: its community and KATOTTG code."""
    code = str(snapshot.get("katottg") or "")
    municipality_id = snapshot.get("municipality_id")
    found = (
        await session.get(Municipality, municipality_id)
        if isinstance(municipality_id, int)
        else None
    )
    if found is None:
        return code or "—"
    name = pick(found, "name")
    return f"{name} ({code})" if code else name


async def assist_choices(session: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    """The open calls and the clients a staff member may prepare an application for."""
    entries = await overview.calls_with_counts(
        session, user, Role.CENTRE_STAFF, include_drafts=False
    )
    return {
        "calls": [e.call for e in entries if explain.is_open(e.call)],
        "clients": await clients.assistable_clients(session, user),
        "explain": explain,
    }
