"""Security headers on every response (pages, API, static files, errors): a strict Content
Security Policy, no framing, no sniffing, and HSTS in production."""

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# No inline scripts or styles anywhere: htmx's indicator <style> is turned off in base.html
# and the templates' style="" attributes are classes in app.css. Map tiles come from
# OpenStreetMap (partners/views.py TILES).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org https://*.tile.openstreetmap.org; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
# The interactive API docs at /schema are Litestar's Scalar page: its script and styles come
# from a CDN and it writes inline styles, so that page alone gets a relaxed policy (still no
# inline scripts, no framing, no plugins).
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; "
    "font-src 'self' data: https://cdn.jsdelivr.net https://fonts.scalar.com; "
    "img-src 'self' data: https:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
DOCS_PREFIX = "/schema"
HSTS = "max-age=31536000; includeSubDomains"

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(path: str) -> str:
    if path.startswith(DOCS_PREFIX) and not path.endswith((".json", ".yaml", ".yml")):
        return DOCS_CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY


def security_headers_hook(*, production: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook: it sees every response, including 404s for unknown paths and
    500s, which route middleware would miss."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in COMMON_HEADERS.items():
            headers[name] = value  # one value, even where a handler set its own
        headers["Content-Security-Policy"] = content_security_policy(scope.get("path", ""))
        if production:
            headers["Strict-Transport-Security"] = HSTS

    return add_headers
