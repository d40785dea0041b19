"""The password policy where passwords are chosen: registration (page and API), the admin's
new accounts, the reset link and the account page's change of password."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import ApiToken, User
from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import (
    PASSWORD,
    Client,
    count_rows,
    current_user_name,
    fetch_rows,
    field_error,
    login_page,
    make_user,
    post_form,
    register_form,
    text_of,
    token_headers,
)

COMMON = "password2026!"
COMMON_UK = "Цей пароль — один із найпоширеніших: виберіть інший."


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def test_registration_refuses_a_common_password_in_both_languages(
    client: Client, db: Database
) -> None:
    page = await post_form(client, "/register", register_form(password=COMMON))
    assert page.status_code == 422
    assert field_error(page.text, "password") == COMMON_UK

    api = await client.post(
        "/api/v1/auth/register?lang=en",
        json={
            "email": "olena@example.org",
            "full_name": "Olena Koval",
            "password": "qwertyuiop123456",
            "consent": True,
        },
    )
    assert api.status_code == 400  # the API's validation errors, as elsewhere
    assert "one of the most common ones" in api.text
    assert await count_rows(db, User) == 0


async def test_the_admin_cannot_give_a_common_password(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_user(session, Role.ADMIN, email="admin@example.org")
    admin = await token_headers(client, "admin@example.org")
    response = await client.post(
        "/api/v1/admin/users",
        headers=admin,
        json={
            "email": "new@example.org",
            "full_name": "Нова Особа",
            "password": "1qaz2wsx3edc",
            "roles": [{"role": "entrepreneur"}],
        },
    )
    assert response.status_code == 400
    assert "one of the most common ones" in response.text or "найпоширеніших" in response.text
    assert await count_rows(db, User, User.email == "new@example.org") == 0


async def test_changing_the_password_on_the_account_page(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await token_headers(client, "petro@example.org")
    await login_page(client, "petro@example.org")

    wrong = await post_form(
        client,
        "/account/password",
        {"current_password": "not it", "new_password": "a brand new sunflower password"},
        page="/account",
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "current_password") == "Пароль неправильний."
    common = await post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": COMMON},
        page="/account",
    )
    assert common.status_code == 422
    assert field_error(common.text, "new_password") == COMMON_UK

    done = await post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new sunflower password"},
        page="/account",
        follow_redirects=False,
    )

    assert done.status_code == 303
    page = await client.get("/account")
    assert current_user_name(page.text) == "Петро Бондар"  # this session goes on
    assert "Ваш пароль змінено." in text_of(page.text)
    assert await count_rows(db, ApiToken) == 0  # tokens of the old password are revoked
    assert "password_changed" in [e.action for e in await fetch_rows(db, AuditEntry)]
    new_login = await login_page(client, "petro@example.org", "a brand new sunflower password")
    assert new_login.status_code == 303
