"""Behind the documented nginx every connection comes from 127.0.0.1: the login throttling and
the audit log must see the forwarded client, and only when SME_HUB_TRUSTED_PROXIES names the
proxy (otherwise anyone could claim any address)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from litestar import Litestar

from sme_hub.accounts.rules import MAX_FAILURES_PER_ADDRESS
from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core.audit import AuditEntry
from sme_hub.db import Database
from tests.factories import PASSWORD, fetch_rows, make_user

TOKEN = "/api/v1/auth/token"
ATTACKER = {"X-Forwarded-For": "203.0.113.7"}
COLLEAGUE = {"X-Forwarded-For": "198.51.100.9"}


@asynccontextmanager
async def through_nginx(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Requests as nginx on the same host makes them: from 127.0.0.1 (Litestar's own test
    client connects from `testclient`, which is no address)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


def trusting(settings: Settings, *proxies: str) -> Litestar:
    return create_app(replace(settings, trusted_proxies=proxies))


async def fail_from_many_accounts(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """One client trying a password on many accounts: the per-address limit, not any
    account's own, is what stops it."""
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        failed = await client.post(
            TOKEN,
            json={"email": f"victim{attempt}@example.org", "password": "guess guess guess"},
            headers=headers,
        )
        assert failed.status_code == 401, failed.text


async def test_behind_a_trusted_proxy_one_attacker_is_throttled_alone(
    settings: Settings, session: Any
) -> None:
    user = await make_user(session, email="maria@example.org")
    async with through_nginx(trusting(settings, "127.0.0.1")) as client:
        await fail_from_many_accounts(client, ATTACKER)

        blocked = await client.post(
            TOKEN, json={"email": user.email, "password": PASSWORD}, headers=ATTACKER
        )
        assert blocked.status_code == 429, blocked.text
        # A client that puts a made-up address in front is still itself: nginx appends the
        # address it saw, and that one is believed.
        spoofed = await client.post(
            TOKEN,
            json={"email": user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7"},
        )
        assert spoofed.status_code == 429, spoofed.text

        colleague = await client.post(
            TOKEN, json={"email": user.email, "password": PASSWORD}, headers=COLLEAGUE
        )
        assert colleague.status_code == 200, colleague.text
        assert colleague.json()["access_token"]


async def test_without_the_setting_forwarded_addresses_are_ignored(
    app: Litestar, session: Any
) -> None:
    """The test app trusts no proxy: every request is its peer's, whatever it claims."""
    user = await make_user(session, email="maria@example.org")
    async with through_nginx(app) as client:
        await fail_from_many_accounts(client, ATTACKER)

        other = await client.post(
            TOKEN, json={"email": user.email, "password": PASSWORD}, headers=COLLEAGUE
        )
        assert other.status_code == 429, other.text


async def test_the_audit_entry_records_the_forwarded_client(
    settings: Settings, db: Database
) -> None:
    async with through_nginx(trusting(settings, "10.0.0.0/8", "127.0.0.1")) as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "email": "olena@example.org",
                "password": "sunflower fields near Poltava",
                "full_name": "Олена Коваль",
                "consent": True,
            },
            headers={"X-Forwarded-For": "198.51.100.9, 10.1.2.3"},
        )
        assert registered.status_code == 201, registered.text

    [entry] = await fetch_rows(db, AuditEntry, AuditEntry.action == "registered")
    assert entry.client_address == "198.51.100.9"


async def test_an_unforwarded_audit_entry_has_the_peer(app: Litestar, db: Database) -> None:
    async with through_nginx(app) as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "email": "olena@example.org",
                "password": "sunflower fields near Poltava",
                "full_name": "Олена Коваль",
                "consent": True,
            },
            headers=COLLEAGUE,
        )
        assert registered.status_code == 201, registered.text

    [entry] = await fetch_rows(db, AuditEntry, AuditEntry.action == "registered")
    assert entry.client_address == "127.0.0.1"
