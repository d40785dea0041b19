"""Fuzzing the JSON API with schemathesis, in-process over ASGI: every operation of the
OpenAPI schema, as an anonymous caller and with the bearer token of a few roles — no input
may cause a server error, and responses follow the schema. Each 500 it found has a
regression test in test_input_limits.py."""

import itertools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from sme_hub.accounts import login as accounts
from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core import auth
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import make_centre, make_municipality, make_user
from tests.grants_setup import LVIV


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings) -> Litestar:
    """An app of its own: schemathesis runs it (and keeps its lifespan running) on an event
    loop thread of its own, which the other tests' app must not share."""
    return create_app(settings)


@pytest.fixture
async def callers(
    db: Database, monkeypatch: pytest.MonkeyPatch, fast_passwords: None
) -> dict[str, dict[str, str]]:
    """Headers per caller: none, and a bearer token of an entrepreneur, an officer, an admin
    (made here, not over the login API, whose throttling the fuzzing itself may trip)."""
    # Fuzzed logins and registrations hash passwords: cheaply, as the users made here.
    monkeypatch.setattr(auth, "_DUMMY_HASH", auth.hash_password("a password nobody has"))
    async with db.sessionmaker() as session:
        lviv = await make_municipality(session, katottg=LVIV)
        await make_centre(session, lviv)
        users = {
            "entrepreneur": await make_user(session, Role.ENTREPRENEUR),
            "officer": await make_user(session, Role.MUNICIPAL_OFFICER, lviv.id),
            "admin": await make_user(session, Role.ADMIN),
        }
        headers = {"anonymous": {}}
        for name, user in users.items():
            token, _expires = await accounts.issue_token(session, user)
            headers[name] = {"Authorization": f"Bearer {token}"}
        await session.commit()
    return headers


# The schema is read at collection, before the test database exists: from an app whose
# database is never reached (serving /schema needs none); the cases then call `fuzz_app`.
SCHEMA_ONLY = Settings(
    env="development",
    database_url="postgresql://schema-only@127.0.0.1:1/none",
    secret_key="schema-only-secret-key-that-is-long-enough-0123",
)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(SCHEMA_ONLY))
# The coverage phase's boundary values stay (they found the ids beyond int4); its calls with
# methods an operation does not have only meet Litestar's 405, tested in test_errors_and_docs.
schema.config.phases.coverage.unexpected_methods = set()


# Each generated case goes to the next caller in turn: every caller meets every operation
# with some of its cases, at a quarter of the time of sending each case four times.
ROTATION = itertools.count()


@schema.parametrize()
@hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_breaks_the_api(
    case: Any, fuzz_app: Litestar, callers: dict[str, dict[str, str]]
) -> None:
    headers = list(callers.values())[next(ROTATION) % len(callers)]
    case.call_and_validate(
        app=fuzz_app, headers=headers, checks=[not_a_server_error, response_schema_conformance]
    )
