"""The request log: one line per request with the status that was sent, the request id and
the client's address."""

import logging
from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar import Litestar

from sme_hub.app import create_app
from sme_hub.config import Settings
from tests.factories import Client


def request_lines(caplog: pytest.LogCaptureFixture, path: str) -> list[dict[str, Any]]:
    """The structlog events of the request log for `path` (the record's msg is the event)."""
    return [
        record.msg
        for record in caplog.records
        if record.name == "sme_hub.http"
        and isinstance(record.msg, dict)
        and record.msg.get("path") == path
    ]


async def test_a_csrf_refusal_is_logged_with_the_403_it_sends(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    await client.get("/login")  # the CSRF cookie, but no token in the form
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sme_hub.http"):
        refused = await client.post("/login", data={"email": "a@example.org", "password": "x"})

    assert refused.status_code == 403
    [line] = request_lines(caplog, "/login")
    assert line["status"] == 403
    assert line["method"] == "POST"
    assert line["request_id"] == refused.headers["x-request-id"]


async def test_a_path_no_route_matches_is_logged_too(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sme_hub.http"):
        missing = await client.get("/no-such-page")

    assert missing.status_code == 404
    [line] = request_lines(caplog, "/no-such-page")
    assert line["status"] == 404
    assert line["request_id"] == missing.headers["x-request-id"]


@pytest.fixture
def behind_nginx(settings: Settings) -> Litestar:
    """Made before the test runs: create_app sets up logging anew, and that would drop the
    handler through which caplog listens."""
    return create_app(replace(settings, trusted_proxies=("127.0.0.1",)))


async def test_the_log_carries_the_forwarded_client(
    behind_nginx: Litestar, caplog: pytest.LogCaptureFixture
) -> None:
    app = behind_nginx
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as proxied,
    ):
        with caplog.at_level(logging.INFO, logger="sme_hub.http"):
            answered = await proxied.get("/privacy", headers={"X-Forwarded-For": "203.0.113.7"})

    assert answered.status_code == 200
    [line] = request_lines(caplog, "/privacy")
    assert line["client"] == "203.0.113.7"
