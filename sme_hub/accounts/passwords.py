"""The signed-in person's password: confirming a step with it, changing it; and their
personal-data rights (the consent record, anonymisation)."""

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts import user_sessions
from sme_hub.accounts.login import check_throttle, record_login_failure
from sme_hub.accounts.models import User
from sme_hub.accounts.rules import password_problem
from sme_hub.core import audit
from sme_hub.core.auth import hash_password, new_token
from sme_hub.core.auth import verify_password as password_matches
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.db import Database


async def _confirm_password(
    session: AsyncSession, db: Database, user: User, password: str, address: str, field: str
) -> None:
    """The person confirms a step with their password: wrong ones count with the login
    failures (a stolen session or token must not become a way to guess it)."""
    await check_throttle(session, user.email, address)
    if not password_matches(user.password_hash, password):
        await record_login_failure(db, user.email, address)
        raise InvalidInput({field: _("The password is not correct.")})


async def check_password(
    session: AsyncSession, db: Database, user_id: int, password: str, address: str
) -> None:
    """Re-authentication before a destructive step."""
    user = await session.get(User, user_id)
    assert user is not None
    await _confirm_password(session, db, user, password, address, "password")


async def change_password(
    session: AsyncSession, db: Database, actor: CurrentUser, current: str, new: str, address: str
) -> User:
    """A new password, after the current one: every session and every API token ends (the
    page opens a new session for the person changing it, who stays signed in)."""
    user = await session.get(User, actor.id)
    assert user is not None
    await _confirm_password(session, db, user, current, address, "current_password")
    problem = password_problem(new, email=user.email, full_name=user.full_name)
    if problem:
        raise InvalidInput({"new_password": _(problem)})
    user.password_hash = hash_password(new)
    await user_sessions.end_everything(session, actor.id)
    await audit.record(
        session,
        actor,
        "user",
        actor.id,
        "password_changed",
        after={"api_tokens_revoked": True, "sessions_ended": True},
    )
    await session.flush()
    return user


# --- personal-data rights -------------------------------------------------------------------


async def consent_record(session: AsyncSession, user_id: int) -> dict[str, str | None]:
    user = await session.get(User, user_id)
    assert user is not None
    return {
        "consent_at": user.consent_at.isoformat() if user.consent_at else None,
        "consent_version": user.consent_version,
    }


async def anonymise(session: AsyncSession, user_id: int) -> None:
    """Remove the person from the account; the row stays so records that point at it
    (audit, applications, public awards) keep their integrity."""
    user = await session.get(User, user_id)
    assert user is not None
    user.email = f"deleted-{user_id}@deleted.invalid"
    user.full_name = _("Deleted user")
    user.phone = None
    user.password_hash = hash_password(new_token()[0])  # nobody knows it
    user.is_active = False
    await user_sessions.end_everything(session, user_id)
    await session.flush()
