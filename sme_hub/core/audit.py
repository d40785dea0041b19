"""The append-only audit log and the one function every service calls on a state change."""

from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from sme_hub.core.logging import client_address_var, request_id_var
from sme_hub.core.models import created_at_field
from sme_hub.core.roles import CurrentUser


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, index=True)  # no FK: entries outlive accounts
    municipality_id: int | None = Field(default=None, index=True)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    action: str = Field(max_length=60)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    request_id: str | None = Field(default=None, max_length=64)
    # Where the request came from (the forwarded client behind a trusted proxy); None for
    # background jobs and scripts.
    client_address: str | None = Field(default=None, max_length=64)


class HasId(Protocol):
    """An actor or an audited row: anything with an `id` (a row may also have a
    `municipality_id`)."""

    @property
    def id(self) -> int | None: ...


async def record(
    session: AsyncSession,
    actor: HasId | None,
    object_type: str,
    subject: HasId | int | str,
    action: str,
    *,
    municipality_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write who (`actor`, None for the system) did what to which object, with a before/after
    summary, in the caller's transaction (so the record exists exactly when the change does).
    `subject` is the row itself (its id, and its `municipality_id` unless one is given) or
    just the object's id: `record(session, user, "grant_call", call, "created", after=...)`."""
    if isinstance(subject, int | str):
        object_id = subject
    else:
        object_id = subject.id or 0
        if municipality_id is None:
            municipality_id = getattr(subject, "municipality_id", None)
    entry = AuditEntry(
        actor_id=(actor.id if actor else None) or None,  # 0 is the system (seeding, jobs)
        municipality_id=municipality_id,
        object_type=object_type,
        object_id=str(object_id),
        action=action,
        before=before,
        after=after,
        request_id=request_id_var.get(),
        client_address=(client_address_var.get() or "")[:64] or None,
    )
    session.add(entry)
    await session.flush()
    return entry


async def add_created(
    session: AsyncSession,
    actor: HasId | None,
    object_type: str,
    row: HasId,
    action: str = "created",
    *,
    municipality_id: int | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add a new row, flush it (so it has its id) and record its creation."""
    session.add(row)
    await session.flush()
    await record(
        session, actor, object_type, row, action, municipality_id=municipality_id, after=after
    )


async def record_access(
    session: AsyncSession,
    actor: CurrentUser,
    object_type: str,
    subject: HasId | int | str,
    action: str = "viewed",
    *,
    municipality_id: int | None = None,
    owner_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Staff (anyone but the person the data is about, `owner_id`) read, exported or
    downloaded personal data: product.md §12 wants every such access in the log. `subject`
    as in `record()`."""
    if owner_id is not None and actor.id == owner_id:
        return None
    return await record(
        session, actor, object_type, subject, action, municipality_id=municipality_id, after=details
    )
