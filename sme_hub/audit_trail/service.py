"""Reading the audit trail of one object: admins everything, municipal officers only the
entries of their own municipalities; another tenant's object is 404, and every reading is
itself logged (it shows personal data)."""

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.audit_trail import rules
from sme_hub.audit_trail.rules import ObjectRef, TrailQuery
from sme_hub.audit_trail.schemas import AuditActor, AuditEntryRead
from sme_hub.core import audit
from sme_hub.core.audit import AuditEntry
from sme_hub.core.errors import Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import KYIV, _
from sme_hub.core.roles import CurrentUser
from sme_hub.core.tenancy import tenant_condition
from sme_hub.core.trail_access import OFFICER, READERS
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.evaluation.models import Assignment
from sme_hub.grants.models import Application, GrantCall
from sme_hub.implementation.grants import GRANT_STATUSES
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.partners.models import Partner, Referral
from sme_hub.training.models import Cohort, Enrolment, Programme, TrainingSession


def _owner_statement(ref: ObjectRef) -> Select[Any] | None:
    """The statement finding the municipality of the object (one row, or none when there is
    no such object); None for objects that belong to no municipality (users, partners,
    lists)."""
    if ref.type in rules.WORD_IDS or ref.type in ("user", "partner"):
        return None
    key = int(ref.id)
    simple: dict[str, Any] = {
        "application": Application,
        "grant_call": GrantCall,
        "programme": Programme,
        "cohort": Cohort,
        "enrolment": Enrolment,
        "assignment": Assignment,
        "referral": Referral,
        "business_profile": BusinessProfile,
        "support_centre": SupportCentre,
    }
    if ref.type in simple:
        model = simple[ref.type]
        return select(model.municipality_id).where(model.id == key)
    if ref.type == "grant":  # a grant is its approved application (the same id)
        return select(col(Application.municipality_id)).where(
            col(Application.id) == key, col(Application.status).in_(GRANT_STATUSES)
        )
    if ref.type == "training_session":
        return (
            select(col(Cohort.municipality_id))
            .join(TrainingSession, col(TrainingSession.cohort_id) == col(Cohort.id))
            .where(col(TrainingSession.id) == key)
        )
    assert ref.type == "municipality", ref.type
    return select(col(Municipality.id)).where(col(Municipality.id) == key)


async def object_municipality(
    session: AsyncSession, user: CurrentUser, ref: ObjectRef
) -> int | None:
    """The municipality the object belongs to, once it is sure the user may read its
    trail; 404 for a missing object or another tenant's (so officers cannot probe)."""
    if ref.type == "audit_trail":  # the readings of a history: the object's own rules
        return await object_municipality(session, user, rules.parse_object(ref.id))
    statement = _owner_statement(ref)
    if statement is None:
        if ref.type in ("user", "partner"):
            model: Any = User if ref.type == "user" else Partner
            if await session.get(model, int(ref.id)) is None:
                raise NotFound()
        return None  # the entries are filtered by tenant instead
    found = (await session.execute(statement)).first()
    if found is None:
        raise NotFound()
    municipality_id: int | None = found[0]
    if not user.is_admin and (
        municipality_id is None or municipality_id not in user.municipality_ids(OFFICER)
    ):
        raise NotFound()
    return municipality_id


def _object_condition(ref: ObjectRef) -> Any:
    if ref.type == "grant":  # its history starts as an application: show both
        return (col(AuditEntry.object_type).in_(("grant", "application"))) & (
            col(AuditEntry.object_id) == ref.id
        )
    return (col(AuditEntry.object_type) == ref.type) & (col(AuditEntry.object_id) == ref.id)


def _conditions(user: CurrentUser, query: TrailQuery) -> list[Any]:
    conditions = [
        _object_condition(query.object),
        # Admins see all; an officer only what happened in their municipalities.
        tenant_condition(user, col(AuditEntry.municipality_id), OFFICER),
    ]
    if query.actor is not None:
        conditions.append(col(AuditEntry.actor_id) == query.actor)
    if query.action:
        conditions.append(col(AuditEntry.action) == query.action)
    if query.since is not None:
        conditions.append(col(AuditEntry.at) >= datetime.combine(query.since, time(), KYIV))
    if query.until is not None:
        day_after = datetime.combine(query.until + timedelta(days=1), time(), KYIV)
        conditions.append(col(AuditEntry.at) < day_after)
    return conditions


def ensure_reader(user: CurrentUser) -> None:
    if not user.has_role(*READERS):
        raise Forbidden(_("Only administrators and municipal officers read the audit trail."))


async def trail(
    session: AsyncSession, user: CurrentUser, query: TrailQuery, *, limit: int, offset: int
) -> tuple[list[AuditEntryRead], int]:
    """The object's entries, newest first, with who made each; the reading is logged
    under `audit_trail:<object>` (not on the object, so its pages do not shift)."""
    ensure_reader(user)
    municipality_id = await object_municipality(session, user, query.object)
    conditions = _conditions(user, query)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = await session.execute(
        select(AuditEntry, User)
        .outerjoin(User, col(User.id) == col(AuditEntry.actor_id))
        .where(*conditions)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
        .offset(offset)
    )
    items = [entry_read(entry, person) for entry, person in rows.all()]
    if municipality_id is None and not user.is_admin:
        own = user.municipality_ids(OFFICER)
        municipality_id = min(own) if len(own) == 1 else None
    await audit.record_access(
        session,
        user,
        "audit_trail",
        str(query.object),
        "history_viewed",
        municipality_id=municipality_id,
        details={"filters": _filters(query), "shown": [item.id for item in items]},
    )
    return items, total or 0


def _filters(query: TrailQuery) -> dict[str, Any]:
    values = {
        "actor": query.actor,
        "action": query.action,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
    }
    return {key: value for key, value in values.items() if value is not None}


def entry_read(entry: AuditEntry, person: User | None) -> AuditEntryRead:
    assert entry.id is not None
    actor = (
        AuditActor(id=person.id or 0, name=person.full_name, email=person.email)
        if person is not None
        else None
    )
    return AuditEntryRead(
        id=entry.id,
        at=entry.at,
        actor=actor,
        object_type=entry.object_type,
        object_id=entry.object_id,
        action=entry.action,
        before=entry.before,
        after=entry.after,
        request_id=entry.request_id,
        client_address=entry.client_address,
        municipality_id=entry.municipality_id,
    )


async def actions_of(session: AsyncSession, user: CurrentUser, ref: ObjectRef) -> list[str]:
    """The actions the object's visible entries have, for the page's filter."""
    rows = await session.scalars(
        select(col(AuditEntry.action))
        .where(
            _object_condition(ref), tenant_condition(user, col(AuditEntry.municipality_id), OFFICER)
        )
        .distinct()
        .order_by(col(AuditEntry.action))
    )
    return list(rows.all())


# --- for the API and the page ------------------------------------------------------------------


def parse_query(values: dict[str, str]) -> TrailQuery:
    """The query, or 422 naming every field that is wrong (in the reader's language)."""
    query, errors = rules.parse_query(values)
    if query is None:
        raise InvalidInput({key: _(message) for key, message in errors.items()})
    return query


def action_text(action: str) -> str:
    """The action in words, or its key made readable when it has no label yet."""
    label = rules.action_label_key(action)
    return _(label) if label else rules.readable_key(action)


def _row(item: AuditEntryRead) -> dict[str, Any]:
    return {
        "entry": item,
        "action": action_text(item.action),
        "object": _(rules.OBJECT_LABELS.get(item.object_type, item.object_type)),
        "changes": rules.changes(item.before, item.after),
    }


async def trail_page(
    session: AsyncSession, user: CurrentUser, values: dict[str, str], *, limit: int, offset: int
) -> tuple[int, dict[str, Any]]:
    """The status and what the audit page shows for the form's `values`: the form alone
    without an object, its errors (422), or the object's entries with their filters."""
    context: dict[str, Any] = {
        "values": values,
        "errors": {},
        "rows": [],
        "total": 0,
        "limit": limit,
        "offset": offset,
        "actions": [],
        "types": [(key, _(label)) for key, label in rules.OBJECT_LABELS.items()],
        "asked": bool(values["object"]),
    }
    if not values["object"]:
        return 200, context
    try:
        query = parse_query(values)
    except InvalidInput as exc:
        return 422, context | {"errors": exc.errors}
    items, total = await trail(session, user, query, limit=limit, offset=offset)
    kept = {key: values[key] for key in ("type", "id", "actor", "action", "since", "until")}
    return 200, context | {
        "rows": [_row(item) for item in items],
        "total": total,
        "actions": await actions_of(session, user, query.object),
        "action_text": action_text,
        "object_label": _(rules.OBJECT_LABELS[query.object.type]),
        "object": query.object,
        "query": urlencode({k: v for k, v in kept.items() if v}) + "&",
    }
