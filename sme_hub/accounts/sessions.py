"""The login session: the pending marker between the password and the second step, a fresh
session (new cookie, old data dropped, a new row on the server) on every completed login, and
its end at logout."""

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Redirect

from sme_hub.accounts import user_sessions
from sme_hub.accounts.models import User
from sme_hub.core.auth import (
    PENDING_TWO_FACTOR_KEY,
    SESSION_ID_KEY,
    now_seconds,
    session_data,
    session_stamp,
)
from sme_hub.core.i18n import _
from sme_hub.core.pages import redirect_with_message
from sme_hub.db import request_session

# The second step must follow the password soon; after that, the password again.
PENDING_SECONDS = 10 * 60
SECOND_STEP_PATH = "/login/two-factor"
SETUP_PATH = "/login/two-factor/setup"


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
