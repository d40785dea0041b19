"""The one audited transition() (sme_hub/core/transitions.py) on a real row: it moves only
from the action's sources (checked by the UPDATE itself, so a row another request moved first
is refused), only for the action's roles, and writes the audit entry with the change."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.audit import AuditEntry
from sme_hub.core.errors import Conflict, Forbidden
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.transitions import transition, transition_many
from sme_hub.grants.models import GrantCall
from sme_hub.grants.rules import CALL
from tests.factories import Client
from tests.grants_setup import officer_and_call


async def _call(client: Client, session: AsyncSession) -> tuple[GrantCall, CurrentUser]:
    setup = await officer_and_call(client, session)
    call = await session.get(GrantCall, setup["call_id"])
    assert call is not None and call.status == "published"
    officer = CurrentUser.acting(1, Role.MUNICIPAL_OFFICER, municipality_id=call.municipality_id)
    return call, officer


async def _actions(session: AsyncSession, call_id: int) -> list[str]:
    rows = await session.scalars(
        select(col(AuditEntry.action))
        .where(
            col(AuditEntry.object_type) == "grant_call", col(AuditEntry.object_id) == str(call_id)
        )
        .order_by(col(AuditEntry.id))
    )
    return list(rows.all())


async def test_a_transition_moves_the_row_and_records_it(
    client: Client, session: AsyncSession
) -> None:
    call, officer = await _call(client, session)
    target = await transition(session, CALL, call, "close", user=officer)
    assert target == call.status == "closed"
    entry = await session.scalar(
        select(AuditEntry)
        .where(col(AuditEntry.object_id) == str(call.id))
        .order_by(col(AuditEntry.id).desc())
    )
    assert entry is not None and entry.action == "close"
    assert entry.before == {"status": "published"} and entry.after == {"status": "closed"}


async def test_a_wrong_state_is_a_conflict_and_changes_nothing(
    client: Client, session: AsyncSession
) -> None:
    call, officer = await _call(client, session)
    before = await _actions(session, call.id or 0)
    with pytest.raises(Conflict):
        await transition(session, CALL, call, "publish", user=officer)
    with pytest.raises(Conflict):
        await transition(session, CALL, call, "teleport", user=officer)
    assert call.status == "published" and await _actions(session, call.id or 0) == before


async def test_a_row_moved_meanwhile_is_refused_by_the_guarded_update(
    client: Client, session: AsyncSession
) -> None:
    call, officer = await _call(client, session)
    # Another request closed it after this one read it: the object in memory is stale.
    await session.execute(
        text("UPDATE grant_call SET status = 'closed', closed_at = now() WHERE id = :id"),
        {"id": call.id},
    )
    with pytest.raises(Conflict) as refused:
        await transition(session, CALL, call, "close", user=officer)
    assert refused.value.status_code == 409
    assert call.status == "closed"  # read again


async def test_only_the_actions_roles_may_take_it(client: Client, session: AsyncSession) -> None:
    call, _officer = await _call(client, session)
    staff = CurrentUser.acting(2, Role.CENTRE_STAFF, municipality_id=call.municipality_id)
    with pytest.raises(Forbidden):
        await transition(session, CALL, call, "close", user=staff)
    # The system (no user) may close a call: the job does when its closing time passes.
    assert await transition(session, CALL, call, "close", user=None) == "closed"


async def test_transition_many_moves_only_rows_in_a_source_state(
    client: Client, session: AsyncSession
) -> None:
    call, _officer = await _call(client, session)
    moved = await transition_many(
        session, CALL, GrantCall, "close", col(GrantCall.id) == call.id, user=None
    )
    assert moved == [(call.id, call.municipality_id)]
    assert call.status == "closed"
    again = await transition_many(
        session, CALL, GrantCall, "close", col(GrantCall.id) == call.id, user=None
    )
    assert again == []
