"""The request's language: the middleware choosing it (query, cookie, user, browser), the
cookie remembering a choice, and links to the current page in another language."""

from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sme_hub.core.i18n import LOCALES, choose_locale, current_locale

LANG_COOKIE = "lang"


def lang_url(request: Any, locale: str) -> str:
    """The current page in another language, keeping its other query parameters."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return "?" + urlencode([*params, ("lang", locale)])


def _lang_cookie(locale: str, scope: Scope) -> str:
    """No script reads it; sent over HTTPS only in production."""
    settings = getattr(scope["litestar_app"].state, "settings", None)
    secure = "; Secure" if getattr(settings, "is_production", False) else ""
    return f"{LANG_COOKIE}={locale}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}"


def locale_middleware(app: ASGIApp) -> ASGIApp:
    """Set the request's language; remember a `?lang=` choice in a cookie for a year."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        headers = Headers.from_scope(scope)
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except CookieError:
            cookies.clear()
        remembered = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
        user = scope.get("user")
        locale = choose_locale(
            query,
            remembered,
            getattr(user, "locale", None),
            headers.get("accept-language", ""),
        )
        current_locale.set(locale)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-language", locale.encode())]
                if query in LOCALES:
                    extra.append((b"set-cookie", _lang_cookie(locale, scope).encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware
