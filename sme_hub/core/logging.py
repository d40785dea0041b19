"""Structured logs (JSON in production) carrying the request id and the client's address."""

import logging
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sme_hub.core.proxies import client_host

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# The client as core/proxies.py sees it (the forwarded address behind a trusted proxy).
client_address_var: ContextVar[str | None] = ContextVar("client_address", default=None)

log = structlog.get_logger("sme_hub.http")


def _add_request_id(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("request_id", request_id)
    return event


def configure_logging(*, json: bool) -> None:
    """Route stdlib and structlog records through one structlog renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for chatty in ("alembic", "procrastinate", "asyncio", "pgserver"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Take X-Request-ID from the caller (if sane) or make one; echo it; log each request.
    Installed around Litestar's router (app.py), not as route middleware: an exception raised
    in route middleware (CSRF's 403, for one) becomes a response only outside of it, and the
    log must carry the status that was sent."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else None
        request_id = request_id or uuid.uuid4().hex
        request_id_var.set(request_id)
        client_address_var.set(client_host(scope))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            if not scope["path"].startswith("/static/"):
                log.info(
                    "request",
                    method=scope.get("method", ""),
                    path=scope["path"],
                    status=status,
                    client=client_address_var.get(),
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )

    return middleware
