"""Login sessions: a new session on every login (a fixated cookie is worthless), absolute
and idle expiry enforced on the server, logout clears the session."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core import auth
from sme_hub.core.auth import SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS
from tests.factories import (
    Client,
    fresh_totp_code,
    login_page,
    make_municipality,
    make_user,
    post_form,
    second_step,
)
from tests.grants_setup import use_fast_passwords
from tests.integration.test_accounts_pages import current_user_name

COOKIE = "sme_session"


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_passwords(monkeypatch)


class Clock:
    """Moves the session clock of core/auth.py."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_800_000_000.0
        monkeypatch.setattr(auth, "now_seconds", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


async def test_login_issues_a_new_session_so_a_fixated_cookie_is_worthless(
    client: Client, session: AsyncSession, app: Any
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    # An attacker's pre-login session (here: one carrying a flash message) planted in the
    # victim's browser.
    await post_form(client, "/logout", {}, page="/", follow_redirects=False)
    planted = client.cookies.get(COOKIE)
    assert planted

    response = await login_page(client, "petro@example.org")

    assert response.status_code == 303
    fresh = client.cookies.get(COOKIE)
    assert fresh and fresh != planted
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"
    # The planted cookie did not become a login: whoever holds it is still nobody.
    async with type(client)(app=app) as attacker:
        attacker.cookies.set(COOKIE, planted)
        assert current_user_name((await attacker.get("/")).text) is None
        # The old session's data is gone too, not carried into the new one.
    assert "Ви вийшли" not in (await client.get("/")).text


async def test_the_second_step_issues_another_new_session(
    client: Client, session: AsyncSession, app: Any
) -> None:
    municipality = await make_municipality(session)
    await make_user(session, auth.Role.MUNICIPAL_OFFICER, municipality.id, email="o@example.org")
    await client.get("/login")
    before = client.cookies.get(COOKIE)
    await post_form(
        client, "/login", {"email": "o@example.org", "password": "correct horse battery staple"}
    )
    pending = client.cookies.get(COOKIE)
    assert pending and pending != before

    assert (
        await second_step(client, await fresh_totp_code(client, "o@example.org") or "")
    ).status_code == 303

    logged_in = client.cookies.get(COOKIE)
    assert logged_in and logged_in != pending
    # The pending cookie, replayed, is not a login (and cannot skip the code).
    async with type(client)(app=app) as other:
        other.cookies.set(COOKIE, pending)
        assert current_user_name((await other.get("/")).text) is None


async def test_a_session_idle_for_two_hours_ends(
    client: Client, session: AsyncSession, clock: Clock
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await login_page(client, "petro@example.org")
    clock.advance(SESSION_IDLE_SECONDS - 60)
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"  # still active
    clock.advance(SESSION_IDLE_SECONDS - 60)  # 2 h less a minute since that request
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"

    clock.advance(SESSION_IDLE_SECONDS + 1)

    assert current_user_name((await client.get("/")).text) is None
    me = await client.get("/me", follow_redirects=False)
    assert me.status_code in (302, 303) and me.headers["location"].startswith("/login")


async def test_a_session_ends_twelve_hours_after_the_login_however_active(
    client: Client, session: AsyncSession, clock: Clock
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await login_page(client, "petro@example.org")
    elapsed = 0
    while elapsed + 3600 <= SESSION_ABSOLUTE_SECONDS:
        clock.advance(3600)
        elapsed += 3600
        assert current_user_name((await client.get("/")).text) == "Петро Бондар"

    clock.advance(61)

    assert current_user_name((await client.get("/")).text) is None


async def test_a_session_without_its_login_time_is_refused(
    client: Client, session: AsyncSession, app: Any
) -> None:
    """Older cookies (and any forged shape) carry no login time: not a login."""
    user = await make_user(session, email="petro@example.org")
    assert not auth.session_expired(auth.session_data(user.id or 0, user.password_hash), 0)
    stale = {auth.SESSION_USER_KEY: user.id, auth.SESSION_STAMP_KEY: "x"}
    assert auth.session_expired(stale, auth.now_seconds())


async def test_logout_clears_the_session_cookie(client: Client, session: AsyncSession) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await login_page(client, "petro@example.org")
    logged_in = client.cookies.get(COOKIE)

    response = await post_form(client, "/logout", {}, page="/", follow_redirects=False)

    assert response.status_code == 303
    assert client.cookies.get(COOKIE) != logged_in
    assert current_user_name((await client.get("/")).text) is None
