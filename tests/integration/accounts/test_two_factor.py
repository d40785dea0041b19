"""Two-factor sign-in (TOTP with recovery codes): required for admins and municipal officers,
optional for everyone else; over the pages and the token API; audited; throttled."""

import re
from typing import Any

import pyotp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import LoginFailure, RecoveryCode, User
from sme_hub.accounts.rules import MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS, totp_step
from sme_hub.core import crypto
from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import (
    PASSWORD,
    TEST_SECRET_KEY,
    TEST_TOTP_SECRET,
    Client,
    count_rows,
    current_user_name,
    fetch_rows,
    fresh_totp_code,
    login_page,
    make_municipality,
    make_user,
    post_form,
    second_step,
    text_of,
    token_headers,
)

TOKEN = "/api/v1/auth/token"
OFFICER = "officer@example.org"


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def make_officer(session: AsyncSession, *, two_factor: bool = True) -> User:
    municipality = await make_municipality(session)
    return await make_user(
        session, Role.MUNICIPAL_OFFICER, municipality.id, email=OFFICER, two_factor=two_factor
    )


async def password_step(client: Client, email: str, next_path: str = "/") -> Any:
    return await post_form(
        client,
        "/login",
        {"email": email, "password": PASSWORD, "next": next_path},
        follow_redirects=False,
    )


async def audit_actions(db: Database) -> list[str]:
    return [entry.action for entry in await fetch_rows(db, AuditEntry)]


# --- required: setting it up at the first login ----------------------------------------------


async def test_an_officer_without_two_factor_must_set_it_up_before_anything_else(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_officer(session, two_factor=False)

    response = await password_step(client, OFFICER, "/municipality/calls")

    assert response.status_code == 303
    assert response.headers["location"] == "/login/two-factor/setup"
    # Half-way in is not logged in: no page of the role opens.
    assert current_user_name((await client.get("/")).text) is None
    calls = await client.get("/municipality/calls", follow_redirects=False)
    assert calls.status_code in (302, 303) and calls.headers["location"].startswith("/login")
    # The second-step page of a user with TOTP is not the way round the setup either.
    assert (await client.get("/login/two-factor", follow_redirects=False)).status_code == 303

    page = await client.get("/login/two-factor/setup")
    assert page.status_code == 200
    assert "<svg" in page.text and "Налаштуйте двоетапний вхід" in text_of(page.text)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert secret is not None
    secret_text = secret.group(1).replace(" ", "")
    # Opening the page again shows the same secret (an app that scanned it keeps working).
    assert secret.group(1) in (await client.get("/login/two-factor/setup")).text
    [stored] = await fetch_rows(db, User)
    assert stored.totp_secret is not None and secret_text not in stored.totp_secret  # encrypted
    assert crypto.decrypt(TEST_SECRET_KEY, stored.totp_secret) == secret_text

    wrong = await post_form(
        client, "/login/two-factor/setup", {"code": "000000"}, page="/login/two-factor/setup"
    )
    assert wrong.status_code == 422
    assert "Цей код неправильний" in text_of(wrong.text)

    done = await post_form(
        client,
        "/login/two-factor/setup",
        {"code": pyotp.TOTP(secret_text).now()},
        page="/login/two-factor/setup",
    )

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/municipality/calls"' in done.text
    assert current_user_name((await client.get("/")).text) == "Тестова Особа"
    hashes = {row.code_hash for row in await fetch_rows(db, RecoveryCode)}
    assert len(hashes) == 10
    assert not hashes & {c.replace("-", "") for c in codes}  # only keyed hashes are kept
    assert "two_factor_enabled" in await audit_actions(db)


async def test_the_api_refuses_an_officer_who_has_not_set_it_up(
    client: Client, session: AsyncSession
) -> None:
    await make_officer(session, two_factor=False)

    response = await client.post(TOKEN, json={"email": OFFICER, "password": PASSWORD})

    assert response.status_code == 403
    assert response.json()["detail"] == "Спершу налаштуйте двоетапний вхід на сайті."


# --- the second step -------------------------------------------------------------------------


async def test_the_second_step_logs_in_only_with_the_right_code(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_officer(session)
    response = await password_step(client, OFFICER, "/municipality/calls")
    assert response.headers["location"] == "/login/two-factor"
    assert current_user_name((await client.get("/")).text) is None

    wrong = await second_step(client, "123456")
    assert wrong.status_code == 401
    assert "Цей код неправильний" in text_of(wrong.text)
    assert await count_rows(db, LoginFailure, LoginFailure.key == f"email:{OFFICER}") == 1

    right = await second_step(client, await fresh_totp_code(client, OFFICER) or "")

    assert right.status_code == 303
    assert right.headers["location"] == "/municipality/calls"
    home = await client.get("/")
    assert current_user_name(home.text) == "Тестова Особа"
    assert "Вітаємо, Тестова Особа!" in text_of(home.text)
    # A complete login forgets the failed attempts.
    assert await count_rows(db, LoginFailure, LoginFailure.key == f"email:{OFFICER}") == 0


async def test_a_code_is_accepted_only_once(
    client: Client, session: AsyncSession, app: Any
) -> None:
    await make_officer(session)
    code = await fresh_totp_code(client, OFFICER)
    assert code is not None
    await password_step(client, OFFICER)
    assert (await second_step(client, code)).status_code == 303

    async with type(client)(app=app) as other:
        await password_step(other, OFFICER)
        replay = await second_step(other, code)
        assert replay.status_code == 401
        assert current_user_name((await other.get("/")).text) is None

        api = await other.post(TOKEN, json={"email": OFFICER, "password": PASSWORD, "otp": code})
        assert api.status_code == 401


async def test_a_code_of_the_last_step_used_or_earlier_is_refused(
    client: Client, session: AsyncSession, db: Database
) -> None:
    """The remembered step, not only the code: the previous step's code (inside the ±1
    window) is refused once the current one was used."""
    officer = await make_officer(session)
    totp = pyotp.TOTP(TEST_TOTP_SECRET)
    now = totp_step(__import__("time").time())
    officer.totp_last_step = now
    session.add(officer)
    await session.commit()
    previous = totp.at((now - 1) * 30)

    response = await client.post(
        TOKEN, json={"email": OFFICER, "password": PASSWORD, "otp": previous}
    )

    assert response.status_code == 401


async def test_wrong_codes_count_toward_the_throttling(
    client: Client, session: AsyncSession
) -> None:
    await make_officer(session)
    await password_step(client, OFFICER)
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        assert (await second_step(client, "000000")).status_code == 401

    blocked = await second_step(client, await fresh_totp_code(client, OFFICER) or "")

    assert blocked.status_code == 429
    assert "Забагато невдалих спроб." in text_of(blocked.text)
    assert current_user_name((await client.get("/")).text) is None


async def test_a_recovery_code_works_once_and_is_audited(
    client: Client, session: AsyncSession, db: Database
) -> None:
    user = await make_user(session, email="olena@example.org", full_name="Олена Коваль")
    assert (await login_page(client, "olena@example.org")).status_code == 303
    await client.get("/account/two-factor")
    [stored] = await fetch_rows(db, User)
    secret = crypto.decrypt(TEST_SECRET_KEY, stored.totp_secret or "")
    shown = await post_form(
        client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()}, page="/account"
    )
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown.text)
    assert len(codes) == 10
    await post_form(client, "/logout", {}, page="/")

    await password_step(client, "olena@example.org")
    used = await second_step(client, codes[0].upper().replace("-", " "))  # as people type it
    assert used.status_code == 303
    assert "recovery_code_used" in await audit_actions(db)

    await post_form(client, "/logout", {}, page="/")
    await password_step(client, "olena@example.org")
    assert (await second_step(client, codes[0])).status_code == 401
    account = await client.get("/account")
    assert current_user_name(account.text) is None
    assert user.id is not None


# --- the token API ---------------------------------------------------------------------------


async def test_the_token_api_needs_the_code_when_two_factor_is_on(
    client: Client, session: AsyncSession
) -> None:
    await make_officer(session)

    missing = await client.post(TOKEN, json={"email": OFFICER, "password": PASSWORD})
    assert missing.status_code == 401
    assert "otp" in missing.json()["detail"]
    wrong = await client.post(TOKEN, json={"email": OFFICER, "password": PASSWORD, "otp": "1"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Код двоетапного входу неправильний або вже використаний."

    headers = await token_headers(client, OFFICER)
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["two_factor"] is True


async def test_an_entrepreneur_logs_in_with_a_password_alone_until_they_turn_it_on(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email="olena@example.org")
    response = await client.post(TOKEN, json={"email": "olena@example.org", "password": PASSWORD})
    assert response.status_code == 200
    login = await password_step(client, "olena@example.org")
    assert login.headers["location"] == "/"


# --- optional: the account page --------------------------------------------------------------


async def test_an_entrepreneur_turns_two_factor_on_and_off(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_user(session, email="olena@example.org")
    await login_page(client, "olena@example.org")
    account = await client.get("/account")
    assert account.status_code == 200
    assert "Вимкнено: ваш обліковий запис відкриває лише пароль." in text_of(account.text)

    setup = await client.get("/account/two-factor")
    assert "<svg" in setup.text
    [stored] = await fetch_rows(db, User)
    secret = crypto.decrypt(TEST_SECRET_KEY, stored.totp_secret or "")
    enabled = await post_form(
        client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()}, page="/account"
    )
    assert enabled.status_code == 200
    assert "Двоетапний вхід увімкнено" in text_of(enabled.text)
    page = text_of((await client.get("/account")).text)
    assert "Залишилося 10 кодів відновлення." in page

    # Now the API wants the code too.
    token = await client.post(TOKEN, json={"email": "olena@example.org", "password": PASSWORD})
    assert token.status_code == 401

    wrong = await post_form(client, "/account/two-factor/disable", {"code": "000000"})
    assert wrong.status_code == 401
    off = await post_form(
        client,
        "/account/two-factor/disable",
        {"code": await fresh_totp_code(client, "olena@example.org") or ""},
        page="/account",
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert "Двоетапний вхід вимкнено." in text_of((await client.get("/account")).text)
    assert await count_rows(db, RecoveryCode) == 0
    actions = await audit_actions(db)
    assert "two_factor_enabled" in actions and "two_factor_disabled" in actions


async def test_an_officer_cannot_turn_it_off(client: Client, session: AsyncSession) -> None:
    await make_officer(session)
    await login_page(client, OFFICER)
    account = await client.get("/account")
    assert "тому його не можна вимкнути" in text_of(account.text)

    response = await post_form(
        client,
        "/account/two-factor/disable",
        {"code": await fresh_totp_code(client, OFFICER) or ""},
        page="/account",
    )

    assert response.status_code == 403
    assert await fresh_totp_code(client, OFFICER) is not None  # still on


# --- the administrator's reset ---------------------------------------------------------------


async def test_an_admin_resets_an_officers_two_factor(
    client: Client, session: AsyncSession, db: Database
) -> None:
    officer = await make_officer(session)
    await make_user(session, Role.ADMIN, email="admin@example.org")
    admin = await token_headers(client, "admin@example.org")
    officer_headers = await token_headers(client, OFFICER)
    url = f"/api/v1/admin/users/{officer.id}/two-factor/reset"

    assert (await client.post(url, headers=officer_headers)).status_code == 403
    assert (
        await client.post("/api/v1/admin/users/999999/two-factor/reset", headers=admin)
    ).status_code == 404
    response = await client.post(url, headers=admin)

    assert response.status_code == 204
    [entry] = [e for e in await fetch_rows(db, AuditEntry) if e.action == "two_factor_reset"]
    assert entry.object_id == str(officer.id)
    # The officer sets it up again at the next login.
    login = await password_step(client, OFFICER)
    assert login.headers["location"] == "/login/two-factor/setup"


async def test_the_admin_page_resets_two_factor_with_a_button(
    client: Client, session: AsyncSession, db: Database
) -> None:
    officer = await make_officer(session)
    await make_user(session, Role.ADMIN, email="admin@example.org")
    await login_page(client, "admin@example.org")
    page = await client.get("/admin")
    assert f'action="/admin/users/{officer.id}/two-factor/reset"' in page.text

    response = await post_form(
        client,
        f"/admin/users/{officer.id}/two-factor/reset",
        {},
        page="/admin",
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert "Двоетапний вхід для цього облікового запису скинуто." in text_of(
        (await client.get("/admin")).text
    )
    assert await fresh_totp_code(client, OFFICER) is None
