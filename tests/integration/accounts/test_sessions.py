"""Login sessions: a new session on every login (a fixated cookie is worthless), absolute
and idle expiry enforced on the server, logout clears the session."""

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import UserSession
from sme_hub.core import auth
from sme_hub.core.auth import SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS
from sme_hub.core.roles import Role
from tests.factories import (
    PASSWORD,
    Client,
    current_user_name,
    fresh_totp_code,
    login_page,
    make_municipality,
    make_user,
    post_form,
    second_step,
    text_of,
    token_headers,
)

COOKIE = "sme_session"


pytestmark = pytest.mark.usefixtures("fast_passwords")


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
    await make_user(session, Role.MUNICIPAL_OFFICER, municipality.id, email="o@example.org")
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


# --- sessions kept on the server --------------------------------------------------------------

NEW_PASSWORD = "a brand new long passphrase"


def use_cookie(client: Client, cookie: str | None) -> None:
    """The client becomes the browser holding `cookie` (no session with None)."""
    client.cookies.delete(COOKIE)
    if cookie:
        client.cookies.set(COOKIE, cookie, domain="testserver.local")


async def login_elsewhere(client: Client, email: str, user_agent: str = "testclient") -> str:
    """Log in as another browser would (one test client: a second one would start the app
    again); the client is left as the browser it was. The other browser's cookie."""
    mine = client.cookies.get(COOKIE)
    use_cookie(client, None)
    client.headers["user-agent"] = user_agent
    try:
        response = await login_page(client, email)
        assert response.status_code == 303, response.text
        theirs = client.cookies.get(COOKIE)
    finally:
        client.headers["user-agent"] = "testclient"
        use_cookie(client, mine)
    assert theirs
    return theirs


async def name_seen_with(client: Client, cookie: str) -> str | None:
    """Whose name the header shows to the browser holding `cookie`."""
    mine = client.cookies.get(COOKIE)
    use_cookie(client, cookie)
    try:
        return current_user_name((await client.get("/")).text)
    finally:
        use_cookie(client, mine)


async def live_sessions(session: AsyncSession, user_id: int | None = None) -> list[UserSession]:
    await session.commit()  # a fresh snapshot
    statement = select(UserSession).order_by(col(UserSession.id))
    if user_id is not None:
        statement = statement.where(col(UserSession.user_id) == user_id)
    return list((await session.scalars(statement)).all())


async def test_a_cookie_copied_before_logout_opens_nothing_after_it(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await login_page(client, "petro@example.org")
    copied = client.cookies.get(COOKIE)
    assert copied

    await post_form(client, "/logout", {}, page="/", follow_redirects=False)

    use_cookie(client, copied)  # the copy, replayed
    account = await client.get("/account", follow_redirects=False)
    assert account.status_code in (302, 303)
    assert account.headers["location"].startswith("/login")
    use_cookie(client, copied)
    assert current_user_name((await client.get("/")).text) is None
    assert await live_sessions(session) == []


async def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    other = await login_elsewhere(client, "petro@example.org")
    await login_page(client, "petro@example.org")
    assert await name_seen_with(client, other) == "Петро Бондар"
    headers = await token_headers(client, "petro@example.org")

    changed = await post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        page="/account",
        follow_redirects=False,
    )

    assert changed.status_code == 303, changed.text
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"
    assert await name_seen_with(client, other) is None
    # Bearer tokens end with the password too.
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_an_administrators_deactivation_ends_the_sessions_at_once(
    client: Client, session: AsyncSession
) -> None:
    person = await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await make_user(session, Role.ADMIN, email="admin@example.org")
    await login_page(client, "petro@example.org")
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"
    person_headers = await token_headers(client, "petro@example.org")
    admin = await token_headers(client, "admin@example.org")

    response = await client.post(f"/api/v1/admin/users/{person.id}/deactivate", headers=admin)

    assert response.status_code == 204, response.text
    assert current_user_name((await client.get("/")).text) is None
    assert (await client.get("/api/v1/me", headers=person_headers)).status_code == 401
    assert (await login_page(client, "petro@example.org")).status_code == 401
    assert await live_sessions(session, person.id) == []


async def test_the_administrators_page_deactivates_an_account(
    client: Client, session: AsyncSession
) -> None:
    person = await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    admin = await make_user(session, Role.ADMIN, email="admin@example.org")
    theirs = await login_elsewhere(client, "petro@example.org")
    await login_page(client, "admin@example.org")
    admin_page = (await client.get("/admin")).text
    assert f'action="/admin/users/{person.id}/deactivate"' in admin_page
    assert f'action="/admin/users/{admin.id}/deactivate"' not in admin_page  # not oneself

    # There is no way back: the page asks first, and nothing changes until it is confirmed.
    asked = await post_form(client, f"/admin/users/{person.id}/deactivate", {}, page="/admin")
    assert asked.status_code == 200
    assert "Деактивувати обліковий запис Петро Бондар?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert await name_seen_with(client, theirs) == "Петро Бондар"

    response = await post_form(
        client,
        f"/admin/users/{person.id}/deactivate",
        {"confirm": "yes"},
        page="/admin",
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert await name_seen_with(client, theirs) is None
    refused = await post_form(client, f"/admin/users/{admin.id}/deactivate", {}, page="/admin")
    assert refused.status_code == 403


async def test_the_account_page_lists_the_sessions_and_signs_out_everywhere_else(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
    phone = await login_elsewhere(client, "petro@example.org", android)
    await login_page(client, "petro@example.org")
    headers = await token_headers(client, "petro@example.org")

    page = await client.get("/account")

    assert page.status_code == 200
    assert page.text.count('data-testid="session"') == 2
    text = text_of(page.text)
    assert "Chrome, Android" in text
    assert "testclient" in text  # the test client's user agent and address
    assert "Цей сеанс" in text

    response = await post_form(
        client, "/account/sessions/sign-out-everywhere", {}, page="/account", follow_redirects=False
    )

    assert response.status_code == 303
    assert await name_seen_with(client, phone) is None
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (await client.get("/account")).text.count('data-testid="session"') == 1


async def test_signing_out_one_other_session(client: Client, session: AsyncSession) -> None:
    petro = await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    maria = await make_user(session, email="maria@example.org", full_name="Марія Левченко")
    laptop = await login_elsewhere(client, "petro@example.org")
    [laptop_session] = await live_sessions(session, petro.id)
    stranger = await login_elsewhere(client, "maria@example.org")
    [marias] = await live_sessions(session, maria.id)
    await login_page(client, "petro@example.org")

    # Someone else's session is "not found", and goes on.
    foreign = await post_form(client, f"/account/sessions/{marias.id}/end", {}, page="/account")
    assert foreign.status_code == 404
    assert await name_seen_with(client, stranger) == "Марія Левченко"

    ended = await post_form(
        client,
        f"/account/sessions/{laptop_session.id}/end",
        {},
        page="/account",
        follow_redirects=False,
    )

    assert ended.status_code == 303
    assert await name_seen_with(client, laptop) is None
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"
    assert len(await live_sessions(session, petro.id)) == 1
