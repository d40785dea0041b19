"""Who is signed in: the user of a session cookie or an API token, and their account."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts import two_factor, user_sessions
from sme_hub.accounts.models import ApiToken, RoleAssignment, User, UserSession
from sme_hub.accounts.rules import two_factor_required
from sme_hub.accounts.schemas import GrantRead, UserRead
from sme_hub.core.auth import hash_token, session_stamp
from sme_hub.core.roles import CurrentUser, Grant, Role


def _current(person: Any, grants: Sequence[Any]) -> CurrentUser:
    """The signed-in person from a user (ORM object or row) and their role assignments."""
    return CurrentUser(
        id=person.id,
        email=person.email,
        full_name=person.full_name,
        locale=person.locale,
        email_confirmed=person.email_confirmed_at is not None,
        grants=tuple(
            Grant(Role(g.role), g.municipality_id, g.centre_id, g.partner_id, g.oblast)
            for g in grants
            if g.role is not None
        ),
    )


def _current_user(user: User, assignments: Sequence[RoleAssignment]) -> CurrentUser:
    assert user.id is not None
    return _current(user, assignments)


# The middleware asks on every request: one statement of plain columns (user and roles
# together), on the request's own session, instead of ORM objects in a session of its own.
_USER_WITH_ROLES = (
    sa_select(
        col(User.id),
        col(User.email),
        col(User.full_name),
        col(User.locale),
        col(User.password_hash),
        col(User.email_confirmed_at),
        col(RoleAssignment.role),
        col(RoleAssignment.municipality_id),
        col(RoleAssignment.centre_id),
        col(RoleAssignment.partner_id),
        col(RoleAssignment.oblast),
    )
    .select_from(User)
    .outerjoin(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
    .where(col(User.is_active))
    .order_by(col(RoleAssignment.id))
)


def _current_user_of(rows: Sequence[Any]) -> CurrentUser | None:
    return _current(rows[0], rows) if rows else None


async def user_by_session(
    session: AsyncSession, user_id: int, stamp: str | None, sid: str, seen: bool
) -> CurrentUser | None:
    """The user of a session cookie, while the server keeps its session (one statement: the
    session row is found by its unique hash in the query that loads the user) and their
    password is the one it was opened with. `seen`: record the use (about once a minute)."""
    statement = _USER_WITH_ROLES.join(UserSession, col(UserSession.user_id) == col(User.id)).where(
        col(User.id) == user_id, col(UserSession.sid_hash) == hash_token(sid)
    )
    rows = (await session.execute(statement)).all()
    if not rows or stamp != session_stamp(rows[0].password_hash):
        return None
    if seen:
        await user_sessions.touch(session, sid)
    return _current_user_of(rows)


async def user_by_token(session: AsyncSession, token: str) -> CurrentUser | None:
    statement = _USER_WITH_ROLES.join(ApiToken, col(ApiToken.user_id) == col(User.id)).where(
        col(ApiToken.token_hash) == hash_token(token), col(ApiToken.expires_at) > datetime.now(UTC)
    )
    return _current_user_of((await session.execute(statement)).all())


def user_read(user: User, assignments: Sequence[RoleAssignment]) -> UserRead:
    current = _current_user(user, assignments)
    return UserRead(
        id=current.id,
        email=user.email,
        full_name=user.full_name,
        phone=user.phone,
        locale=user.locale,
        email_confirmed=current.email_confirmed,
        two_factor=user.totp_enabled_at is not None,
        roles=[GrantRead.model_validate(g, from_attributes=True) for g in current.grants],
    )


async def read_user(session: AsyncSession, user_id: int) -> UserRead:
    user = await session.get(User, user_id)
    assert user is not None
    assignments = await session.scalars(
        select(RoleAssignment)
        .where(col(RoleAssignment.user_id) == user_id)
        .order_by(col(RoleAssignment.id))
    )
    return user_read(user, assignments.all())


async def account_overview(
    session: AsyncSession, actor: CurrentUser, current_sid: str
) -> dict[str, Any]:
    """What the account page shows: two-factor sign-in (on, required, codes left) and the
    signed-in sessions."""
    user = await session.get(User, actor.id)
    assert user is not None
    return {
        "two_factor_on": two_factor.is_enabled(user),
        "two_factor_required": two_factor_required(actor.roles),
        "codes_left": await two_factor.recovery_codes_left(session, actor.id),
        "sessions": await user_sessions.list_sessions(session, actor.id, current_sid),
    }
