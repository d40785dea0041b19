"""Errors services raise, and the handlers that answer them as JSON (API) or pages."""

import logging
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy import exc as sa_exc

from sme_hub.core.i18n import _, choose_locale, current_locale
from sme_hub.core.locale_web import LANG_COOKIE

log = logging.getLogger(__name__)


class NotFound(NotFoundException):
    """Absent, or another tenant's: both answer 404 so tenants can't probe each other."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail=detail or _("Not found."))


class Forbidden(PermissionDeniedException):
    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail=detail or _("You are not allowed to do this."))


class Conflict(HTTPException):
    status_code = 409


class TooManyRequests(HTTPException):
    status_code = 429


class TooLarge(HTTPException):
    status_code = 413


class UnsupportedType(HTTPException):
    status_code = 415


class StorageFull(HTTPException):
    """The file store has no room left (ENOSPC, a quota): nothing of the file is kept."""

    status_code = 507

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail=detail
            or _(
                "The server has no room left to store files. Nothing was saved: please try "
                "again later, and tell the support centre if it happens again."
            )
        )


class InvalidInput(HTTPException):
    """Every failed rule at once, each with its field: `extra` is a list of
    `{"key": field, "message": text}` as Litestar's own validation errors are."""

    status_code = 422

    def __init__(self, errors: dict[str, str], detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(
            detail=detail or _("Some fields need your attention."),
            extra=[{"key": key, "message": message} for key, message in errors.items()],
        )


def is_api(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/schema", "/health", "/metrics"))


def _use_request_locale(request: Request[Any, Any, Any]) -> None:
    """An unknown path is answered before the locale middleware runs: choose the language
    here by the same rules, so its error page is not always Ukrainian."""
    user = request.scope.get("user")
    current_locale.set(
        choose_locale(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            getattr(user, "locale", None),
            request.headers.get("accept-language", ""),
        )
    )


def _error_page(request: Request[Any, Any, Any], status_code: int, detail: str) -> Template:
    _use_request_locale(request)
    if detail in {status.phrase for status in HTTPStatus if status.value == status_code}:
        # Litestar's stock English text ("Not Found"): say it in the page's language.
        stock = {
            404: _("Not found."),
            # The server refused a body over a route's limit before any handler saw it.
            413: _("The file is too large: files may be at most 10 MB."),
        }
        detail = stock.get(status_code, "")
    titles = {
        403: _("Access denied"),
        404: _("Page not found"),
        409: _("This cannot be done now"),
        413: _("The file is too large"),
        415: _("This type of file is not accepted"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Temporarily unavailable"),
        507: _("No room to store files"),
    }
    return Template(
        template_name="errors/error.html",
        context={
            "status_code": status_code,
            "title": titles.get(status_code, _("Error")),
            "detail": detail,
        },
        status_code=status_code,
    )


CSRF_FAILURE = "CSRF token verification failed"  # Litestar's CSRF middleware, in English


def handle_http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Any] | Template | Redirect:
    if is_api(request):
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
        if exc.extra:
            body["extra"] = exc.extra
        headers = dict(exc.headers or {})
        return Response(
            body, status_code=exc.status_code, media_type=MediaType.JSON, headers=headers
        )
    if isinstance(exc, NotAuthorizedException):
        return Redirect(path=f"/login?next={request.url.path}")
    if isinstance(exc, ValidationException):
        return _error_page(request, 400, _("The form could not be read. Please try again."))
    if exc.detail == CSRF_FAILURE:
        return _error_page(
            request,
            403,
            _(
                "The form has expired or came from another page. Go back, reload the page and "
                "send it again."
            ),
        )
    return _error_page(request, exc.status_code, exc.detail)


def handle_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_api(request):
        return Response(
            {"status_code": 500, "detail": _("Internal server error. It has been logged.")},
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return _error_page(request, 500, _("We have logged the error. Please try again later."))


# SQLSTATE classes of a lost or refused connection: 08 (connection exception) and 57P0x
# (the server shut down or terminated the backend, or cannot take connections yet).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_unavailable(exc: BaseException) -> bool:
    """Whether the error is the database being out of reach (the connection was killed, the
    server restarted, the pool timed out) rather than a fault of the request or the code."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    return exc.connection_invalidated or sqlstate_of(exc).startswith(_UNAVAILABLE_STATES)


def sqlstate_of(exc: sa_exc.DBAPIError) -> str:
    """The SQLSTATE PostgreSQL (or the driver) gave the error, found along its causes."""
    cause: BaseException | None = exc.orig
    while cause is not None:
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str):
            return state
        cause = cause.__cause__
    return ""


INT4_MAX = 2**31 - 1  # ids are PostgreSQL `integer`s


def is_data_error(exc: sa_exc.DBAPIError) -> bool:
    """PostgreSQL (or the driver, before sending) refused a value as data: SQLSTATE class
    22 — a number out of range, a NUL character in text, a date out of range, …"""
    return sqlstate_of(exc).startswith("22")


def handle_database_error(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[Any] | Template | Redirect:
    """503 with a message when the database went away mid-request (the transaction is rolled
    back: nothing was saved). Input the database cannot hold is the caller's mistake (4xx),
    not a server error: an id beyond PostgreSQL's integers names nothing (404), any other
    such value is 422; the transaction is rolled back as for every 4xx. Any other database
    error is a 500 like every bug."""
    if database_unavailable(exc):
        return _database_unavailable(request, exc)
    if not isinstance(exc, sa_exc.DBAPIError) or not is_data_error(exc):
        return handle_internal_error(request, exc)
    ids = [v for v in request.path_params.values() if isinstance(v, int)]
    if any(not -INT4_MAX - 1 <= value <= INT4_MAX for value in ids):
        return handle_http_exception(request, NotFound())
    return handle_http_exception(
        request,
        InvalidInput(
            {},
            detail=_(
                "A value cannot be stored: a number is too large, a date is out of range "
                "or a text contains a NUL character."
            ),
        ),
    )


def _database_unavailable(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[Any] | Template:
    log.error("database unavailable on %s %s", request.method, request.url.path, exc_info=exc)
    detail = _(
        "The database could not be reached for a moment. Nothing was saved: please try again."
    )
    headers = {"Retry-After": "5"}
    if is_api(request):
        return Response(
            {"status_code": 503, "detail": detail},
            status_code=503,
            media_type=MediaType.JSON,
            headers=headers,
        )
    page = _error_page(request, 503, detail)
    page.headers.update(headers)
    return page


def handle_runtime_error(
    request: Request[Any, Any, Any], exc: RuntimeError
) -> Response[Any] | Template | Redirect:
    """Litestar looks for the first file of a multipart body bound to an `UploadFile` with
    `next()`: a form without any file ends that search in a StopIteration, which Python
    turns into this RuntimeError before the handler runs. It is the caller's mistake."""
    if isinstance(exc.__cause__, StopIteration) and request.content_type[0].startswith(
        "multipart/"
    ):
        return handle_http_exception(
            request, ValidationException(detail=_("Attach a file: the form has none."))
        )
    return handle_internal_error(request, exc)


exception_handlers: dict[Any, Any] = {
    HTTPException: handle_http_exception,
    sa_exc.DBAPIError: handle_database_error,
    sa_exc.TimeoutError: handle_database_error,
    RuntimeError: handle_runtime_error,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_internal_error,
}
