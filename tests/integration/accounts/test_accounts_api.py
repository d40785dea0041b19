"""The auth API: registration with consent, bearer tokens with throttling, and /me."""

import hashlib
from typing import Any

import pytest
from sqlalchemy import func

from sme_hub.accounts.models import ApiToken, LoginFailure, RoleAssignment, User
from sme_hub.accounts.rules import (
    CONSENT_VERSION,
    LOGIN_WINDOW_SECONDS,
    MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS,
)
from sme_hub.core.audit import AuditEntry
from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import (
    PASSWORD,
    Client,
    count_rows,
    error_keys,
    fetch_rows,
    login_page,
    make_centre,
    make_municipality,
    make_user,
    token_headers,
)

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/me"


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "email": "Olena.Koval@Example.ORG",
        "password": "sunflower fields near Poltava",
        "full_name": "Олена Коваль",
        "consent": True,
        **overrides,
    }


# --- registration ---------------------------------------------------------------------------


async def registered_user(client: Client, **overrides: Any) -> dict[str, Any]:
    """Register over the API, then read the account with a token, as a client would."""
    response = await client.post(REGISTER, json=registration(**overrides))
    assert response.status_code == 201, response.text
    assert "olena.koval@example.org" in response.json()["detail"]
    token = await client.post(
        TOKEN,
        json={"email": "olena.koval@example.org", "password": "sunflower fields near Poltava"},
    )
    assert token.status_code == 200, token.text
    me = await client.get(ME, headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.status_code == 200
    body: dict[str, Any] = me.json()
    return body


async def test_register_creates_an_entrepreneur(client: Client) -> None:
    body = await registered_user(client, phone="+380501234567")

    assert isinstance(body["id"], int)
    assert body["email"] == "olena.koval@example.org"
    assert body["full_name"] == "Олена Коваль"
    assert body["phone"] == "+380501234567"
    assert body["locale"] == "uk"
    assert body["email_confirmed"] is False
    assert body["roles"] == [
        {
            "role": "entrepreneur",
            "municipality_id": None,
            "centre_id": None,
            "partner_id": None,
            "oblast": None,
        }
    ]
    assert "password" not in body
    assert "password_hash" not in body


async def test_register_keeps_the_preferred_language(client: Client) -> None:
    assert (await registered_user(client, locale="en"))["locale"] == "en"


async def test_register_stores_consent_hash_and_audit(client: Client, db: Database) -> None:
    response = await client.post(REGISTER, json=registration())
    assert response.status_code == 201, response.text

    [user] = await fetch_rows(db, User)
    user_id = user.id
    assert user.email == "olena.koval@example.org"
    assert user.consent_at is not None
    assert user.consent_at.tzinfo is not None
    assert user.consent_version == CONSENT_VERSION
    assert user.password_hash.startswith("$argon2")
    assert "sunflower" not in user.password_hash

    [assignment] = await fetch_rows(db, RoleAssignment, RoleAssignment.user_id == user_id)
    assert assignment.role == Role.ENTREPRENEUR

    [entry] = await fetch_rows(db, AuditEntry, AuditEntry.action == "registered")
    assert entry.object_type == "user"
    assert entry.object_id == str(user_id)
    assert entry.actor_id == user_id
    assert entry.after == {"email": "olena.koval@example.org", "consent_version": CONSENT_VERSION}
    assert entry.request_id


@pytest.mark.parametrize("consent", [False, None, "no"])
async def test_register_without_consent_is_refused(
    client: Client, db: Database, consent: Any
) -> None:
    body = registration(consent=consent)
    if consent is None:
        del body["consent"]
    response = await client.post(REGISTER, json=body)

    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert "consent" in error_keys(response)
    assert await count_rows(db, User) == 0
    assert await count_rows(db, AuditEntry) == 0


@pytest.mark.parametrize(
    "password",
    [
        "short",  # under 12 characters
        "x" * 129,  # over 128 characters
        "olena.koval-1234-secret",  # contains the email's local part
        "my name is ОленаКоваль!",  # contains the full name
        "abababababababab",  # too few different characters
    ],
)
async def test_register_with_a_weak_password_names_the_field(
    client: Client, db: Database, password: str
) -> None:
    response = await client.post(REGISTER, json=registration(password=password))

    assert response.status_code == 400, response.text
    assert error_keys(response) == {"password"}
    assert await count_rows(db, User) == 0


@pytest.mark.parametrize(
    "email", ["olena.koval@example.org", "OLENA.KOVAL@EXAMPLE.ORG", "Olena.Koval@example.org"]
)
async def test_registering_a_taken_email_answers_like_a_success_and_warns_the_owner(
    client: Client, db: Database, email: str
) -> None:
    first = await client.post(REGISTER, json=registration())
    assert first.status_code == 201, first.text

    again = await client.post(
        REGISTER, json=registration(email=email, full_name="Інша Особа", password="another pass")
    )

    # The same answer: status and body (which echoes only what the caller sent).
    assert again.status_code == first.status_code
    assert again.json() == {**first.json(), "full_name": "Інша Особа"}
    assert "id" not in again.json()
    assert await count_rows(db, User) == 1
    assert await count_rows(db, AuditEntry, AuditEntry.action == "registered") == 1
    # The owner is told (in their language) instead; no confirmation link for the attempt.
    emails = await fetch_rows(db, EmailOutbox, EmailOutbox.to_address == "olena.koval@example.org")
    assert [e.template for e in emails] == ["confirm_email", "registration_attempt"]
    warning = emails[1]
    assert warning.locale == "uk"
    assert warning.subject == "Хтось намагався зареєструватися в SME Hub з вашою адресою"
    assert warning.body_text.startswith("Вітаємо, Олена Коваль!")
    assert "/password-reset" in warning.body_text
    # The attempt's password opens nothing.
    token = await client.post(
        TOKEN, json={"email": "olena.koval@example.org", "password": "another pass"}
    )
    assert token.status_code == 401


async def test_registering_a_staff_members_email_answers_alike_and_warns_in_english(
    client: Client, session: Any, db: Database
) -> None:
    staff = await make_user(session, Role.ADMIN, email="olena.koval@example.org")
    staff.locale = "en"
    await session.commit()

    response = await client.post(REGISTER, json=registration())

    assert response.status_code == 201, response.text
    assert "olena.koval@example.org" in response.json()["detail"]
    assert await count_rows(db, User) == 1
    [warning] = await fetch_rows(db, EmailOutbox)
    assert warning.template == "registration_attempt"
    assert warning.subject == "Someone tried to register with your email address at SME Hub"
    assert "no new one was created" in warning.body_text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("roles", [{"role": "admin"}]),  # no way to grant oneself a role
        ("is_admin", True),
        ("email_confirmed", True),
    ],
)
async def test_register_refuses_unknown_fields(
    client: Client, db: Database, field: str, value: Any
) -> None:
    response = await client.post(REGISTER, json=registration(**{field: value}))

    assert response.status_code == 400, response.text
    assert field in error_keys(response)
    assert await count_rows(db, User) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("full_name", "А"),
        ("locale", "fr"),
    ],
)
async def test_register_refuses_invalid_fields(
    client: Client, db: Database, field: str, value: Any
) -> None:
    response = await client.post(REGISTER, json=registration(**{field: value}))

    assert response.status_code == 400, response.text
    assert field in error_keys(response)
    assert await count_rows(db, User) == 0


@pytest.mark.parametrize("missing", ["email", "password", "full_name"])
async def test_register_requires_the_basic_fields(
    client: Client, db: Database, missing: str
) -> None:
    body = registration()
    del body[missing]
    response = await client.post(REGISTER, json=body)

    assert response.status_code == 400, response.text
    assert missing in error_keys(response)
    assert await count_rows(db, User) == 0


# --- tokens ---------------------------------------------------------------------------------


async def test_token_for_the_right_password(client: Client, session: Any, db: Database) -> None:
    user = await make_user(session, email="petro@example.org")

    response = await client.post(TOKEN, json={"email": "petro@example.org", "password": PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32
    assert body["expires_at"]
    # Only the token's hash is stored.
    [stored] = await fetch_rows(db, ApiToken, ApiToken.user_id == user.id)
    assert stored.token_hash == hashlib.sha256(body["access_token"].encode()).hexdigest()
    assert body["access_token"] not in stored.token_hash


async def test_token_email_is_not_case_sensitive(client: Client, session: Any) -> None:
    await make_user(session, email="petro@example.org")
    response = await client.post(TOKEN, json={"email": "Petro@Example.ORG", "password": PASSWORD})
    assert response.status_code == 200, response.text


async def test_token_after_registration(client: Client, db: Database) -> None:
    user = await registered_user(client)
    [stored] = await fetch_rows(db, User)
    assert user["id"] == stored.id


async def test_wrong_password_is_401_with_the_error_shape(client: Client, session: Any) -> None:
    await make_user(session, email="petro@example.org")

    response = await client.post(
        TOKEN, json={"email": "petro@example.org", "password": "not the password"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status_code", "detail"}
    assert body["status_code"] == 401
    assert isinstance(body["detail"], str) and body["detail"]


async def test_unknown_email_answers_like_a_wrong_password(client: Client, session: Any) -> None:
    await make_user(session, email="petro@example.org")
    wrong = await client.post(TOKEN, json={"email": "petro@example.org", "password": "nope"})
    unknown = await client.post(TOKEN, json={"email": "nobody@example.org", "password": "nope"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_token_request_needs_valid_fields(client: Client) -> None:
    response = await client.post(TOKEN, json={"email": "petro@example.org"})
    assert response.status_code == 400
    assert "password" in error_keys(response)


async def test_repeated_failures_are_throttled_even_with_the_right_password(
    client: Client, session: Any, db: Database
) -> None:
    await make_user(session, email="petro@example.org")
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        failed = await client.post(
            TOKEN, json={"email": "petro@example.org", "password": "guess guess guess"}
        )
        assert failed.status_code == 401

    blocked = await client.post(TOKEN, json={"email": "petro@example.org", "password": PASSWORD})

    assert blocked.status_code == 429, blocked.text
    assert blocked.json()["status_code"] == 429
    assert blocked.json()["detail"]
    assert int(blocked.headers["retry-after"]) == LOGIN_WINDOW_SECONDS
    assert await count_rows(db, ApiToken) == 0
    # The count is per email, in any letter case.
    shouting = await client.post(TOKEN, json={"email": "PETRO@example.org", "password": PASSWORD})
    assert shouting.status_code == 429


async def test_throttling_one_email_leaves_other_accounts_alone(
    client: Client, session: Any
) -> None:
    await make_user(session, email="petro@example.org")
    await make_user(session, email="maria@example.org")
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS):
        await client.post(TOKEN, json={"email": "petro@example.org", "password": "wrong wrong"})

    response = await client.post(TOKEN, json={"email": "maria@example.org", "password": PASSWORD})

    assert response.status_code == 200, response.text


async def test_failures_are_recorded_and_a_success_forgets_them(
    client: Client, session: Any, db: Database
) -> None:
    await make_user(session, email="petro@example.org")
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS - 1):
        await client.post(TOKEN, json={"email": "petro@example.org", "password": "wrong wrong"})
    assert (
        await count_rows(db, LoginFailure, LoginFailure.key == "email:petro@example.org")
        == MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS - 1
    )

    assert (
        await client.post(TOKEN, json={"email": "petro@example.org", "password": PASSWORD})
    ).status_code == 200
    assert await count_rows(db, LoginFailure, LoginFailure.key == "email:petro@example.org") == 0

    # A fresh allowance: the same number of failures again does not block the right password.
    for _attempt in range(MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS - 1):
        await client.post(TOKEN, json={"email": "petro@example.org", "password": "wrong wrong"})
    again = await client.post(TOKEN, json={"email": "petro@example.org", "password": PASSWORD})
    assert again.status_code == 200, again.text


# --- the current user -----------------------------------------------------------------------


async def test_me_without_a_token_is_401(client: Client) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.json()["status_code"] == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-real-token",
        "Bearer ",
        "Basic cGV0cm9AZXhhbXBsZS5vcmc6cGFzcw==",
        "not-a-real-token",
    ],
)
async def test_me_with_a_bad_token_is_401(client: Client, session: Any, authorization: str) -> None:
    await make_user(session, email="petro@example.org")
    response = await client.get(ME, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json()["status_code"] == 401


async def test_me_returns_the_caller_with_roles(client: Client, session: Any) -> None:
    municipality = await make_municipality(session)
    centre = await make_centre(session, municipality)
    user = await make_user(
        session, Role.CENTRE_STAFF, centre.id, email="staff@example.org", full_name="Іван Шевчук"
    )
    await make_user(session, email="someone.else@example.org")

    response = await client.get(ME, headers=await token_headers(client, "staff@example.org"))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == user.id
    assert body["email"] == "staff@example.org"
    assert body["full_name"] == "Іван Шевчук"
    assert body["email_confirmed"] is True  # staff accounts made by the admin start confirmed
    assert body["roles"] == [
        {
            "role": "centre_staff",
            "municipality_id": municipality.id,
            "centre_id": centre.id,
            "partner_id": None,
            "oblast": None,
        }
    ]


async def test_a_token_of_a_deactivated_account_stops_working(
    client: Client, session: Any, db: Database
) -> None:
    user = await make_user(session, email="petro@example.org")
    headers = await token_headers(client, "petro@example.org")
    assert (await client.get(ME, headers=headers)).status_code == 200

    async with db.sessionmaker() as fresh, fresh.begin():
        stored = await fresh.get(User, user.id)
        assert stored is not None
        stored.is_active = False

    assert (await client.get(ME, headers=headers)).status_code == 401
    login = await client.post(TOKEN, json={"email": "petro@example.org", "password": PASSWORD})
    assert login.status_code == 401


async def test_the_api_ignores_the_page_session_cookie(client: Client, session: Any) -> None:
    """API calls authenticate by bearer token only, which is why they need no CSRF token."""
    await make_user(session, email="petro@example.org")
    assert (await login_page(client, "petro@example.org")).status_code == 303
    assert "sme_session" in client.cookies

    response = await client.get(ME)

    assert response.status_code == 401


async def test_each_login_issues_a_new_token(client: Client, session: Any, db: Database) -> None:
    user = await make_user(session, email="petro@example.org")
    first = await token_headers(client, "petro@example.org")
    second = await token_headers(client, "petro@example.org")
    assert first != second
    assert await count_rows(db, ApiToken, ApiToken.user_id == user.id) == 2
    for headers in (first, second):
        assert (await client.get(ME, headers=headers)).json()["id"] == user.id
    assert await count_rows(db, ApiToken, func.length(ApiToken.token_hash) == 64) == 2
