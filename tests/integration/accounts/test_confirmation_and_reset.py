"""One-time links: email confirmation after registration, and password reset, over pages and
the API. A link works once, not after it expires, and not twice even when clicked twice at
the same moment."""

import asyncio
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text, update
from sqlmodel import col

from sme_hub.accounts import links
from sme_hub.accounts.models import AccountToken, ApiToken, User
from sme_hub.accounts.rules import TokenPurpose
from sme_hub.config import Settings
from sme_hub.core.audit import AuditEntry
from sme_hub.core.jobs import run_worker
from sme_hub.core.mail import EmailOutbox
from sme_hub.core.models import utcnow
from sme_hub.db import Database
from tests.factories import (
    PASSWORD,
    Client,
    count_rows,
    error_keys,
    fetch_rows,
    login_page,
    make_user,
    post_form,
    text_of,
    token_headers,
)

NEW_PASSWORD = "a brand new sunflower password"
BASE_URL = "http://127.0.0.1:8000"  # the default of settings.base_url


def link_unusable(html: str) -> bool:
    """The page says the link cannot be used (in Ukrainian or English)."""
    text = text_of(html)
    return (
        "This link has expired or has already been used." in text
        or "Термін дії цього посилання минув, або його вже використано." in text
    )


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "email": "olena@example.org",
        "password": "sunflower fields near Poltava",
        "full_name": "Olena Koval",
        "locale": "en",
        "consent": True,
        **overrides,
    }


async def emails_to(db: Database, address: str) -> list[EmailOutbox]:
    return await fetch_rows(db, EmailOutbox, col(EmailOutbox.to_address) == address)


def link_path(email: EmailOutbox, prefix: str) -> str:
    """The path of the one link in an email, checked to be in both the text and the HTML."""
    match = re.search(re.escape(BASE_URL) + rf"({prefix}/[A-Za-z0-9_-]+)", email.body_text)
    assert match, email.body_text
    assert email.body_html is not None and match.group(0) in email.body_html
    return match.group(1)


async def register(client: Client, db: Database, **overrides: Any) -> str:
    """Register over the API; the path of the confirmation link emailed."""
    data = registration(**overrides)
    response = await client.post("/api/v1/auth/register", json=data)
    assert response.status_code == 201, response.text
    (email,) = await emails_to(db, data["email"])
    return link_path(email, "/confirm-email")


async def user_named(db: Database, email: str) -> User:
    (user,) = await fetch_rows(db, User, col(User.email) == email)
    return user


async def run_jobs(settings: Settings) -> None:
    """What a job worker does: run every queued job (the reset links, the emails), then stop."""
    await run_worker(settings, wait=False, listen_notify=False, install_signal_handlers=False)


async def reset_jobs(db: Database) -> list[str]:
    """The email address of each queued password-reset job."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT args->>'email' FROM procrastinate_jobs"
                " WHERE task_name = 'send_password_reset' ORDER BY id"
            )
        )
        return [str(email) for (email,) in rows]


async def expire_links(db: Database, user_id: int, **changes: Any) -> None:
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(AccountToken).where(col(AccountToken.user_id) == user_id).values(**changes)
        )


# --- email confirmation ---------------------------------------------------------------------


async def test_registration_emails_a_confirmation_link_in_the_users_language(
    client: Client, db: Database
) -> None:
    await register(client, db, email="en@example.org", locale="en")
    await register(client, db, email="uk@example.org", locale="uk", full_name="Олена Коваль")

    (english,) = await emails_to(db, "en@example.org")
    (ukrainian,) = await emails_to(db, "uk@example.org")
    assert english.template == ukrainian.template == "confirm_email"
    assert english.subject == "Confirm your email address for SME Hub"
    assert english.body_text.startswith("Hello, Olena Koval!")
    assert "48 hours" in english.body_text
    assert ukrainian.locale == "uk"
    assert ukrainian.body_text.startswith("Вітаємо, Олена Коваль!")
    token, _other = await fetch_rows(db, AccountToken)
    assert token.purpose == TokenPurpose.CONFIRM_EMAIL
    lifetime = token.expires_at - token.created_at
    assert timedelta(hours=47, minutes=59) < lifetime <= timedelta(hours=48, minutes=1)


async def test_the_link_confirms_once(client: Client, db: Database) -> None:
    path = await register(client, db)

    first = await client.get(path)
    assert first.status_code == 200
    assert "Your email address is confirmed" in text_of(first.text)
    assert '<html lang="en">' in first.text  # the user's language
    user = await user_named(db, "olena@example.org")
    assert user.email_confirmed_at is not None
    assert await count_rows(db, AuditEntry, col(AuditEntry.action) == "email_confirmed") == 1

    second = await client.get(path)
    assert second.status_code == 410
    assert link_unusable(second.text)


async def test_an_expired_link_does_not_confirm(client: Client, db: Database) -> None:
    path = await register(client, db)
    user = await user_named(db, "olena@example.org")
    assert user.id is not None
    await expire_links(db, user.id, expires_at=utcnow() - timedelta(seconds=1))

    response = await client.get(path + "?lang=en")

    assert response.status_code == 410
    assert link_unusable(response.text)
    assert (await user_named(db, "olena@example.org")).email_confirmed_at is None


async def test_a_made_up_link_does_not_confirm(client: Client) -> None:
    response = await client.get("/confirm-email/not-a-real-token?lang=en")
    assert response.status_code == 410


async def test_confirmation_over_the_api(client: Client, db: Database) -> None:
    path = await register(client, db)
    token = path.rsplit("/", 1)[1]
    headers = await token_headers(client, "olena@example.org", "sunflower fields near Poltava")
    assert (await client.get("/api/v1/me", headers=headers)).json()["email_confirmed"] is False

    first = await client.post("/api/v1/auth/confirm-email", json={"token": token})
    second = await client.post("/api/v1/auth/confirm-email", json={"token": token})

    assert first.status_code == 200, first.text
    assert first.json() == {"email_confirmed": True}
    assert second.status_code == 422
    assert error_keys(second) == {"token"}
    assert (await client.get("/api/v1/me", headers=headers)).json()["email_confirmed"] is True


async def test_two_clicks_at_once_confirm_exactly_once(client: Client, db: Database) -> None:
    path = await register(client, db)
    token = path.rsplit("/", 1)[1]

    async def click() -> bool:
        async with db.sessionmaker() as session, session.begin():
            try:
                await links.confirm_email(session, token)
            except links.LinkExpired:
                return False
            await asyncio.sleep(0.05)  # hold the row a moment: the other click must wait
            return True

    results = await asyncio.gather(click(), click())

    assert sorted(results) == [False, True]
    assert await count_rows(db, AuditEntry, col(AuditEntry.action) == "email_confirmed") == 1


async def test_unconfirmed_users_are_reminded_and_can_ask_again(
    client: Client, db: Database
) -> None:
    form = {
        "full_name": "Olena Koval",
        "email": "olena@example.org",
        "phone": "",
        "password": "sunflower fields near Poltava",
        "locale": "en",
        "consent": "true",
    }
    await post_form(client, "/register", form, follow_redirects=False)
    await login_page(client, "olena@example.org", form["password"])
    home = await client.get("/")
    assert 'data-testid="confirm-email-notice"' in home.text
    assert 'action="/confirm-email/resend"' in home.text

    too_soon = await post_form(client, "/confirm-email/resend", {"next": "/"}, page="/")
    assert "less than two minutes ago" in text_of(too_soon.text)
    assert len(await emails_to(db, "olena@example.org")) == 1

    user = await user_named(db, "olena@example.org")
    assert user.id is not None
    await expire_links(db, user.id, created_at=utcnow() - timedelta(minutes=3))
    again = await post_form(client, "/confirm-email/resend", {"next": "/"}, page="/")
    assert "We have sent a new confirmation link to olena@example.org." in text_of(again.text)
    first, second = await emails_to(db, "olena@example.org")
    assert link_path(first, "/confirm-email") != link_path(second, "/confirm-email")

    await client.get(link_path(second, "/confirm-email"))
    assert 'data-testid="confirm-email-notice"' not in (await client.get("/")).text


async def test_staff_accounts_start_confirmed_and_see_no_notice(
    client: Client, db: Database
) -> None:
    async with db.sessionmaker() as session:
        user = await make_user(session)
    await login_page(client, user.email)
    assert 'data-testid="confirm-email-notice"' not in (await client.get("/")).text


# --- password reset -------------------------------------------------------------------------


async def test_password_reset_over_the_pages(
    client: Client, db: Database, settings: Settings
) -> None:
    async with db.sessionmaker() as session:
        user = await make_user(session, email="reset@example.org")
    await client.get("/login?lang=en")
    assert 'href="/password-reset"' in (await client.get("/login")).text

    asked = await post_form(client, "/password-reset", {"email": "Reset@Example.org"})
    assert asked.status_code == 200
    assert "If an account with this email address exists" in text_of(asked.text)
    await run_jobs(settings)
    (email,) = await emails_to(db, "reset@example.org")
    assert email.template == "reset_password"
    assert email.locale == "uk"  # the account's language, not the page's
    path = link_path(email, "/password-reset")

    form = await client.get(path)
    assert form.status_code == 200
    assert 'name="password"' in form.text
    weak = await post_form(client, path, {"password": "short"})
    assert weak.status_code == 422
    assert "Use at least 12 characters." in text_of(weak.text)

    done = await post_form(client, path, {"password": NEW_PASSWORD}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert "Your password has been changed" in text_of((await client.get("/login")).text)
    assert (await login_page(client, user.email, PASSWORD)).status_code == 401
    assert (await login_page(client, user.email, NEW_PASSWORD)).status_code == 303

    used = await client.get(path)
    assert used.status_code == 410
    assert link_unusable(used.text)
    assert await count_rows(db, AuditEntry, col(AuditEntry.action) == "password_reset") == 1


async def test_password_reset_over_the_api_revokes_api_tokens(
    client: Client, db: Database, settings: Settings
) -> None:
    async with db.sessionmaker() as session:
        user = await make_user(session, email="reset@example.org")
    headers = await token_headers(client, user.email)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200

    asked = await client.post("/api/v1/auth/password-reset", json={"email": user.email})
    assert asked.status_code == 202
    await run_jobs(settings)
    (email,) = await emails_to(db, user.email)
    token = link_path(email, "/password-reset").rsplit("/", 1)[1]

    weak = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "reset@x"}
    )
    assert weak.status_code == 422
    assert error_keys(weak) == {"password"}
    done = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    again = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert again.status_code == 422
    assert error_keys(again) == {"token"}

    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert await count_rows(db, ApiToken, col(ApiToken.user_id) == user.id) == 0
    await token_headers(client, user.email, NEW_PASSWORD)


async def test_an_expired_reset_link_is_refused(
    client: Client, db: Database, settings: Settings
) -> None:
    async with db.sessionmaker() as session:
        user = await make_user(session, email="reset@example.org")
    await client.post("/api/v1/auth/password-reset", json={"email": user.email})
    await run_jobs(settings)
    (email,) = await emails_to(db, user.email)
    path = link_path(email, "/password-reset")
    (token,) = await fetch_rows(db, AccountToken)
    lifetime = token.expires_at - token.created_at
    assert timedelta(minutes=59) < lifetime <= timedelta(minutes=61)
    assert user.id is not None
    await expire_links(db, user.id, expires_at=utcnow() - timedelta(seconds=1))

    assert (await client.get(path)).status_code == 410
    refused = await post_form(client, path, {"password": NEW_PASSWORD}, page="/password-reset")
    assert refused.status_code == 410
    await token_headers(client, user.email, PASSWORD)  # the old password still works


async def test_a_confirmation_link_cannot_reset_a_password(client: Client, db: Database) -> None:
    path = await register(client, db)
    token = path.rsplit("/", 1)[1]
    response = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert response.status_code == 422


async def test_unknown_and_known_emails_get_the_same_answer(
    client: Client, db: Database, settings: Settings
) -> None:
    async with db.sessionmaker() as session:
        await make_user(session, email="known@example.org")

    known = await post_form(client, "/password-reset", {"email": "known@example.org"})
    unknown = await post_form(client, "/password-reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert text_of(known.text) == text_of(unknown.text)

    api_known = await client.post(
        "/api/v1/auth/password-reset", json={"email": "known@example.org"}
    )
    api_unknown = await client.post(
        "/api/v1/auth/password-reset", json={"email": "nobody@example.org"}
    )
    assert api_known.status_code == api_unknown.status_code == 202
    assert api_known.json() == api_unknown.json()

    await run_jobs(settings)
    # One email only: to the account that exists, and once in two minutes.
    assert len(await emails_to(db, "known@example.org")) == 1
    assert await emails_to(db, "nobody@example.org") == []


async def test_a_reset_request_does_the_same_work_for_known_and_unknown_emails(
    client: Client, db: Database, settings: Settings
) -> None:
    async with db.sessionmaker() as session:
        await make_user(session, email="known@example.org")

    await client.post("/api/v1/auth/password-reset", json={"email": "Known@Example.org"})
    await post_form(client, "/password-reset", {"email": "nobody@example.org"})

    # Each request only queued a job; nothing was looked up or emailed yet.
    assert await reset_jobs(db) == ["known@example.org", "nobody@example.org"]
    assert await count_rows(db, AccountToken) == 0
    assert await count_rows(db, EmailOutbox) == 0

    await run_jobs(settings)

    (email,) = await emails_to(db, "known@example.org")
    assert email.template == "reset_password"
    assert email.status == "logged"  # delivered by the worker too (to the log, without SMTP)
    assert await emails_to(db, "nobody@example.org") == []
    assert await count_rows(db, EmailOutbox) == 1
