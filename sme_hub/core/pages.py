"""Rendering pages: one place decides full page or htmx fragment; flash messages."""

from typing import Any

from litestar import Request
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template


def render(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The full page, or `fragment` (a `_name.html` partial) when htmx asked for a piece."""
    is_htmx = isinstance(request, HTMXRequest) and bool(request.htmx)
    name = fragment if fragment and is_htmx else template_name
    return Template(template_name=name, context=context, status_code=status_code)


def redirect_with_message(
    request: Request[Any, Any, Any], path: str, message: str, category: str = "success"
) -> Redirect:
    """POST → redirect → GET, with a one-time message shown on the next page."""
    flash(request, message, category)
    return Redirect(path=path, status_code=303)


FLASH_KEY = "_messages"


def flash(request: Request[Any, Any, Any], message: str, category: str = "success") -> None:
    session = request.scope.get("session")
    if not isinstance(session, dict):  # cleared (logout) or never set
        session = {}
        request.set_session(session)
    session.setdefault(FLASH_KEY, []).append({"message": message, "category": category})


def pop_flashes(request: Request[Any, Any, Any]) -> list[dict[str, str]]:
    """Messages waiting for this page; none when the request never reached the session
    middleware (a 404 for an unknown path is answered before it)."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return []
    messages: list[dict[str, str]] = session.pop(FLASH_KEY, [])
    return messages
