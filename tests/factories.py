"""Arranging data for tests through the real services, and logging in over HTTP."""

import html as html_module
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pyotp
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.testing.transport import TestClientTransport
from sqlalchemy import func, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import ApiToken, RoleAssignment, User
from sme_hub.accounts.rules import two_factor_required
from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
from sme_hub.admin import users as accounts
from sme_hub.config import Settings, to_libpq_url
from sme_hub.core import crypto
from sme_hub.core.auth import hash_password, new_token
from sme_hub.core.jobs import ensure_job_schema
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.db import Database
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate
from sme_hub.partners import directory as partner_directory
from sme_hub.partners.schemas import PartnerCreate, PartnerRead
from sme_hub.training.models import Cohort, TrainingSession

PASSWORD = "correct horse battery staple"
# The settings of the test app (conftest.py) and the TOTP secret every admin and municipal
# officer made by `make_user` has, so logins through the helpers pass the second step.
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# A partner as an admin enters it (the body of POST /api/v1/admin/partners).
BANK = {
    "name": "Банк «Довіра»",
    "kind": "bank",
    "sector": "private",
    "services": ["Мікрокредит", "Лізинг обладнання"],
    "address": "Львів, пл. Ринок, 1",
    "website": "https://bank.example.org",
    "contact_email": "sme@bank.example.org",
    "contact_phone": "+380 32 000 00 00",
    "description_uk": "Кредити для малого бізнесу.",
    "description_en": "Loans for small businesses.",
    "latitude": "49.841952",
    "longitude": "24.031592",
}
SYSTEM = CurrentUser(id=0, email="system", full_name="tests", locale="uk", email_confirmed=True)

Client = AsyncTestClient[Litestar]

_counter = 0


def _next() -> int:
    global _counter
    _counter += 1
    return _counter


async def make_municipality(session: AsyncSession, **fields: Any) -> Municipality:
    n = _next()
    data = {
        "name_uk": f"Громада {n}",
        "name_en": f"Community {n}",
        "katottg": f"UA{46060250000000000 + n:017d}",
        "oblast": "UA46000000000026241",
        **fields,
    }
    municipality = await organisations.create_municipality(
        session, SYSTEM, MunicipalityCreate(**data)
    )
    await session.commit()
    return municipality


async def make_centre(
    session: AsyncSession, municipality: Municipality, **fields: Any
) -> SupportCentre:
    assert municipality.id is not None
    data = {
        "municipality_id": municipality.id,
        "name": f"Центр {_next()}",
        "address": "вул. Тестова, 1",
        **fields,
    }
    centre = await organisations.create_centre(session, SYSTEM, CentreCreate(**data))
    await session.commit()
    return centre


async def job_settings(database_url: str, data_dir: Path, **fields: Any) -> Settings:
    """Settings on a scratch database of a test's own with procrastinate's tables, for a job
    worker run in the test (no server's worker can take the job there)."""
    await ensure_job_schema(database_url)
    return Settings(
        env="development",
        database_url=database_url,
        data_dir=data_dir,
        secret_key=TEST_SECRET_KEY,
        **fields,
    )


async def make_partner(session: AsyncSession, **fields: Any) -> PartnerRead:
    data = {"name": f"Партнер {_next()}", "kind": "incubator", "sector": "private", **fields}
    partner = await partner_directory.create_partner(session, SYSTEM, PartnerCreate(**data))
    await session.commit()
    return partner


async def make_user(
    session: AsyncSession,
    role: Role = Role.ENTREPRENEUR,
    organisation_id: int | None = None,
    *,
    email: str | None = None,
    oblast: str | None = None,
    full_name: str = "Тестова Особа",
    two_factor: bool = True,
) -> User:
    email = email or f"user{_next()}@example.org"
    user = await accounts.create_user(
        session,
        SYSTEM,
        AdminUserCreate(
            email=email,
            full_name=full_name,
            password=PASSWORD,
            roles=[GrantRequest(role=role, organisation_id=organisation_id, oblast=oblast)],
        ),
    )
    if two_factor and two_factor_required({role}):
        enable_test_totp(user)
    await session.commit()
    return user


def enable_test_totp(user: User, secret: str = TEST_TOTP_SECRET) -> None:
    """Two-factor sign-in on with a known secret, as if set up (no recovery codes, no audit
    entry, so tests counting those see only their own)."""
    user.totp_secret = crypto.encrypt(TEST_SECRET_KEY, secret)
    user.totp_enabled_at = datetime.now(UTC)


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


async def fresh_totp_code(client: Client, email: str) -> str | None:
    """The current code of the user's authenticator, or None without two-factor sign-in.
    The remembered last step is forgotten first: helpers log one person in many times within
    30 seconds, which the replay protection would rightly refuse. (A plain connection: the
    test client runs the app on an event loop of its own.)"""
    url = to_libpq_url(client.app.state.settings.database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "UPDATE user_account SET totp_last_step = NULL"
            " WHERE email = %s AND totp_enabled_at IS NOT NULL RETURNING totp_secret",
            (email.lower(),),
        ).fetchone()
    return totp_code(crypto.decrypt(TEST_SECRET_KEY, row[0])) if row else None


async def token_headers(client: Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """A bearer token, with the current TOTP code when the user has two-factor sign-in."""
    body = {"email": email, "password": password}
    if code := await fresh_totp_code(client, email):
        body["otp"] = code
    response = await client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class _TransportFrom(TestClientTransport[Litestar]):
    def __init__(self, host: str, client: Client) -> None:
        super().__init__(client=client)
        self.host = host

    def parse_request(self, request: Any) -> dict[str, Any]:
        return {**super().parse_request(request), "client": (self.host, 50000)}


@contextmanager
def requests_from(client: Client, host: str) -> Iterator[Client]:
    """Meanwhile the client's requests come from `host` (the ASGI scope's client, which
    Litestar's test client fixes at "testclient"), for what is counted per client address.
    The same client, not a second one: a second test client would start the app again (its
    own database engine, on its own event loop)."""
    original = client._transport
    client._transport = _TransportFrom(host, client)
    try:
        yield client
    finally:
        client._transport = original


def csrf_token(client: Client) -> str:
    token = client.cookies.get("csrftoken")
    assert token, "GET a page first: it sets the CSRF cookie"
    return token


async def post_form(
    client: Client, path: str, data: dict[str, str], *, page: str | None = None, **kwargs: Any
) -> Any:
    """Submit a page form like a browser: fetch the page (CSRF cookie), post with the token."""
    await client.get(page or path)
    return await client.post(path, data={**data, "_csrf_token": csrf_token(client)}, **kwargs)


async def login_page(client: Client, email: str, password: str = PASSWORD, **form: str) -> Any:
    """Log in through the pages like a person; with two-factor sign-in on, the second step is
    answered with the current code and its response is returned."""
    response = await post_form(
        client, "/login", {"email": email, "password": password, **form}, follow_redirects=False
    )
    if response.status_code == 303 and response.headers["location"] == "/login/two-factor":
        return await second_step(client, await fresh_totp_code(client, email) or "")
    return response


async def second_step(client: Client, code: str) -> Any:
    return await post_form(client, "/login/two-factor", {"code": code}, follow_redirects=False)


def text_of(html: str) -> str:
    """Visible text, roughly: enough to assert on messages."""
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


async def count_rows(db: Database, model: Any, *conditions: Any) -> int:
    """How many rows of `model` match, read in a fresh session (what is committed)."""
    async with db.sessionmaker() as fresh:
        return await fresh.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


async def fetch_rows(db: Database, model: Any, *conditions: Any) -> list[Any]:
    """Committed rows of `model` matching `conditions`, in key order, from a fresh session."""
    async with db.sessionmaker() as fresh:
        statement = select(model).where(*conditions).order_by(*inspect(model).primary_key)
        return list((await fresh.scalars(statement)).all())


def error_keys(response: Any) -> set[str]:
    """The fields named in a JSON error's `extra`."""
    return {item["key"] for item in response.json().get("extra") or []}


def field_error(page_html: str, name: str) -> str:
    """The message shown beside form field `name` ("" when there is none)."""
    found = re.search(rf'<small id="e-{re.escape(name)}"[^>]*>(.*?)</small>', page_html, re.S)
    return text_of(found.group(1)).strip() if found else ""


async def move_cohort_back(session: AsyncSession, cohort_id: int, days: int) -> None:
    """Let `days` pass for a cohort: its dates and its sessions' move that far into the past
    (a cohort starts no earlier than its first day, and finishes no earlier than its last)."""
    shift = timedelta(days=days)
    await session.execute(
        update(Cohort)
        .where(Cohort.id == cohort_id)  # type: ignore[arg-type]
        .values(
            starts_on=Cohort.starts_on - shift,
            ends_on=Cohort.ends_on - shift,
            enrolment_deadline=Cohort.enrolment_deadline - shift,
        )
    )
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.cohort_id == cohort_id)  # type: ignore[arg-type]
        .values(starts_at=TrainingSession.starts_at - shift)
    )
    await session.commit()


async def bulk_entrepreneurs(session: AsyncSession, n: int) -> list[dict[str, Any]]:
    """`n` entrepreneurs, each with a bearer token, in one transaction: one argon2 hash for
    all of them and no logins (110 × create_user + login would take most of a minute)."""
    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    stamp = now.strftime("%H%M%S%f")
    emails = [f"race-{stamp}-{i}@example.org" for i in range(n)]
    ids = (
        await session.scalars(
            insert(User).returning(col(User.id), sort_by_parameter_order=True),
            [
                {
                    "email": email,
                    "full_name": f"Підприємець {i}",
                    "password_hash": password_hash,
                    "locale": "uk",
                    "is_active": True,
                    "email_confirmed_at": now,
                    "consent_at": now,
                    "consent_version": "test",
                }
                for i, email in enumerate(emails)
            ],
        )
    ).all()
    await session.execute(
        insert(RoleAssignment), [{"user_id": i, "role": Role.ENTREPRENEUR.value} for i in ids]
    )
    tokens = [new_token() for _ in ids]
    await session.execute(
        insert(ApiToken),
        [
            {"user_id": i, "token_hash": token_hash, "expires_at": now + timedelta(hours=1)}
            for i, (_token, token_hash) in zip(ids, tokens, strict=True)
        ],
    )
    await session.commit()
    return [
        {"id": i, "email": email, "headers": {"Authorization": f"Bearer {token}"}}
        for i, email, (token, _hash) in zip(ids, emails, tokens, strict=True)
    ]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pdftotext, from poppler-utils), one space between words."""
    if shutil.which("pdftotext") is None:
        reason = "pdftotext (poppler-utils) is not installed"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def current_user_name(page_html: str) -> str | None:
    """The name in the header's "signed in" badge, if any."""
    marker = 'data-testid="current-user">'
    if marker not in page_html:
        return None
    return page_html.split(marker, 1)[1].split("<", 1)[0]


def register_form(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Олена Коваль",
        "email": "Olena@Example.org",
        "phone": "",
        "password": NEW_PASSWORD,
        "locale": "uk",
        "consent": "true",
        **overrides,
    }


TODAY = date.today()  # noqa: DTZ011 - the app's dates are calendar dates too


NEW_PASSWORD = "sunflower fields near Poltava"
