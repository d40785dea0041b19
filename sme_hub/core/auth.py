"""Who is asking: passwords and tokens, the session, the middleware that finds the current
user, and guards (roles and the user themselves are in core/roles.py).

The middleware knows how to read a session cookie or a bearer token; how to turn an id or a
token into a user is given to it by the app (core imports no feature).
"""

import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from sme_hub.core.errors import Forbidden
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Role, role_label
from sme_hub.db import request_session

# --- passwords and tokens -------------------------------------------------------------------

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
_DUMMY_HASH = _hasher.hash("a password nobody has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing reveals nothing."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- finding the user -----------------------------------------------------------------------

# (database session, user id, password stamp, session id, whether to record "seen now")
UserBySession = Callable[[Any, int, str | None, str, bool], Awaitable[CurrentUser | None]]
UserByToken = Callable[[Any, str], Awaitable[CurrentUser | None]]

SESSION_USER_KEY = "uid"
# A fingerprint of the password hash kept in the session: changing the password (a reset)
# ends every session opened with the old one, though sessions live in signed cookies.
SESSION_STAMP_KEY = "ps"
SESSION_LOGIN_AT_KEY = "at"  # when the login completed (seconds since the epoch)
SESSION_SEEN_AT_KEY = "seen"  # the latest request of the session
# Random per login: every login is a new session, kept on the server by this id (logout,
# a password change or a deactivation ends it there, whoever kept a copy of the cookie).
SESSION_ID_KEY = "sid"
# Between the password and the second step: who, since when, where to go next. Never a login.
PENDING_TWO_FACTOR_KEY = "p2fa"

# Enforced here, on the server, not only by the cookie's Max-Age (a client can keep a cookie).
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_IDLE_SECONDS = 2 * 60 * 60
# Writing `seen` re-signs the cookie; once a minute is precise enough for a 2-hour limit.
SEEN_RESOLUTION_SECONDS = 60


def now_seconds() -> float:
    """The clock of session expiry (tests move it)."""
    return time.time()


def session_stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def session_data(user_id: int, password_hash: str) -> dict[str, Any]:
    """What a logged-in session carries; a fresh `sid`, so no earlier session survives."""
    now = int(now_seconds())
    return {
        SESSION_USER_KEY: user_id,
        SESSION_STAMP_KEY: session_stamp(password_hash),
        SESSION_LOGIN_AT_KEY: now,
        SESSION_SEEN_AT_KEY: now,
        SESSION_ID_KEY: secrets.token_urlsafe(12),
    }


def session_expired(session: dict[str, Any], now: float) -> bool:
    """Past 12 hours since the login or 2 hours since the latest request (or without the
    times at all: a session from before they were recorded)."""
    login_at = session.get(SESSION_LOGIN_AT_KEY)
    seen_at = session.get(SESSION_SEEN_AT_KEY)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    return now - login_at > SESSION_ABSOLUTE_SECONDS or now - seen_at > SESSION_IDLE_SECONDS


async def _user_of_session(
    scope: Scope, db_session: Any, user_by_session: "UserBySession"
) -> CurrentUser | None:
    """The user of a signed-in, unexpired session cookie whose session the server still
    keeps (its last-seen time refreshed)."""
    session = scope.get("session")
    if not isinstance(session, dict) or not isinstance(session.get(SESSION_USER_KEY), int):
        return None
    now = now_seconds()
    sid = session.get(SESSION_ID_KEY)
    if session_expired(session, now) or not isinstance(sid, str) or not sid:
        scope["session"] = {}  # the cookie is cleared with this response
        return None
    seen = now - session[SESSION_SEEN_AT_KEY] >= SEEN_RESOLUTION_SECONDS
    user = await user_by_session(
        db_session, session[SESSION_USER_KEY], session.get(SESSION_STAMP_KEY), sid, seen
    )
    if user is None:
        scope["session"] = {}  # ended on the server: the copy in the browser goes too
    elif seen:
        session[SESSION_SEEN_AT_KEY] = int(now)
    return user


def auth_middleware_factory(
    user_by_session: UserBySession, user_by_token: UserByToken
) -> Callable[[ASGIApp], ASGIApp]:
    """API paths authenticate by bearer token only (so they need no CSRF); pages by the
    session cookie only."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            user: CurrentUser | None = None
            # The user is read in the request's own session (one connection per request).
            if scope["type"] == ScopeType.HTTP and not scope["path"].startswith("/static/"):
                if scope["path"].startswith("/api/"):
                    header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
                    scheme, _sep, token = header.partition(" ")
                    if scheme.lower() == "bearer" and token:
                        user = await user_by_token(request_session(scope), token.strip())
                else:
                    user = await _user_of_session(scope, request_session(scope), user_by_session)
            scope["user"] = user
            await app(scope, receive, send)

        return middleware

    return factory


# --- guards ---------------------------------------------------------------------------------


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def requires_login(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException(detail=_("Please log in."))


def requires_role(
    *roles: Role,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard admitting users who hold any of `roles`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        requires_login(connection, handler)
        user = current_user(connection)
        if user is None or not user.has_role(*roles):
            raise Forbidden(
                _("This needs one of these roles: {roles}.").format(
                    roles=", ".join(role_label(role) for role in roles)
                )
            )

    return guard
