"""Centre staff screen the submitted applications of their municipality's calls: a searchable
list with possible duplicates flagged, exports, and the eligibility decision."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.config import Settings
from sme_hub.core import audit
from sme_hub.core.exports import AnyRow, Cell, Export, Statement, hryvnias
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import ensure_in_tenant
from sme_hub.core.transitions import transition
from sme_hub.entrepreneurs.service import GREEN_LEVEL_LABELS
from sme_hub.grants import application_reads, applications, attachments, calls, rules
from sme_hub.grants.models import Application, Attachment, GrantCall
from sme_hub.grants.schemas import (
    ApplicationRead,
    DuplicateMatch,
    EligibilityDecision,
    ScreeningRow,
)

NOT_SUBMITTED = ("draft", "withdrawn")
SCREENERS = (Role.CENTRE_STAFF,)


@dataclass(frozen=True)
class ScreeningFilters:
    q: str | None = None
    status: str | None = None
    women_led: bool | None = None
    green_level: str | None = None
    category: str | None = None
    duplicates: bool = False


def business_conditions(women_led: bool | None, green_level: str | None) -> list[Any]:
    """Applications of a women-led business (or not), of a green level; `None`/empty: any."""
    conditions: list[Any] = []
    if women_led is not None:
        conditions.append(col(Application.women_led).is_(women_led))
    if green_level:
        conditions.append(col(Application.green_level) == green_level)
    return conditions


async def staff_call(session: AsyncSession, user: CurrentUser, call_id: int) -> GrantCall:
    """A call of the staff member's municipality; another's is not found."""
    call = await calls.get_call(session, user, call_id)
    ensure_in_tenant(user, call.municipality_id, *applications.STAFF_ROLES)
    return call


# What a duplicate may share: the name shown (and in the API) -> the column compared.
DUPLICATE_COLUMNS = {"iban": "iban", "phone": "phone_key", "address": "address_key"}


def _same(a: Any, b: Any, column: str) -> Any:
    return and_(getattr(a, column) != "", getattr(a, column) == getattr(b, column))


def _shares_contact(a: Any, b: Any) -> Any:
    return or_(*(_same(a, b, column) for column in DUPLICATE_COLUMNS.values()))


# Another application of the call: an alias, so the outer list does not correlate with it.
# Made once: building an alias and its attributes per request took half of a screening list.
_OTHER = aliased(Application, name="other")


async def duplicates(
    session: AsyncSession, call_id: int, application_ids: Sequence[int] | None = None
) -> dict[int, list[DuplicateMatch]]:
    """Submitted applications of a call (or only `application_ids`) that share an IBAN,
    phone or address with another applicant's: id -> each other application and what the
    two share (flagged for staff, never refused). One statement for any number of ids."""
    shared = [
        _same(Application, _OTHER, column).label(key) for key, column in DUPLICATE_COLUMNS.items()
    ]
    rows = await session.execute(
        select(col(Application.id), _OTHER.id, *shared)
        .join(
            _OTHER,
            and_(
                col(_OTHER.call_id) == col(Application.call_id),
                col(_OTHER.applicant_id) != col(Application.applicant_id),
                col(_OTHER.status).not_in(NOT_SUBMITTED),
                _shares_contact(Application, _OTHER),
            ),
        )
        .where(
            col(Application.call_id) == call_id,
            col(Application.status).not_in(NOT_SUBMITTED),
            col(Application.id).in_(application_ids) if application_ids is not None else true(),
        )
        .order_by(col(Application.id), col(_OTHER.id))
    )
    found: dict[int, list[DuplicateMatch]] = {}
    for application_id, other_id, *matched in rows.all():
        fields = [key for key, hit in zip(DUPLICATE_COLUMNS, matched, strict=True) if hit]
        found.setdefault(application_id, []).append(
            DuplicateMatch(application_id=other_id, fields=fields)
        )
    return found


def _shared(call_id: int, column: Any) -> Any:
    """The values of an application's `column` that submitted applications of more than one
    applicant of the call have."""
    value = getattr(_OTHER, column.key)
    return (
        sa_select(value)
        .where(
            col(_OTHER.call_id) == call_id,
            col(_OTHER.status).not_in(NOT_SUBMITTED),
            value != "",
        )
        .group_by(value)
        .having(func.count(func.distinct(_OTHER.applicant_id)) > 1)
    )


def possible_duplicate(call_id: int) -> Any:
    """True when the application shares its IBAN, phone or address with another applicant's,
    as `duplicates` finds them: a value held by two applicants is shared by each of them.
    Three hashed subqueries, so a list of 100,000 applications stays one linear pass."""
    return or_(
        *(
            col(column).in_(_shared(call_id, col(column)))
            for column in (Application.iban, Application.phone_key, Application.address_key)
        )
    )


def applications_statement(call_id: int, filters: ScreeningFilters) -> Statement:
    """The submitted applications of a call, filtered, in order of submission: the one
    statement of the page, the API and the exports (the call's tenancy is checked first)."""
    business_name = Application.snapshot["name"].astext  # type: ignore[index]
    files = (
        select(func.count())
        .where(col(Attachment.application_id) == col(Application.id))
        .scalar_subquery()
    )
    duplicate = possible_duplicate(call_id)
    conditions: list[Any] = [
        col(Application.call_id) == call_id,
        col(Application.status).not_in(NOT_SUBMITTED),
    ]
    if filters.status:
        conditions.append(col(Application.status) == filters.status)
    conditions += business_conditions(filters.women_led, filters.green_level)
    if filters.category:
        conditions.append(col(Application.environmental_category) == filters.category)
    if filters.duplicates:
        conditions.append(duplicate)
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        conditions.append(
            or_(
                col(Application.project_title).ilike(pattern),
                business_name.ilike(pattern),
                col(User.full_name).ilike(pattern),
            )
        )
    return (
        sa_select(
            col(Application.id),
            col(Application.status),
            col(Application.project_title),
            business_name,
            col(User.full_name),
            col(Application.requested_amount_kop),
            col(Application.women_led),
            col(Application.green_level),
            col(Application.environmental_category),
            col(Application.submitted_at),
            duplicate.label("duplicate"),
            files.label("files"),
        )
        .join(User, col(User.id) == col(Application.applicant_id))
        .where(*conditions)
        .order_by(col(Application.submitted_at), col(Application.id))
    )


def _row(row: Any) -> ScreeningRow:
    app_id, status, title, name, person, requested, women, green, category, at, dup, n = row
    return ScreeningRow(
        id=app_id or 0,
        status=status,
        project_title=title,
        business_name=name or "",
        applicant_name=person,
        requested_amount_kop=requested,
        women_led=women,
        green_level=green,
        environmental_category=category,
        submitted_at=at,
        duplicate=bool(dup),
        attachments=n,
    )


async def list_applications(
    session: AsyncSession,
    user: CurrentUser,
    call_id: int,
    filters: ScreeningFilters,
    *,
    limit: int = 50,
    offset: int = 0,
    action: str = "applications_viewed",
) -> tuple[list[ScreeningRow], int]:
    """Submitted applications of the call; the access is audited as `action`."""
    call = await staff_call(session, user, call_id)
    statement = applications_statement(call_id, filters)
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = await session.execute(statement.limit(limit).offset(offset))
    items = [_row(row) for row in rows.all()]
    flagged = [item.id for item in items if item.duplicate]
    if flagged:  # what each flagged row shares: one statement for the page, not one per row
        matches = await duplicates(session, call_id, flagged)
        for item in items:
            item.duplicate_matches = matches.get(item.id, [])
    await audit.record_access(
        session,
        user,
        "grant_call",
        call,
        action,
        details={"filters": _set(filters), "shown": len(items)},
    )
    return items, total or 0


def _set(filters: ScreeningFilters) -> dict[str, Any]:
    return {k: v for k, v in filters.__dict__.items() if v}


async def applications_export(
    session: AsyncSession, user: CurrentUser, call_id: int, filters: ScreeningFilters
) -> Export:
    """The filtered applications of a call of the staff member's municipality as a file."""
    call = await staff_call(session, user, call_id)
    header = [
        _("Number"),
        _("Status"),
        _("Project"),
        _("Business"),
        _("Applicant"),
        _("Requested, UAH"),
        _("Women-led"),
        _("Green level"),
        _("Environmental category"),
        _("Submitted"),
        _("Possible duplicate"),
        _("Files"),
    ]

    def cells(row: AnyRow) -> list[Cell]:
        r = _row(row)
        return [
            r.id,
            rules.APPLICATION.label(r.status),
            r.project_title,
            r.business_name,
            r.applicant_name,
            hryvnias(r.requested_amount_kop),
            _("yes") if r.women_led else _("no"),
            _(GREEN_LEVEL_LABELS[r.green_level]) if r.green_level else "",
            r.environmental_category or "",
            r.submitted_at,
            _("yes") if r.duplicate else "",
            r.attachments,
        ]

    return Export(
        name=f"applications-call-{call_id}",
        header=header,
        statement=applications_statement(call_id, filters),
        cells=cells,
        object_type="grant_call",
        object_id=call_id,
        municipality_id=call.municipality_id,
        filters=_set(filters),
    )


async def evaluator_view(
    session: AsyncSession, user: CurrentUser, application: Application
) -> None:
    """An assigned evaluator read the application over the API: logged like staff."""
    await attachments.audit_access(session, user, application, details={"as": "evaluator"})


async def staff_view(
    session: AsyncSession, user: CurrentUser, application: Application
) -> list[DuplicateMatch]:
    """Staff of its municipality open an application (read by `get_application`): the
    access is audited; the others' applications it shares contacts with come back."""
    assert application.id is not None
    application_id = application.id
    if application.applicant_id != user.id:
        ensure_in_tenant(user, application.municipality_id, *applications.STAFF_ROLES)
    flagged = await duplicates(session, application.call_id, [application_id])
    await attachments.audit_access(session, user, application)
    return flagged.get(application_id, [])


async def read_for(
    session: AsyncSession, user: CurrentUser, application_id: int
) -> ApplicationRead:
    """One application as the API shows it: to the applicant; to staff of the call's
    municipality once submitted (with possible duplicates); to an assigned evaluator after
    declaring no conflict (without who applied when the review is blind); others get 404."""
    application = await applications.get_application(session, user, application_id)
    if application.applicant_id == user.id:
        return await application_reads.read(session, user, application)
    if not applications.can_read(user, application):  # an assigned evaluator
        await evaluator_view(session, user, application)
        shown = await application_reads.read(session, user, application)
        call = await session.get(GrantCall, application.call_id)
        return applications.as_evaluator_sees(call, shown)
    flagged = await staff_view(session, user, application)
    return await application_reads.read(session, user, application, duplicates=flagged)


async def decide_eligibility(
    session: AsyncSession,
    user: CurrentUser,
    application_id: int,
    decision: EligibilityDecision,
    *,
    settings: Settings,
) -> Application:
    """Centre staff mark an application eligible or not, with a reason the applicant sees
    (and is emailed)."""
    application = await applications.get_application(session, user, application_id, lock=True)
    ensure_in_tenant(user, application.municipality_id, *SCREENERS)
    action = "mark_eligible" if decision.eligible else "mark_ineligible"
    application.eligibility_reason = decision.reason.strip()
    application.screened_by = user.id
    application.screened_at = calls.now()
    await transition(
        session,
        rules.APPLICATION,
        application,
        action,
        user=user,
        values={"updated_at": calls.now()},
        details={"reason": application.eligibility_reason},
    )
    call = await session.get(GrantCall, application.call_id)
    assert call is not None
    await applications.tell_applicant(
        session,
        settings,
        application,
        call,
        "application_screened",
        eligible=decision.eligible,
        reason=application.eligibility_reason,
    )
    return application
