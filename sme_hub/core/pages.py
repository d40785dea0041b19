"""Rendering pages: the base of the pages' controllers; one place decides full page or htmx
fragment; flash messages; the outcome of a form; the confirmation step of irreversible
actions; files sent as downloads."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from litestar import Controller, Request, Response
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from sme_hub.core.errors import Conflict, InvalidInput

T = TypeVar("T")


class PagesController(Controller):
    """A controller of HTML pages: they are not part of the API, so not in its schema."""

    include_in_schema = False


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


async def redirect_after(
    request: Request[Any, Any, Any],
    work: Awaitable[T],
    path: str,
    message: str | Callable[[T], str],
    *,
    refused: tuple[type[HTTPException], ...] = (Conflict,),
    invalid: Callable[[dict[str, str]], Awaitable[Template]] | None = None,
    category: str = "success",
) -> Template | Redirect:
    """The outcome of a form: do `work` (a service call), then redirect to `path` with
    `message` (or `message(result)`). A refusal of the kinds `refused` redirects there with
    its reason; InvalidInput, when `invalid` is given, shows the form again with its problems
    by field (`invalid(errors)`)."""
    catching: tuple[type[HTTPException], ...] = (*refused, InvalidInput) if invalid else refused
    try:
        done = await work
    except catching as exc:
        if invalid is not None and isinstance(exc, InvalidInput):
            return await invalid(exc.errors)
        return redirect_with_message(request, path, exc.detail, "error")
    said = message(done) if callable(message) else message
    return redirect_with_message(request, path, said, category)


async def posted_file(data: Mapping[str, Any], default_name: str) -> tuple[str, bytes]:
    """The name and content of the form's `file` (none posted: an empty file)."""
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        return default_name, b""
    return upload.filename or default_name, await upload.read()


def file_refusal(exc: HTTPException) -> str:
    """Why an upload was refused, to show by its file input."""
    detail = exc.errors.get("file", exc.detail) if isinstance(exc, InvalidInput) else None
    return detail or exc.detail


CONFIRM_FIELD = "confirm"
# Fields a confirmation page does not carry over: the token is the page's own.
_NOT_CARRIED = frozenset({CONFIRM_FIELD, "_csrf_token"})


def confirmed(data: Mapping[str, Any]) -> bool:
    """Whether a form of an irreversible action comes from its confirmation page."""
    return data.get(CONFIRM_FIELD) == "yes"


def confirmation(
    request: Request[Any, Any, Any],
    *,
    title: str,
    consequences: list[str],
    button: str,
    cancel: str,
    data: Mapping[str, Any] | None = None,
) -> Template:
    """The page that asks before an irreversible action (templates/confirm.html; htmx gets
    its `_confirm.html` part): what will happen, that it cannot be undone, a button posting
    the same form back to the same address with `confirm=yes`, and a way back to `cancel`.
    No script: it works the same without JavaScript and under the CSP."""
    carried = []
    for key, value in (data or {}).items():
        if key in _NOT_CARRIED:
            continue
        for one in value if isinstance(value, list) else [value]:
            carried.append((key, str(one)))
    return render(
        request,
        "confirm.html",
        fragment="_confirm.html",
        title=title,
        consequences=consequences,
        button=button,
        cancel=cancel,
        action=request.url.path,
        carried=carried,
    )


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


def file_response(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    """A download under its own name: headers are Latin-1, so a Ukrainian name goes in
    `filename*` (RFC 6266) beside an ASCII fallback."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
        },
    )
