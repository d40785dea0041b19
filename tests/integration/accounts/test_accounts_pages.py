"""The registration, login and logout pages: forms with CSRF, messages in the user's language."""

import re
from typing import Any

import pytest

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.accounts.rules import CONSENT_VERSION, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS
from sme_hub.core.auth import hash_password
from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import (
    NEW_PASSWORD,
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
)


def without(form: dict[str, str], *keys: str) -> dict[str, str]:
    return {k: v for k, v in form.items() if k not in keys}


# --- rendering ------------------------------------------------------------------------------


async def test_register_page_renders_in_ukrainian(client: Client) -> None:
    response = await client.get("/register")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="uk">' in response.text
    text = text_of(response.text)
    assert "Створіть обліковий запис підприємця" in text
    for name in ("full_name", "email", "password", "consent", "_csrf_token"):
        assert f'name="{name}"' in response.text
    assert client.cookies.get("csrftoken")


async def test_login_page_renders_in_ukrainian(client: Client) -> None:
    response = await client.get("/login")

    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    assert "Увійти" in text_of(response.text)
    assert 'name="_csrf_token"' in response.text
    # Without a `next`, the login lands where the person's work is (core/navigation.py).
    assert 'name="next"' not in response.text


async def test_login_page_keeps_only_a_local_next(client: Client) -> None:
    local = await client.get("/login?next=/admin")
    assert 'name="next" value="/admin"' in local.text
    foreign = await client.get("/login?next=//evil.example.com/")
    assert 'name="next"' not in foreign.text


async def test_pages_follow_the_browser_language(client: Client) -> None:
    response = await client.get("/register", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "Create an entrepreneur's account" in text_of(response.text)


# --- registering ----------------------------------------------------------------------------


REGISTERED_UK = (
    "Дякуємо. Ми надіслали лист на olena@example.org: відкрийте посилання в ньому, щоб "
    "підтвердити адресу, а потім увійдіть зі своєю електронною поштою та паролем."
)


async def test_register_creates_the_account_and_asks_to_log_in(
    client: Client, db: Database
) -> None:
    response = await post_form(client, "/register", register_form(), follow_redirects=False)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/login"
    [user] = await fetch_rows(db, User)
    assert user.email == "olena@example.org"
    assert user.full_name == "Олена Коваль"
    assert user.phone is None  # an empty optional field is stored as nothing
    assert user.consent_at is not None
    assert user.consent_version == CONSENT_VERSION
    [assignment] = await fetch_rows(db, RoleAssignment, RoleAssignment.user_id == user.id)
    assert assignment.role == Role.ENTREPRENEUR
    # Not logged in yet (a taken address gets this same answer): the login page says why.
    login = await client.get("/login")
    assert current_user_name(login.text) is None
    assert REGISTERED_UK in text_of(login.text)

    assert (await login_page(client, "olena@example.org", NEW_PASSWORD)).status_code == 303
    home = await client.get("/")
    assert current_user_name(home.text) == "Олена Коваль"
    assert "Підприємець" in text_of(home.text)


async def test_register_in_english_switches_the_pages_to_english_once_logged_in(
    client: Client,
) -> None:
    response = await post_form(
        client, "/register", register_form(locale="en"), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    await login_page(client, "olena@example.org", NEW_PASSWORD)

    home = await client.get("/")

    assert '<html lang="en">' in home.text
    assert "Hello, Олена Коваль" in text_of(home.text)


async def test_register_without_consent_shows_the_error_and_stores_nothing(
    client: Client, db: Database
) -> None:
    response = await post_form(client, "/register", without(register_form(), "consent"))

    assert response.status_code == 422
    text = text_of(response.text)
    assert "Потрібно погодитися на обробку ваших персональних даних." in text
    assert "Деякі поля потребують уваги." in text
    assert field_error(response.text, "consent") == (
        "Потрібно погодитися на обробку ваших персональних даних."
    )
    assert 'aria-invalid="true"' in response.text
    # What was typed is kept, except the password.
    assert 'value="Олена Коваль"' in response.text
    assert NEW_PASSWORD not in response.text
    assert await count_rows(db, User) == 0
    assert current_user_name(response.text) is None


async def test_register_with_a_short_password_shows_the_error_by_the_field(
    client: Client, db: Database
) -> None:
    response = await post_form(client, "/register", register_form(password="short"))

    assert response.status_code == 422
    assert "Використайте щонайменше 12 символів." in text_of(response.text)
    assert field_error(response.text, "password") == "Використайте щонайменше 12 символів."
    assert field_error(response.text, "full_name") == ""
    assert field_error(response.text, "email") == ""
    assert await count_rows(db, User) == 0


async def test_register_shows_every_problem_at_once(client: Client, db: Database) -> None:
    response = await post_form(
        client,
        "/register",
        without(register_form(email="not-an-email", full_name="", password="short"), "consent"),
    )

    assert response.status_code == 422
    for field in ("full_name", "email", "password", "consent"):
        assert field_error(response.text, field), field
    text = text_of(response.text)
    assert "Використайте щонайменше 12 символів." in text
    assert "Потрібно погодитися на обробку ваших персональних даних." in text
    assert await count_rows(db, User) == 0


async def test_register_with_a_taken_email_answers_like_a_new_one(
    client: Client, session: Any, db: Database
) -> None:
    await make_user(session, email="olena@example.org", full_name="Олена Коваль")

    response = await post_form(
        client, "/register", register_form(email="OLENA@example.org"), follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert REGISTERED_UK in text_of((await client.get("/login")).text)
    assert await count_rows(db, User) == 1
    [warning] = await fetch_rows(db, EmailOutbox)
    assert warning.to_address == "olena@example.org"
    assert warning.template == "registration_attempt"


async def test_register_errors_in_english_with_lang_en(client: Client, db: Database) -> None:
    response = await post_form(
        client,
        "/register",
        without(register_form(password="short"), "consent"),
        page="/register?lang=en",
    )

    assert response.status_code == 422
    assert '<html lang="en">' in response.text
    text = text_of(response.text)
    assert "You must agree to the processing of your personal data." in text
    assert "Use at least 12 characters." in text
    assert "Some fields need your attention." in text
    assert "Потрібно погодитися" not in text
    assert await count_rows(db, User) == 0


# --- logging in and out ---------------------------------------------------------------------


async def test_login_with_a_wrong_password_shows_the_message(client: Client, session: Any) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")

    response = await login_page(client, "petro@example.org", "not the password")

    assert response.status_code == 401
    assert "Неправильна електронна пошта або пароль." in text_of(response.text)
    assert 'value="petro@example.org"' in response.text  # the email is kept
    assert current_user_name(response.text) is None
    assert current_user_name((await client.get("/")).text) is None


async def test_login_with_the_right_password_redirects_and_shows_the_name(
    client: Client, session: Any
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")

    response = await login_page(client, "Petro@Example.org")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/me"
    home = await client.get("/")
    assert current_user_name(home.text) == "Петро Бондар"
    assert "Вітаємо, Петро Бондар!" in text_of(home.text)


@pytest.mark.parametrize(
    ("next_path", "location"),
    [
        ("/admin", "/admin"),
        ("/", "/"),
        ("//evil.example.com/", "/me"),
        ("https://evil.example.com/", "/me"),
        ("/\\evil.example.com", "/me"),
    ],
)
async def test_login_returns_only_to_a_local_next(
    client: Client, session: Any, next_path: str, location: str
) -> None:
    await make_user(session, email="petro@example.org")
    response = await post_form(
        client,
        "/login",
        {"email": "petro@example.org", "password": PASSWORD, "next": next_path},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == location


async def test_login_page_is_throttled_too(client: Client, session: Any) -> None:
    await make_user(session, email="petro@example.org")
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        assert (await login_page(client, "petro@example.org", "wrong wrong")).status_code == 401

    response = await login_page(client, "petro@example.org")

    assert response.status_code == 429
    assert "Забагато невдалих спроб." in text_of(response.text)
    assert current_user_name((await client.get("/")).text) is None


def start_tag(page_html: str, pattern: str) -> str:
    """The one start tag whose text matches `pattern` (e.g. the element's id)."""
    [tag] = re.findall(rf"<[a-z]+\b[^>]*{pattern}[^>]*>", page_html)
    return str(tag)


async def test_a_failed_login_marks_the_fields_and_focuses_the_first(
    client: Client, session: Any
) -> None:
    await make_user(session, email="petro@example.org")

    response = await login_page(client, "petro@example.org", "not the password")

    assert response.status_code == 401
    message = start_tag(response.text, 'id="login-error"')
    assert 'role="alert"' in message
    for name in ("email", "password"):
        field = start_tag(response.text, f'id="f-{name}"')
        assert 'aria-invalid="true"' in field
        assert 'aria-describedby="login-error"' in field
    # One element takes the focus: the first field at fault (its description is the message).
    assert response.text.count(" autofocus") == 1
    assert " autofocus" in start_tag(response.text, 'id="f-email"')


async def test_a_throttled_login_focuses_the_message_not_the_fields(
    client: Client, session: Any
) -> None:
    await make_user(session, email="petro@example.org")
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        await login_page(client, "petro@example.org", "wrong wrong")

    response = await login_page(client, "petro@example.org")

    assert response.status_code == 429
    message = start_tag(response.text, 'id="login-error"')
    assert 'tabindex="-1"' in message and " autofocus" in message
    assert response.text.count(" autofocus") == 1
    assert "aria-invalid" not in response.text  # the fields are not what is wrong


async def test_the_login_page_marks_nothing_before_a_try(client: Client) -> None:
    response = await client.get("/login")
    assert "aria-invalid" not in response.text
    assert 'id="login-error"' not in response.text
    assert " autofocus" not in response.text


async def test_logout_clears_the_session(client: Client, session: Any) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    assert (await login_page(client, "petro@example.org")).status_code == 303
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"

    response = await post_form(client, "/logout", {}, page="/", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert current_user_name(home.text) is None
    assert "Петро Бондар" not in home.text
    assert "Ви вийшли з облікового запису." in text_of(home.text)
    # Pages that need a login send the visitor to the login page again.
    admin = await client.get("/admin", follow_redirects=False)
    assert admin.status_code in (302, 303)
    assert admin.headers["location"].startswith("/login")


# --- CSRF -----------------------------------------------------------------------------------


async def test_register_without_the_csrf_token_is_403(client: Client, db: Database) -> None:
    await client.get("/register")  # the CSRF cookie alone is not enough

    response = await client.post("/register", data=register_form(), follow_redirects=False)

    assert response.status_code == 403
    assert "Доступ заборонено" in text_of(response.text)
    assert "Форма застаріла" in text_of(response.text)  # not Litestar's English text
    assert await count_rows(db, User) == 0


async def test_register_with_a_wrong_csrf_token_is_403(client: Client, db: Database) -> None:
    await client.get("/register")
    response = await client.post(
        "/register",
        data={**register_form(), "_csrf_token": "0" * 64},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert await count_rows(db, User) == 0


async def test_login_without_the_csrf_token_is_403_and_does_not_log_in(
    client: Client, session: Any
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    await client.get("/login")

    response = await client.post(
        "/login", data={"email": "petro@example.org", "password": PASSWORD}, follow_redirects=False
    )

    assert response.status_code == 403
    assert current_user_name((await client.get("/")).text) is None


async def test_logout_without_the_csrf_token_keeps_the_session(
    client: Client, session: Any
) -> None:
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")
    assert (await login_page(client, "petro@example.org")).status_code == 303

    response = await client.post("/logout", follow_redirects=False)

    assert response.status_code == 403
    assert current_user_name((await client.get("/")).text) == "Петро Бондар"


async def test_a_new_password_ends_sessions_opened_with_the_old_one(
    client: Client, session: Any
) -> None:
    user = await make_user(session, email="oksana@example.org", full_name="Оксана Мельник")
    assert (await login_page(client, "oksana@example.org")).status_code == 303
    assert "Оксана Мельник" in (await client.get("/")).text

    user.password_hash = hash_password("a completely new password")
    session.add(user)
    await session.commit()

    page = await client.get("/")
    assert "Оксана Мельник" not in page.text
    assert (await client.get("/me", follow_redirects=False)).status_code in (302, 303)
