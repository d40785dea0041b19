"""Logging in: email and password with throttling of failed attempts, and API tokens."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import ApiToken, LoginFailure, User
from sme_hub.accounts.rules import (
    LOGIN_WINDOW_SECONDS,
    TOKEN_LIFETIME_HOURS,
    Throttle,
    account_at_address_key,
    account_key,
    address_key,
    code_key,
)
from sme_hub.core.auth import new_token
from sme_hub.core.auth import verify_password as password_matches
from sme_hub.core.errors import TooManyRequests
from sme_hub.core.i18n import _
from sme_hub.db import Database


class WrongCredentials(Exception):
    """Email and password do not match an active account."""


def _now() -> datetime:
    return datetime.now(UTC)


async def failures(session: AsyncSession, email: str, address: str) -> Throttle:
    """Recent failures of this account and this client address (one statement)."""
    keys = {
        "account": account_key(email),
        "address": address_key(address),
        "pair": account_at_address_key(email, address),
        "codes": code_key(email),
    }
    since = _now() - timedelta(seconds=LOGIN_WINDOW_SECONDS)
    counts = dict(
        (
            await session.execute(
                select(col(LoginFailure.key), func.count())
                .where(col(LoginFailure.key).in_(keys.values()))
                .where(col(LoginFailure.failed_at) >= since)
                .group_by(LoginFailure.key)
            )
        ).all()
    )
    return Throttle(
        for_account=counts.get(keys["account"], 0),
        for_address=counts.get(keys["address"], 0),
        for_account_at_address=counts.get(keys["pair"], 0),
        codes_for_account=counts.get(keys["codes"], 0),
    )


def too_many_failures() -> TooManyRequests:
    return TooManyRequests(
        _("Too many failed attempts. Please wait 15 minutes and try again."),
        headers={"Retry-After": str(LOGIN_WINDOW_SECONDS)},
    )


async def check_throttle(session: AsyncSession, email: str, address: str) -> None:
    """Before a signed-in person confirms a step with their password: 429 when this account
    failed too often from this address, or this address did. Not the account-wide lock:
    strangers elsewhere must not keep the owner from changing a password under attack."""
    if (await failures(session, email, address)).blocked_here:
        raise too_many_failures()


async def check_code_throttle(session: AsyncSession, email: str, address: str) -> None:
    """Before a second-factor code: the account-wide lock of passwords does not apply (the
    password was right), the limits of this address and of wrong codes do."""
    if (await failures(session, email, address)).codes_blocked:
        raise too_many_failures()


async def record_login_failure(
    db: Database, email: str, address: str, *, code: bool = False
) -> None:
    """Committed on its own: the request's transaction is rolled back with the 401."""
    keys = [account_key(email), address_key(address), account_at_address_key(email, address)]
    if code:
        keys.append(code_key(email))
    async with db.sessionmaker() as session, session.begin():
        session.add_all([LoginFailure(key=key) for key in keys])


def two_factor_on(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


async def authenticate(
    session: AsyncSession, db: Database, email: str, password: str, address: str
) -> User:
    """The active account of this email and password. 429 past the limits of this address;
    past the account-wide limit too, unless the password is right and a second factor will
    be asked (the owner still gets in while strangers keep the account locked)."""
    throttle = await failures(session, email, address)
    if throttle.blocked_here:
        raise too_many_failures()
    user = await session.scalar(select(User).where(col(User.email) == email.lower()))
    right = password_matches(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        right = False
    if throttle.account_locked:
        if right and user is not None and two_factor_on(user):
            return user
        raise too_many_failures()
    if not right:
        await record_login_failure(db, email, address)
        raise WrongCredentials
    assert user is not None
    return user


async def forget_failures(session: AsyncSession, email: str, address: str) -> None:
    """After a complete login (the second step too, where there is one): the account's
    failed attempts no longer count. Not after the password alone, or knowing the password
    would reset the count of wrong codes."""
    await session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.key).in_(
                [account_key(email), code_key(email), account_at_address_key(email, address)]
            )
        )
    )


async def issue_token(session: AsyncSession, user: User) -> tuple[str, datetime]:
    token, token_hash = new_token()
    expires_at = _now() + timedelta(hours=TOKEN_LIFETIME_HOURS)
    assert user.id is not None
    session.add(ApiToken(user_id=user.id, token_hash=token_hash, expires_at=expires_at))
    await session.flush()
    return token, expires_at
