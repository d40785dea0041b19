"""Use cases of grant calls: created by a municipal officer, published, amended with a logged
reason, closed by the officer or by the clock."""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit, transitions
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import _
from sme_hub.core.jobs import jobs, worker_resources
from sme_hub.core.queries import one_where
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import can_see_municipality, ensure_in_tenant
from sme_hub.grants import rules
from sme_hub.grants.call_schemas import CallCreate, CallRead, CallRules, CallUpdate
from sme_hub.grants.models import CallAmendment, GrantCall
from sme_hub.training.models import Programme

OFFICER = Role.MUNICIPAL_OFFICER


def now() -> datetime:
    return datetime.now(UTC)


def can_manage(user: CurrentUser | None, call: GrantCall) -> bool:
    """Officers of the call's municipality (and admins) manage it."""
    return user is not None and can_see_municipality(user, call.municipality_id, OFFICER)


def to_read(call: GrantCall, at: datetime | None = None) -> CallRead:
    read = CallRead.model_validate(call)
    read.status = rules.shown_call_status(call.status, call.closes_at, at or now())
    return read


def _rules_json(data: CallRules) -> dict[str, Any]:
    """The call's fields as stored: JSON columns in JSON form, the rest as Python values."""
    values = data.model_dump(exclude={"municipality_id"})
    for key in ("criteria", "priorities", "eligibility", "questions"):
        values[key] = data.model_dump(mode="json", include={key})[key]
    return values


async def _check_programme(session: AsyncSession, municipality_id: int, rules_: Any) -> None:
    programme_id = rules_.get("required_programme_id")
    if programme_id is None:
        return
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.municipality_id != municipality_id:
        raise InvalidInput(
            {
                "eligibility.required_programme_id": _(
                    "Choose a training programme of your municipality's centres."
                )
            }
        )


async def create_call(
    session: AsyncSession, user: CurrentUser, data: CallCreate, municipality_id: int | None = None
) -> GrantCall:
    """A draft call of the officer's municipality (the one given, if they serve several)."""
    mine = sorted(user.municipality_ids(OFFICER))
    municipality_id = municipality_id or (mine[0] if len(mine) == 1 else None)
    if municipality_id is None:
        raise InvalidInput({"municipality_id": _("Choose the municipality of the call.")})
    ensure_in_tenant(user, municipality_id, OFFICER)
    await _check_programme(session, municipality_id, data.eligibility.model_dump())
    call = GrantCall(**_rules_json(data), municipality_id=municipality_id, created_by=user.id)
    await audit.add_created(session, user, "grant_call", call, after=data.model_dump(mode="json"))
    return call


async def get_call(
    session: AsyncSession,
    user: CurrentUser | None,
    call_id: int,
    *,
    lock: bool = False,
    managed: bool = False,
) -> GrantCall:
    """A call anyone may see once published; a draft (any call, when `managed`) only its
    municipality's officers."""
    call = await one_where(session, GrantCall, col(GrantCall.id) == call_id, lock=lock)
    if call is None or ((managed or call.status == "draft") and not can_manage(user, call)):
        raise NotFound()
    return call


async def managed_call(
    session: AsyncSession, user: CurrentUser, call_id: int, *, lock: bool = False
) -> GrantCall:
    """A call its officer works on: another municipality's is not found."""
    return await get_call(session, user, call_id, lock=lock, managed=True)


async def list_calls(
    session: AsyncSession,
    user: CurrentUser | None,
    *,
    status: str | None = None,
    municipality_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[GrantCall], int]:
    """Calls newest first. `published` means open now (not past the closing time) and
    `closed` includes calls past it; drafts are listed only for their officers."""
    at = now()
    conditions: list[Any] = []
    if status == "published":
        conditions += [col(GrantCall.status) == "published", col(GrantCall.closes_at) > at]
    elif status == "closed":
        conditions.append(
            or_(
                col(GrantCall.status) == "closed",
                (col(GrantCall.status) == "published") & (col(GrantCall.closes_at) <= at),
            )
        )
    elif status:
        conditions.append(col(GrantCall.status) == status)
    officer_of = user.municipality_ids(OFFICER) if user else set()
    if not (user and user.is_admin):
        conditions.append(
            or_(col(GrantCall.status) != "draft", col(GrantCall.municipality_id).in_(officer_of))
        )
    if municipality_id:
        conditions.append(col(GrantCall.municipality_id) == municipality_id)
    total = await session.scalar(select(func.count()).select_from(GrantCall).where(*conditions))
    rows = await session.scalars(
        select(GrantCall)
        .where(*conditions)
        .order_by(col(GrantCall.closes_at).desc(), col(GrantCall.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), total or 0


def _status_label(call: GrantCall) -> str:
    return rules.CALL.label(rules.shown_call_status(call.status, call.closes_at, now()))


async def update_call(
    session: AsyncSession, user: CurrentUser, call_id: int, data: CallUpdate
) -> GrantCall:
    """Edit a draft freely; change a published call only as an amendment with a reason."""
    call = await managed_call(session, user, call_id, lock=True)
    window = rules.call_window(call.status, call.opens_at, call.closes_at, now())
    if call.status != "draft" and not (call.status == "published" and window != "closed"):
        raise Conflict(
            _("A call that is {status} can no longer be changed.").format(
                status=_status_label(call)
            )
        )
    changes = data.model_dump(exclude_unset=True, exclude={"amendment_reason"})
    current = CallRules.model_validate(call, from_attributes=True).model_dump()
    try:  # the rules between fields are the schema's validators, for the merged call too
        checked = CallRules.model_validate({**current, **changes})
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from exc
    stored = _rules_json(checked)
    before = {k: _json(getattr(call, k)) for k in changes}
    after = {k: _json(stored[k]) for k in changes}
    changed = {
        k: {"before": before[k], "after": after[k]} for k in changes if before[k] != after[k]
    }
    if not changed:
        return call
    if call.status == "published":
        if not data.amendment_reason:
            raise InvalidInput(
                {"amendment_reason": _("Say why the published call is amended (it is logged).")}
            )
        if "closes_at" in changed and checked.closes_at <= now():
            raise InvalidInput({"closes_at": _("The new closing time must be in the future.")})
    await _check_programme(session, call.municipality_id, stored["eligibility"])
    for key in changed:
        setattr(call, key, stored[key])
    call.updated_at = now()
    if call.status == "published":
        session.add(
            CallAmendment(
                call_id=call_id,
                municipality_id=call.municipality_id,
                reason=data.amendment_reason or "",
                changes=changed,
                amended_by=user.id,
            )
        )
    await session.flush()
    await audit.record(
        session,
        user,
        "grant_call",
        call,
        "amended" if call.status == "published" else "updated",
        before={k: v["before"] for k, v in changed.items()},
        after={
            **{k: v["after"] for k, v in changed.items()},
            **({"reason": data.amendment_reason} if call.status == "published" else {}),
        },
    )
    return call


def _json(value: Any) -> Any:
    """A value as JSON keeps it (for comparing and logging changes)."""
    if isinstance(value, datetime):  # one moment, one text: compared in UTC
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


async def transition(
    session: AsyncSession, user: CurrentUser, call_id: int, action: str
) -> GrantCall:
    """Publish or close a call (rules.CALL), audited."""
    call = await managed_call(session, user, call_id, lock=True)
    if action not in ("publish", "close") or rules.CALL.next_state(call.status, action) is None:
        raise Conflict(_(rules.CALL.refused).format(status=rules.CALL.label(call.status)))
    # The database's clock, as submissions use it: a submission that got in before the close
    # (it holds the call's share lock, so the close waits for it) is stamped earlier.
    at = await session.scalar(select(func.clock_timestamp())) or now()
    if action == "publish" and call.closes_at <= at:
        raise Conflict(_("The closing time has passed: set a later one before publishing."))
    stamp = {"published_at": at} if action == "publish" else {"closed_at": min(at, call.closes_at)}
    await transitions.transition(session, rules.CALL, call, action, user=user, values=stamp)
    return call


async def amendments(
    session: AsyncSession, user: CurrentUser | None, call_id: int
) -> list[CallAmendment]:
    await get_call(session, user, call_id)
    rows = await session.scalars(
        select(CallAmendment)
        .where(col(CallAmendment.call_id) == call_id)
        .order_by(col(CallAmendment.id))
    )
    return list(rows.all())


async def close_due_calls(session: AsyncSession) -> list[int]:
    """Close every published call whose closing time has passed (the system acts)."""
    closed = await transitions.transition_many(
        session,
        rules.CALL,
        GrantCall,
        "close",
        col(GrantCall.closes_at) <= func.now(),
        user=None,
        values={"closed_at": col(GrantCall.closes_at)},
    )
    for call_id, municipality_id in closed:
        await audit.record(
            session,
            None,
            "grant_call",
            call_id or 0,
            "close",
            municipality_id=municipality_id,
            before={"status": "published"},
            after={"status": "closed", "by": "closing time"},
        )
    return [call_id or 0 for call_id, _m in closed]


@jobs.periodic(cron="* * * * *")
@jobs.task(name="close_due_calls", pass_context=True)
async def close_due_calls_job(context: Any, timestamp: int) -> None:
    db, _settings = worker_resources(context)
    async with db.sessionmaker() as session, session.begin():
        await close_due_calls(session)
