"""Use cases of one-time links: confirming an email address and resetting a password (the
link is emailed by a background job), and the warning to an address someone tried to register.

A link carries a random token; only its SHA-256 is stored. A link is used by one guarded
UPDATE (`use_token`), so it works exactly once even when clicked twice at the same moment.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import AccountToken, ApiToken, LoginFailure, User, UserSession
from sme_hub.accounts.rules import (
    LINK_EMAIL_INTERVAL,
    TOKEN_LIFETIMES,
    TokenPurpose,
    account_at_address_key,
    account_key,
    code_key,
    password_problem,
)
from sme_hub.core import audit
from sme_hub.core.auth import hash_password, hash_token, new_token
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.jobs import defer_in, jobs, worker_resources
from sme_hub.core.mail import notify


class LinkExpired(Exception):
    """The link is unknown, expired or already used (the three are not told apart)."""


class Resend(StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    ALREADY_CONFIRMED = "already_confirmed"


def _now() -> datetime:
    return datetime.now(UTC)


async def _issue(session: AsyncSession, user: User, purpose: TokenPurpose) -> str:
    assert user.id is not None
    token, token_hash = new_token()
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash,
            expires_at=_now() + TOKEN_LIFETIMES[purpose],
        )
    )
    await session.flush()
    return token


async def _sent_lately(session: AsyncSession, user_id: int, purpose: TokenPurpose) -> bool:
    latest = await session.scalar(
        select(func.max(AccountToken.created_at)).where(
            col(AccountToken.user_id) == user_id, col(AccountToken.purpose) == purpose
        )
    )
    return latest is not None and latest > _now() - LINK_EMAIL_INTERVAL


async def _lock_user(session: AsyncSession, user_id: int) -> User | None:
    """The user row, locked: two requests for a link at once send one email, not two."""
    return await session.scalar(
        select(User)
        .where(col(User.id) == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def use_token(session: AsyncSession, token: str, purpose: TokenPurpose) -> int | None:
    """Mark the link used and return its user's id, or None when it is unknown, expired or
    already used. A concurrent second use waits for the first and then finds it used."""
    used = await session.execute(
        update(AccountToken)
        .where(
            col(AccountToken.token_hash) == hash_token(token),
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
            col(AccountToken.expires_at) > func.now(),
        )
        .values(used_at=func.now())
        .returning(col(AccountToken.user_id))
    )
    return used.scalar_one_or_none()


async def _user_of_valid_token(
    session: AsyncSession, token: str, purpose: TokenPurpose
) -> User | None:
    """Whose link this is, when it can still be used (without using it)."""
    return await session.scalar(
        select(User)
        .join(AccountToken, col(AccountToken.user_id) == User.id)
        .where(
            col(AccountToken.token_hash) == hash_token(token),
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
            col(AccountToken.expires_at) > func.now(),
            col(User.is_active).is_(True),
        )
    )


# --- email confirmation ---------------------------------------------------------------------


async def send_confirmation(session: AsyncSession, user: User, base_url: str) -> None:
    token = await _issue(session, user, TokenPurpose.CONFIRM_EMAIL)
    await notify(session, user.id or 0, "confirm_email", link=f"{base_url}/confirm-email/{token}")


async def resend_confirmation(session: AsyncSession, user_id: int, base_url: str) -> Resend:
    """A new confirmation link, at most one per LINK_EMAIL_INTERVAL."""
    user = await _lock_user(session, user_id)
    assert user is not None
    if user.email_confirmed_at is not None:
        return Resend.ALREADY_CONFIRMED
    if await _sent_lately(session, user_id, TokenPurpose.CONFIRM_EMAIL):
        return Resend.TOO_SOON
    await send_confirmation(session, user, base_url)
    return Resend.SENT


async def confirm_email(session: AsyncSession, token: str) -> User:
    """Confirm the address the link was sent to; LinkExpired if it cannot be used."""
    user_id = await use_token(session, token, TokenPurpose.CONFIRM_EMAIL)
    user = await _lock_user(session, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise LinkExpired
    if user.email_confirmed_at is None:
        user.email_confirmed_at = _now()
        await audit.record(
            session, user, "user", user, "email_confirmed", after={"email": user.email}
        )
    return user


# --- password reset -------------------------------------------------------------------------


async def request_password_reset(session: AsyncSession, email: str) -> None:
    """Queue the job that emails a reset link if an active account has this address. The
    request does the same work whether or not it has one (the job decides), so neither the
    answer nor its timing tells who has an account."""
    await defer_in(session, send_password_reset, email=email.strip().lower())


async def send_reset_link(session: AsyncSession, email: str, base_url: str) -> bool:
    """Email a reset link to the active account of `email`, at most one per
    LINK_EMAIL_INTERVAL; whether one was queued."""
    user_id = await session.scalar(
        select(col(User.id)).where(col(User.email) == email, col(User.is_active))
    )
    user = await _lock_user(session, user_id) if user_id is not None else None
    if user is None or await _sent_lately(session, user.id or 0, TokenPurpose.RESET_PASSWORD):
        return False
    token = await _issue(session, user, TokenPurpose.RESET_PASSWORD)
    await notify(session, user.id or 0, "reset_password", link=f"{base_url}/password-reset/{token}")
    return True


@jobs.task(name="send_password_reset", pass_context=True)
async def send_password_reset(context: Any, email: str) -> None:
    db, settings = worker_resources(context)
    async with db.sessionmaker() as session, session.begin():
        await send_reset_link(session, email, settings.base_url)


async def warn_of_registration_attempt(session: AsyncSession, email: str, base_url: str) -> None:
    """Someone tried to register with the address of an existing account: its owner hears
    of it (with the ways in: log in, or reset the password) instead of the caller."""
    user = await session.scalar(
        select(User).where(col(User.email) == email.strip().lower(), col(User.is_active))
    )
    if user is None:
        return
    await notify(
        session,
        user.id or 0,
        "registration_attempt",
        login_link=f"{base_url}/login",
        reset_link=f"{base_url}/password-reset",
    )


async def forget_all_failures(session: AsyncSession, email: str) -> None:
    """After a password reset: the account's failed attempts, from every address."""
    await session.execute(
        delete(LoginFailure).where(
            or_(
                col(LoginFailure.key).in_([account_key(email), code_key(email)]),
                col(LoginFailure.key).startswith(
                    account_at_address_key(email, ""), autoescape=True
                ),
            )
        )
    )


async def reset_link_is_valid(session: AsyncSession, token: str) -> bool:
    return await _user_of_valid_token(session, token, TokenPurpose.RESET_PASSWORD) is not None


async def reset_password(session: AsyncSession, token: str, password: str) -> User:
    """Set a new password through a reset link: the link is used up, every API token of the
    user is revoked, every session ends, and failed logins are forgotten. LinkExpired if the
    link cannot be used; InvalidInput (before the link is used) if the password breaks the
    rules."""
    holder = await _user_of_valid_token(session, token, TokenPurpose.RESET_PASSWORD)
    if holder is None:
        raise LinkExpired
    problem = password_problem(password, email=holder.email, full_name=holder.full_name)
    if problem:
        raise InvalidInput({"password": _(problem)})
    user_id = await use_token(session, token, TokenPurpose.RESET_PASSWORD)
    user = await _lock_user(session, user_id) if user_id is not None else None
    if user is None:
        raise LinkExpired  # used by a concurrent request a moment ago
    user.password_hash = hash_password(password)
    # The link was opened from the mailbox, so the address is proven too.
    user.email_confirmed_at = user.email_confirmed_at or _now()
    await session.execute(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose) == TokenPurpose.RESET_PASSWORD,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=func.now())
    )
    await session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user_id))
    await session.execute(delete(UserSession).where(col(UserSession.user_id) == user_id))
    await forget_all_failures(session, user.email)
    await audit.record(
        session, user, "user", user, "password_reset", after={"api_tokens_revoked": True}
    )
    return user
