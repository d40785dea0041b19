"""Throttling beyond the login form: a password that confirms a step counts with the login
failures, and an account locks first only for the address the failures came from."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import LoginFailure, User
from sme_hub.accounts.rules import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS,
)
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import (
    PASSWORD,
    Client,
    count_rows,
    fetch_rows,
    fresh_totp_code,
    login_page,
    make_municipality,
    make_user,
    post_form,
    requests_from,
    text_of,
    token_headers,
)

TOKEN = "/api/v1/auth/token"
EMAIL = "petro@example.org"
WRONG = "not my password at all"
TOO_MANY_UK = "Забагато невдалих спроб. Зачекайте 15 хвилин і спробуйте знову."


pytestmark = pytest.mark.usefixtures("fast_passwords")


# --- confirming a step with the password ----------------------------------------------------


async def test_wrong_passwords_confirming_an_api_deletion_are_throttled(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_user(session, email=EMAIL)
    headers = await token_headers(client, EMAIL)
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        wrong = await client.post("/api/v1/me/delete", json={"password": WRONG}, headers=headers)
        assert wrong.status_code == 422, wrong.text

    blocked = await client.post("/api/v1/me/delete", json={"password": PASSWORD}, headers=headers)

    assert blocked.status_code == 429, blocked.text
    assert blocked.json()["detail"]
    [user] = await fetch_rows(db, User, User.email == EMAIL)
    assert user.is_active  # not deleted
    # Counted with the login failures: the login form is locked for this address too.
    assert (
        await client.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
    ).status_code == 429


async def test_wrong_current_passwords_on_the_account_page_are_throttled(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email=EMAIL)
    await login_page(client, EMAIL)
    form = {"current_password": WRONG, "new_password": "a brand new long passphrase"}
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        assert (
            await post_form(client, "/account/password", form, page="/account")
        ).status_code == (422)

    right = {**form, "current_password": PASSWORD}
    blocked = await post_form(client, "/account/password", right, page="/account")

    assert blocked.status_code == 429
    assert TOO_MANY_UK in text_of(blocked.text)


async def test_wrong_passwords_on_the_deletion_page_are_throttled_in_english_too(
    client: Client, session: AsyncSession, db: Database
) -> None:
    user = await make_user(session, email=EMAIL)
    user.locale = "en"
    await session.commit()
    await login_page(client, EMAIL)
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        wrong = await post_form(client, "/me/delete", {"password": WRONG})
        assert wrong.status_code == 422

    blocked = await post_form(client, "/me/delete", {"password": PASSWORD})

    assert blocked.status_code == 429
    assert "Too many failed attempts. Please wait 15 minutes" in text_of(blocked.text)
    assert await count_rows(db, User, User.is_active) == 1


# --- locking per address before locking the account -----------------------------------------


async def test_failures_from_one_address_do_not_lock_the_account_elsewhere(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email=EMAIL)
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        failed = await client.post(TOKEN, json={"email": EMAIL, "password": WRONG})
        assert failed.status_code == 401

    # Client A (the test client's address) is locked out of this account, right password or not.
    assert (
        await client.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
    ).status_code == 429
    # Client B signs in.
    with requests_from(client, "203.0.113.20") as elsewhere:
        response = await elsewhere.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text


async def _lock_everywhere(client: Client, email: str) -> None:
    """Failures spread over addresses, none of them past its own limit."""
    for number in range(MAX_FAILURES_PER_ACCOUNT // MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        with requests_from(client, f"198.51.100.{number + 1}") as guesser:
            for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
                failed = await guesser.post(TOKEN, json={"email": email, "password": WRONG})
                assert failed.status_code == 401, failed.text


async def test_an_account_locked_everywhere_still_lets_in_password_and_second_factor(
    client: Client, session: AsyncSession, db: Database
) -> None:
    municipality = await make_municipality(session)
    await make_user(session, Role.MUNICIPAL_OFFICER, municipality.id, email=EMAIL)
    await _lock_everywhere(client, EMAIL)

    with requests_from(client, "203.0.113.30") as owner:
        wrong = await owner.post(TOKEN, json={"email": EMAIL, "password": WRONG})
        no_code = await owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
        code = await fresh_totp_code(client, EMAIL)
        right = await owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD, "otp": code})

    assert wrong.status_code == 429, wrong.text  # a guess from a new address is locked out
    assert no_code.status_code == 401, no_code.text  # the password alone is not enough
    assert right.status_code == 200, right.text
    # The complete login forgets the account's failures.
    assert await count_rows(db, LoginFailure, LoginFailure.key == f"email:{EMAIL}") == 0


async def test_an_account_locked_everywhere_lets_in_through_the_login_pages_with_a_code(
    client: Client, session: AsyncSession
) -> None:
    municipality = await make_municipality(session)
    await make_user(session, Role.MUNICIPAL_OFFICER, municipality.id, email=EMAIL)
    await _lock_everywhere(client, EMAIL)

    response = await login_page(client, EMAIL)

    assert response.status_code == 303, response.text
    assert (await client.get("/account")).status_code == 200


async def test_an_account_without_a_second_factor_locked_everywhere_stays_locked(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email=EMAIL)
    await _lock_everywhere(client, EMAIL)

    with requests_from(client, "203.0.113.40") as owner:
        response = await owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})

    assert response.status_code == 429, response.text


async def test_strangers_locking_the_account_do_not_stop_its_owner_changing_the_password(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email=EMAIL)
    await login_page(client, EMAIL)
    await _lock_everywhere(client, EMAIL)

    changed = await post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new long passphrase"},
        page="/account",
        follow_redirects=False,
    )

    assert changed.status_code == 303, changed.text
