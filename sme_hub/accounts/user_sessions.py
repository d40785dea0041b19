"""Use cases of signed-in sessions kept on the server: open one at login, end one (logout),
end the others ("sign out everywhere", a password change) or all (a reset, a deactivation),
and list them for their owner."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import ApiToken, User, UserSession
from sme_hub.accounts.rules import user_agent_summary
from sme_hub.core import audit
from sme_hub.core.auth import SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS, hash_token
from sme_hub.core.errors import Forbidden, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser


@dataclass(frozen=True)
class SessionView:
    id: int
    started_at: datetime
    last_seen_at: datetime
    device: str
    client_address: str
    current: bool


def _now() -> datetime:
    return datetime.now(UTC)


async def open_session(
    session: AsyncSession, user_id: int, sid: str, user_agent: str, address: str
) -> None:
    """Record a new login; the user's sessions past the absolute limit are dropped on the
    way (the table holds live sessions, not a history)."""
    await session.execute(
        delete(UserSession).where(
            col(UserSession.user_id) == user_id,
            col(UserSession.created_at) < _now() - timedelta(seconds=SESSION_ABSOLUTE_SECONDS),
        )
    )
    session.add(
        UserSession(
            user_id=user_id,
            sid_hash=hash_token(sid),
            user_agent=user_agent[:300],
            client_address=address[:64],
        )
    )
    await session.flush()


async def touch(session: AsyncSession, sid: str) -> None:
    """The session was used just now (called about once a minute, not on every request)."""
    await session.execute(
        update(UserSession)
        .where(col(UserSession.sid_hash) == hash_token(sid))
        .values(last_seen_at=_now())
    )


async def end_session(session: AsyncSession, sid: str) -> None:
    """Logout: this session is over on the server, whoever kept a copy of its cookie."""
    await session.execute(delete(UserSession).where(col(UserSession.sid_hash) == hash_token(sid)))


async def end_all_sessions(session: AsyncSession, user_id: int, *, keep_sid: str = "") -> None:
    """Every session of the user ends (but the one of `keep_sid`, when given)."""
    statement = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep_sid:
        statement = statement.where(col(UserSession.sid_hash) != hash_token(keep_sid))
    await session.execute(statement)


async def end_everything(session: AsyncSession, user_id: int, *, keep_sid: str = "") -> None:
    """Every session of the user (but `keep_sid`) ends and every API token is revoked."""
    await end_all_sessions(session, user_id, keep_sid=keep_sid)
    await session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user_id))


async def sign_out_everywhere(session: AsyncSession, actor: CurrentUser, current_sid: str) -> None:
    """Every other browser session ends and every API token is revoked; this one goes on."""
    await end_everything(session, actor.id, keep_sid=current_sid)
    await audit.record(
        session,
        actor,
        "user",
        actor.id,
        "signed_out_everywhere",
        after={"api_tokens_revoked": True},
    )


async def end_other_session(
    session: AsyncSession, actor: CurrentUser, session_id: int, current_sid: str
) -> None:
    """End one of one's own other sessions (someone else's, or one's current: not found)."""
    ended = await session.execute(
        delete(UserSession)
        .where(
            col(UserSession.id) == session_id,
            col(UserSession.user_id) == actor.id,
            col(UserSession.sid_hash) != hash_token(current_sid),
        )
        .returning(col(UserSession.id))
    )
    if ended.scalar_one_or_none() is None:
        raise NotFound(_("There is no such session."))


async def list_sessions(session: AsyncSession, user_id: int, current_sid: str) -> list[SessionView]:
    """The user's live sessions, the latest used first."""
    now = _now()
    rows = await session.scalars(
        select(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.created_at) > now - timedelta(seconds=SESSION_ABSOLUTE_SECONDS),
            col(UserSession.last_seen_at) > now - timedelta(seconds=SESSION_IDLE_SECONDS),
        )
        .order_by(col(UserSession.last_seen_at).desc(), col(UserSession.id).desc())
    )
    current = hash_token(current_sid) if current_sid else ""
    return [
        SessionView(
            id=row.id or 0,
            started_at=row.created_at,
            last_seen_at=row.last_seen_at,
            device=user_agent_summary(row.user_agent),
            client_address=row.client_address,
            current=row.sid_hash == current,
        )
        for row in rows.all()
    ]


async def account_to_deactivate(session: AsyncSession, actor: CurrentUser, user_id: int) -> User:
    """The account an administrator may close: not their own, and one that exists."""
    if user_id == actor.id:
        raise Forbidden(_("You cannot deactivate your own account."))
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such user."))
    return user


async def deactivate_user(session: AsyncSession, actor: CurrentUser, user_id: int) -> None:
    """An administrator closes an account: it cannot log in, and its sessions and API tokens
    end at once."""
    user = await account_to_deactivate(session, actor, user_id)
    was_active = user.is_active
    user.is_active = False
    await end_everything(session, user_id)
    await audit.record(
        session,
        actor,
        "user",
        user_id,
        "deactivated",
        before={"active": was_active},
        after={"active": False},
    )
    await session.flush()
