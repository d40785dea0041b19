"""Use cases of two-factor sign-in: setting up TOTP, checking a code or a recovery code,
turning it off, and an administrator's reset. Every change and recovery-code use is audited."""

import secrets
from datetime import UTC, datetime
from typing import Any

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts import login
from sme_hub.accounts.models import RecoveryCode, RoleAssignment, User
from sme_hub.accounts.rules import (
    RECOVERY_ALPHABET,
    RECOVERY_CODE_COUNT,
    RECOVERY_CODE_LENGTH,
    formatted_recovery_code,
    grouped_secret,
    looks_like_totp,
    matching_totp_step,
    normalise_code,
    provisioning_uri,
    two_factor_required,
)
from sme_hub.core import audit, crypto
from sme_hub.core.errors import Conflict, Forbidden, NotFound, TooManyRequests
from sme_hub.core.i18n import N_, _
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.db import Database

WRONG_CODE = N_("This code is not right, or it has already been used. Try the current code.")


class WrongCode(Exception):
    """The code is neither the current TOTP code (unused) nor an unused recovery code."""


def _now() -> datetime:
    return datetime.now(UTC)


def is_enabled(user: User) -> bool:
    return login.two_factor_on(user)


async def roles_of(session: AsyncSession, user_id: int) -> set[Role]:
    rows = await session.scalars(
        select(col(RoleAssignment.role)).where(col(RoleAssignment.user_id) == user_id)
    )
    return {Role(role) for role in rows.all()}


async def must_set_up(session: AsyncSession, user: User) -> bool:
    """A user whose role requires a second factor and who has none yet."""
    assert user.id is not None
    return not is_enabled(user) and two_factor_required(await roles_of(session, user.id))


def secret_of(user: User, secret_key: str) -> str:
    assert user.totp_secret is not None
    return crypto.decrypt(secret_key, user.totp_secret)


async def pending_secret(session: AsyncSession, user: User, secret_key: str) -> str:
    """The secret being set up; the same one when the setup page is opened again, so a code
    from an app that already scanned it still works."""
    if is_enabled(user):
        raise Conflict(_("Two-factor sign-in is already on."))
    if user.totp_secret is not None:
        try:
            return secret_of(user, secret_key)
        except crypto.InvalidToken:
            pass  # encrypted under an earlier secret key: start again
    secret = pyotp.random_base32()
    user.totp_secret = crypto.encrypt(secret_key, secret)
    await session.flush()
    return secret


async def _new_recovery_codes(session: AsyncSession, user_id: int, secret_key: str) -> list[str]:
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=crypto.keyed_hash(secret_key, code))
        for code in codes
    )
    await session.flush()
    return [formatted_recovery_code(code) for code in codes]


async def enable(session: AsyncSession, user: User, code: str, secret_key: str) -> list[str]:
    """Turn two-factor sign-in on with a code of the pending secret; the ten recovery codes
    are returned once (only their hashes are kept). WrongCode when the code does not match."""
    assert user.id is not None
    if is_enabled(user):
        raise Conflict(_("Two-factor sign-in is already on."))
    if user.totp_secret is None:
        raise WrongCode
    try:
        secret = secret_of(user, secret_key)
    except crypto.InvalidToken:
        raise WrongCode from None
    step = matching_totp_step(secret, normalise_code(code), _now().timestamp(), None)
    if step is None:
        raise WrongCode
    user.totp_enabled_at = _now()
    user.totp_last_step = step
    codes = await _new_recovery_codes(session, user.id, secret_key)
    await audit.record(
        session, user, "user", user.id, "two_factor_enabled", after={"recovery_codes": len(codes)}
    )
    return codes


async def _use_totp(session: AsyncSession, user: User, code: str, secret_key: str) -> bool:
    try:
        secret = secret_of(user, secret_key)
    except crypto.InvalidToken:
        return False
    step = matching_totp_step(secret, code, _now().timestamp(), user.totp_last_step)
    if step is None:
        return False
    # A guarded UPDATE: two requests with the same code at once accept it once.
    used = await session.execute(
        update(User)
        .where(
            col(User.id) == user.id,
            or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
        .returning(col(User.id))
        .execution_options(synchronize_session=False)
    )
    return used.scalar_one_or_none() is not None


async def _use_recovery_code(session: AsyncSession, user: User, code: str, secret_key: str) -> bool:
    used = await session.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == crypto.keyed_hash(secret_key, code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=func.now())
        .returning(col(RecoveryCode.id))
    )
    if used.scalar_one_or_none() is None:
        return False
    left = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.used_at).is_(None))
    )
    await audit.record(
        session, user, "user", user, "recovery_code_used", after={"recovery_codes_left": left or 0}
    )
    return True


async def verify(
    session: AsyncSession, db: Database, user: User, code: str, secret_key: str, address: str
) -> None:
    """Accept the current TOTP code (once) or an unused recovery code; otherwise the failure
    counts toward the login throttling (429 past its limits) and WrongCode is raised."""
    await login.check_code_throttle(session, user.email, address)
    normalised = normalise_code(code)
    if is_enabled(user) and normalised:
        if looks_like_totp(normalised):
            accepted = await _use_totp(session, user, normalised, secret_key)
        else:
            accepted = await _use_recovery_code(session, user, normalised, secret_key)
        if accepted:
            return
    await login.record_login_failure(db, user.email, address, code=True)
    raise WrongCode


async def disable(
    session: AsyncSession,
    db: Database,
    actor: CurrentUser,
    code: str,
    secret_key: str,
    address: str,
) -> None:
    """Turn one's own two-factor sign-in off, confirmed with a code; refused for roles that
    require it."""
    user = await session.get(User, actor.id)
    assert user is not None
    if two_factor_required(actor.roles):
        raise Forbidden(_("Your role requires two-factor sign-in: it cannot be turned off."))
    if not is_enabled(user):
        raise Conflict(_("Two-factor sign-in is already off."))
    await verify(session, db, user, code, secret_key, address)
    await _turn_off(session, user)
    await audit.record(session, actor, "user", actor.id, "two_factor_disabled")


async def _turn_off(session: AsyncSession, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    await session.flush()


async def reset(session: AsyncSession, actor: CurrentUser, user_id: int) -> None:
    """An administrator's reset for someone who lost their authenticator: the second factor
    is removed; a role that requires it sets it up again at the next login."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such user."))
    was_enabled = is_enabled(user)
    await _turn_off(session, user)
    await audit.record(
        session,
        actor,
        "user",
        user_id,
        "two_factor_reset",
        before={"enabled": was_enabled},
        after={"enabled": False},
    )


async def recovery_codes_left(session: AsyncSession, user_id: int) -> int:
    left = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    )
    return left or 0


# --- what the pages show ----------------------------------------------------------------------


def qr_svg(uri: str) -> Markup:
    """The otpauth address as an inline SVG QR code (no image request, no script)."""
    # A viewBox and no fixed size: the code scales down to a 320 px screen (app.css sizes it).
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, omitsize=True, title=_("QR code for your authenticator app")
    )
    return Markup(svg)  # noqa: S704 - segno's own markup of a URI we built


async def setup_form(session: AsyncSession, user_id: int, secret_key: str) -> dict[str, Any]:
    """The QR code and the secret (grouped for typing) of the user's pending setup."""
    user = await session.get(User, user_id)
    assert user is not None
    secret = await pending_secret(session, user, secret_key)
    return {"qr": qr_svg(provisioning_uri(secret, user.email)), "secret": grouped_secret(secret)}


async def own_setup_form(
    session: AsyncSession, user_id: int, secret_key: str
) -> dict[str, Any] | None:
    """The setup form of one's own account; None when two-factor sign-in is on already."""
    user = await session.get(User, user_id)
    assert user is not None
    if is_enabled(user):
        return None
    return await setup_form(session, user_id, secret_key)


async def check_code(
    session: AsyncSession, db: Database, user: User, code: str, secret_key: str, address: str
) -> tuple[int, str] | None:
    """None when the code is accepted, else the status and message to show (401, or 429
    when throttled)."""
    try:
        await verify(session, db, user, code, secret_key, address)
    except WrongCode:
        return 401, _(WRONG_CODE)
    except TooManyRequests as exc:
        return 429, exc.detail
    return None


async def confirm_setup(
    session: AsyncSession, db: Database, user_id: int, code: str, secret_key: str, address: str
) -> list[str] | str:
    """The recovery codes when the code confirms the pending secret, else the message
    (Conflict when two-factor sign-in is on already)."""
    user = await session.get(User, user_id)
    assert user is not None
    try:
        await login.check_code_throttle(session, user.email, address)
        return await enable(session, user, code, secret_key)
    except WrongCode:
        await login.record_login_failure(db, user.email, address, code=True)
        return _(WRONG_CODE)
    except TooManyRequests as exc:
        return exc.detail
