"""The login session: the pending marker between the password and the second step, a fresh
session (new cookie, old data dropped, a new row on the server) on every completed login, and
its end at logout; the same checks before an API token."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts import login, two_factor, user_sessions
from sme_hub.accounts.models import User
from sme_hub.accounts.schemas import TokenRequest
from sme_hub.core import navigation
from sme_hub.core.auth import (
    PENDING_TWO_FACTOR_KEY,
    SESSION_ID_KEY,
    now_seconds,
    session_data,
    session_stamp,
)
from sme_hub.core.errors import Forbidden
from sme_hub.core.i18n import N_, _
from sme_hub.core.pages import redirect_with_message
from sme_hub.db import Database, request_session

# The second step must follow the password soon; after that, the password again.
PENDING_SECONDS = 10 * 60
SECOND_STEP_PATH = "/login/two-factor"
SETUP_PATH = "/login/two-factor/setup"
OTP_MISSING = N_(
    "Two-factor sign-in is on for this account: send the code of your authenticator app "
    "(or a recovery code) in the otp field."
)
OTP_WRONG = N_("The two-factor code is wrong or has already been used.")


@dataclass(frozen=True)
class Pending:
    user_id: int
    stamp: str
    next_path: str | None  # the local page asked for, if any
    setup: bool

    def matches(self, user: User | None) -> bool:
        """Still the same account with the same password (a reset in between ends it)."""
        return (
            user is not None and user.is_active and self.stamp == session_stamp(user.password_hash)
        )


def begin_second_step(
    request: Request[Any, Any, Any], user: User, next_path: str | None, *, setup: bool
) -> Redirect:
    """The password was right: a new session that only remembers who is half-way in."""
    assert user.id is not None
    request.clear_session()
    request.set_session(
        {
            PENDING_TWO_FACTOR_KEY: {
                "uid": user.id,
                "ps": session_stamp(user.password_hash),
                "since": int(now_seconds()),
                "next": next_path,
                "setup": setup,
            }
        }
    )
    return Redirect(path=SETUP_PATH if setup else SECOND_STEP_PATH, status_code=303)


def pending(request: Request[Any, Any, Any]) -> Pending | None:
    session = request.scope.get("session")
    marker = session.get(PENDING_TWO_FACTOR_KEY) if isinstance(session, dict) else None
    if not isinstance(marker, dict) or not isinstance(marker.get("uid"), int):
        return None
    since = marker.get("since")
    if not isinstance(since, int) or now_seconds() - since > PENDING_SECONDS:
        return None
    return Pending(
        user_id=marker["uid"],
        stamp=str(marker.get("ps", "")),
        next_path=str(marker["next"]) if marker.get("next") else None,
        setup=bool(marker.get("setup")),
    )


def current_sid(request: Request[Any, Any, Any]) -> str:
    """The id of this request's signed-in session ("" without one)."""
    session = request.scope.get("session")
    sid = session.get(SESSION_ID_KEY) if isinstance(session, dict) else None
    return sid if isinstance(sid, str) else ""


async def start_session(request: Request[Any, Any, Any], user: User, address: str) -> None:
    """Logged in: whatever the session held before (a pre-login cookie someone planted, the
    pending marker) is dropped and a new session with a new id is issued and recorded (with
    the browser and the client address, for the owner's list of sessions)."""
    assert user.id is not None
    request.clear_session()
    data = session_data(user.id, user.password_hash)
    await user_sessions.open_session(
        request_session(request.scope),
        user.id,
        data[SESSION_ID_KEY],
        request.headers.get("user-agent", ""),
        address,
    )
    request.set_session(data)


async def end_session(request: Request[Any, Any, Any]) -> None:
    """Logout: the session ends on the server, so a copy of the cookie opens nothing."""
    if sid := current_sid(request):
        await user_sessions.end_session(request_session(request.scope), sid)
    request.clear_session()


async def complete_login(
    request: Request[Any, Any, Any], user: User, next_path: str, address: str
) -> Redirect:
    await start_session(request, user, address)
    return redirect_with_message(
        request, next_path, _("Welcome, {name}!").format(name=user.full_name)
    )


async def pending_user(
    request: Request[Any, Any, Any], session: AsyncSession, *, setup: bool
) -> tuple[Pending, User] | None:
    """The half-logged-in user of this session, when the marker is fresh and of this step."""
    marker = pending(request)
    if marker is None or marker.setup != setup:
        return None
    user = await session.get(User, marker.user_id)
    if user is None or not marker.matches(user):
        return None
    return marker, user


async def landing(session: AsyncSession, user: User, next_path: str | None) -> str:
    """Where a completed sign-in goes: the page asked for (a local `next`), else where the
    user's work is (core/navigation.py)."""
    if next_path:
        return next_path
    assert user.id is not None
    return navigation.landing_path(await two_factor.roles_of(session, user.id))


async def finish_login(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    user: User,
    next_path: str | None,
    address: str,
) -> Redirect:
    """Signed in (after the second step, where there is one): failures forgotten, a new
    session, on to the landing page."""
    await login.forget_failures(session, user.email, address)
    return await complete_login(request, user, await landing(session, user, next_path), address)


async def after_password(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    user: User,
    next_path: str | None,
    address: str,
) -> Redirect:
    """The password was right: on to the second step, to its setup, or signed in."""
    if two_factor.is_enabled(user):
        return begin_second_step(request, user, next_path, setup=False)
    if await two_factor.must_set_up(session, user):
        return begin_second_step(request, user, next_path, setup=True)
    return await finish_login(request, session, user, next_path, address)


async def finish_setup(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    user: User,
    next_path: str | None,
    address: str,
) -> str:
    """Two-factor sign-in set up at login: signed in from this response on; the landing page
    (shown after the recovery codes)."""
    await login.forget_failures(session, user.email, address)
    await start_session(request, user, address)
    return await landing(session, user, next_path)


async def api_token(
    session: AsyncSession,
    db: Database,
    data: TokenRequest,
    secret_key: str,
    address: str,
) -> tuple[str, datetime]:
    """A bearer token for email, password and (when two-factor sign-in is on) `otp`: 401
    when wrong or missing, 403 when the role requires a second factor not set up yet."""
    try:
        user = await login.authenticate(session, db, data.email, data.password, address)
    except login.WrongCredentials:
        raise NotAuthorizedException(detail=_("Wrong email or password.")) from None
    if two_factor.is_enabled(user):
        if not data.otp:
            raise NotAuthorizedException(detail=_(OTP_MISSING))
        try:
            await two_factor.verify(session, db, user, data.otp, secret_key, address)
        except two_factor.WrongCode:
            raise NotAuthorizedException(detail=_(OTP_WRONG)) from None
    elif await two_factor.must_set_up(session, user):
        raise Forbidden(_("Set up two-factor sign-in on the website first."))
    await login.forget_failures(session, user.email, address)
    return await login.issue_token(session, user)
