"""The admin API and admin page: municipalities, centres, staff accounts, partners, guards."""

from typing import Any

import pytest

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.partners.models import Partner, PartnerMunicipality
from tests.factories import (
    Client,
    count_rows,
    error_keys,
    fetch_rows,
    field_error,
    login_page,
    make_centre,
    make_municipality,
    make_partner,
    make_user,
    post_form,
    text_of,
    token_headers,
)

ADMIN_EMAIL = "admin@example.org"
STAFF_PASSWORD = "a long initial password 42"


@pytest.fixture
async def admin(client: Client, session: Any) -> dict[str, str]:
    """Bearer headers of an admin."""
    await make_user(session, Role.ADMIN, email=ADMIN_EMAIL, full_name="Адміністратор Системи")
    return await token_headers(client, ADMIN_EMAIL)


def municipality_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name_uk": "Полтавська громада",
        "name_en": "Poltava community",
        "katottg": "UA53080370010339303",
        "oblast": "UA53000000000028050",
        **overrides,
    }


def user_body(*roles: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "email": "New.Staff@Example.org",
        "full_name": "Марія Ткаченко",
        "password": STAFF_PASSWORD,
        "roles": list(roles),
        **overrides,
    }


def grant(**fields: Any) -> dict[str, Any]:
    return {
        "municipality_id": None,
        "centre_id": None,
        "partner_id": None,
        "oblast": None,
        **fields,
    }


# --- municipalities -------------------------------------------------------------------------


async def test_admin_creates_a_municipality(
    client: Client, admin: dict[str, str], db: Database
) -> None:
    response = await client.post(
        "/api/v1/admin/municipalities",
        json=municipality_body(katottg=" ua53080370010339303 ", contact_email="rada@poltava.ua"),
        headers=admin,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["katottg"] == "UA53080370010339303"  # trimmed and upper-cased
    assert body["name_uk"] == "Полтавська громада"
    assert body["name_en"] == "Poltava community"
    assert body["oblast"] == "UA53000000000028050"
    assert body["contact_email"] == "rada@poltava.ua"
    assert body["created_at"]
    [stored] = await fetch_rows(db, Municipality)
    assert stored.id == body["id"]
    assert stored.katottg == "UA53080370010339303"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("katottg", "UA123"),
        ("katottg", "53080370010339303"),
        ("katottg", "UA5308037001033930X"),
        ("oblast", "Полтавська"),
        ("name_uk", ""),
    ],
)
async def test_invalid_municipality_is_400_with_the_field(
    client: Client, admin: dict[str, str], db: Database, field: str, value: str
) -> None:
    response = await client.post(
        "/api/v1/admin/municipalities", json=municipality_body(**{field: value}), headers=admin
    )

    assert response.status_code == 400, response.text
    assert response.json()["status_code"] == 400
    assert field in error_keys(response)
    assert await count_rows(db, Municipality) == 0


async def test_duplicate_katottg_is_409(
    client: Client, admin: dict[str, str], db: Database
) -> None:
    first = await client.post(
        "/api/v1/admin/municipalities", json=municipality_body(), headers=admin
    )
    assert first.status_code == 201

    again = await client.post(
        "/api/v1/admin/municipalities",
        json=municipality_body(name_uk="Інша назва", katottg="ua53080370010339303"),
        headers=admin,
    )

    assert again.status_code == 409, again.text
    assert again.json()["status_code"] == 409
    assert "UA53080370010339303" in again.json()["detail"]
    assert await count_rows(db, Municipality) == 1


async def test_municipality_with_an_unknown_field_is_400(
    client: Client, admin: dict[str, str], db: Database
) -> None:
    response = await client.post(
        "/api/v1/admin/municipalities", json=municipality_body(population=90000), headers=admin
    )
    assert response.status_code == 400
    assert "population" in error_keys(response)
    assert await count_rows(db, Municipality) == 0


# --- centres --------------------------------------------------------------------------------


async def test_admin_creates_a_centre(
    client: Client, admin: dict[str, str], session: Any, db: Database
) -> None:
    municipality = await make_municipality(session)

    response = await client.post(
        "/api/v1/admin/centres",
        json={
            "municipality_id": municipality.id,
            "name": "Центр підтримки бізнесу",
            "address": "вул. Соборності, 36",
        },
        headers=admin,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["municipality_id"] == municipality.id
    assert body["name"] == "Центр підтримки бізнесу"
    assert body["address"] == "вул. Соборності, 36"
    [stored] = await fetch_rows(db, SupportCentre)
    assert stored.id == body["id"]
    assert stored.municipality_id == municipality.id


async def test_centre_of_an_unknown_municipality_is_422(
    client: Client, admin: dict[str, str], db: Database
) -> None:
    response = await client.post(
        "/api/v1/admin/centres",
        json={"municipality_id": 999999, "name": "Центр", "address": "вул. Тестова, 1"},
        headers=admin,
    )

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status_code"] == 422
    assert body["detail"]
    assert body["extra"] == [{"key": "municipality_id", "message": body["extra"][0]["message"]}]
    assert body["extra"][0]["message"]
    assert await count_rows(db, SupportCentre) == 0


async def test_centre_without_an_address_is_400(
    client: Client, admin: dict[str, str], session: Any
) -> None:
    municipality = await make_municipality(session)
    response = await client.post(
        "/api/v1/admin/centres",
        json={"municipality_id": municipality.id, "name": "Центр"},
        headers=admin,
    )
    assert response.status_code == 400
    assert "address" in error_keys(response)


# --- users ----------------------------------------------------------------------------------


async def test_admin_creates_a_municipal_officer(
    client: Client, admin: dict[str, str], session: Any, db: Database
) -> None:
    municipality = await make_municipality(session)

    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "municipal_officer", "organisation_id": municipality.id}),
        headers=admin,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new.staff@example.org"
    assert body["email_confirmed"] is True
    assert body["roles"] == [grant(role="municipal_officer", municipality_id=municipality.id)]
    # The initial password is right, but an officer sets up two-factor sign-in first.
    token = await client.post(
        "/api/v1/auth/token",
        json={"email": "new.staff@example.org", "password": STAFF_PASSWORD},
    )
    assert token.status_code == 403
    assert token.json()["detail"] == "Спершу налаштуйте двоетапний вхід на сайті."
    login = await login_page(client, "new.staff@example.org", STAFF_PASSWORD)
    assert login.headers["location"] == "/login/two-factor/setup"


async def test_centre_staff_gets_the_municipality_of_its_centre(
    client: Client, admin: dict[str, str], session: Any, db: Database
) -> None:
    municipality = await make_municipality(session)
    centre = await make_centre(session, municipality)

    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "centre_staff", "organisation_id": centre.id}),
        headers=admin,
    )

    assert response.status_code == 201, response.text
    assert response.json()["roles"] == [
        grant(role="centre_staff", municipality_id=municipality.id, centre_id=centre.id)
    ]
    [assignment] = await fetch_rows(
        db, RoleAssignment, RoleAssignment.user_id == response.json()["id"]
    )
    assert (assignment.centre_id, assignment.municipality_id) == (centre.id, municipality.id)


async def test_admin_creates_a_partner_user(
    client: Client, admin: dict[str, str], session: Any
) -> None:
    partner = await make_partner(session)
    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "partner", "organisation_id": partner.id}),
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["roles"] == [grant(role="partner", partner_id=partner.id)]


async def test_regional_observer_is_bound_to_an_oblast(
    client: Client, admin: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "regional_observer", "oblast": "ua53000000000028050"}),
        headers=admin,
    )

    assert response.status_code == 201, response.text
    assert response.json()["roles"] == [
        grant(role="regional_observer", oblast="UA53000000000028050")
    ]


@pytest.mark.parametrize("oblast", [None, "", "Полтавська область"])
async def test_regional_observer_without_a_valid_oblast_is_422(
    client: Client, admin: dict[str, str], db: Database, oblast: str | None
) -> None:
    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "regional_observer", "oblast": oblast}),
        headers=admin,
    )
    assert response.status_code == 422, response.text
    assert error_keys(response) == {"roles.0.oblast"}
    assert await count_rows(db, User, User.email == "new.staff@example.org") == 0


@pytest.mark.parametrize("role", ["municipal_officer", "evaluator", "centre_staff", "partner"])
async def test_a_bound_role_without_an_organisation_is_422(
    client: Client, admin: dict[str, str], db: Database, role: str
) -> None:
    response = await client.post(
        "/api/v1/admin/users", json=user_body({"role": role}), headers=admin
    )

    assert response.status_code == 422, response.text
    assert error_keys(response) == {"roles.0.organisation_id"}
    assert await count_rows(db, User, User.email == "new.staff@example.org") == 0
    assert await count_rows(db, RoleAssignment) == 1  # only the admin's own role


@pytest.mark.parametrize("role", ["municipal_officer", "evaluator", "centre_staff", "partner"])
async def test_a_role_bound_to_a_missing_organisation_is_422(
    client: Client, admin: dict[str, str], db: Database, role: str
) -> None:
    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": role, "organisation_id": 999999}),
        headers=admin,
    )

    assert response.status_code == 422, response.text
    assert error_keys(response) == {"roles.0.organisation_id"}
    assert await count_rows(db, User, User.email == "new.staff@example.org") == 0


async def test_the_failing_role_is_named_by_its_position(
    client: Client, admin: dict[str, str], session: Any
) -> None:
    municipality = await make_municipality(session)
    response = await client.post(
        "/api/v1/admin/users",
        json=user_body(
            {"role": "evaluator", "organisation_id": municipality.id},
            {"role": "centre_staff", "organisation_id": 999999},
        ),
        headers=admin,
    )
    assert response.status_code == 422
    assert error_keys(response) == {"roles.1.organisation_id"}


async def test_a_user_may_hold_several_roles_once_each(
    client: Client, admin: dict[str, str], session: Any
) -> None:
    municipality = await make_municipality(session)
    evaluator = {"role": "evaluator", "organisation_id": municipality.id}

    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "entrepreneur"}, evaluator, evaluator),
        headers=admin,
    )

    assert response.status_code == 201, response.text
    assert response.json()["roles"] == [
        grant(role="entrepreneur"),
        grant(role="evaluator", municipality_id=municipality.id),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"roles": []}, "roles"),
        ({"roles": [{"role": "superuser"}]}, "roles.0.role"),
        ({"password": "short"}, "password"),
        ({"email": "nobody"}, "email"),
    ],
)
async def test_invalid_user_is_400_with_the_field(
    client: Client, admin: dict[str, str], db: Database, overrides: dict[str, Any], field: str
) -> None:
    body = {**user_body({"role": "entrepreneur"}), **overrides}
    response = await client.post("/api/v1/admin/users", json=body, headers=admin)

    assert response.status_code == 400, response.text
    assert field in error_keys(response)
    assert await count_rows(db, User) == 1  # the admin


async def test_user_with_a_taken_email_is_409(
    client: Client, admin: dict[str, str], db: Database
) -> None:
    response = await client.post(
        "/api/v1/admin/users",
        json=user_body({"role": "admin"}, email=ADMIN_EMAIL.upper()),
        headers=admin,
    )
    assert response.status_code == 409, response.text
    assert error_keys(response) == {"email"}
    assert await count_rows(db, User) == 1


async def test_admin_lists_and_searches_users(
    client: Client, admin: dict[str, str], session: Any
) -> None:
    await make_user(session, email="olena@example.org", full_name="Олена Коваль")
    await make_user(session, email="petro@example.org", full_name="Петро Бондар")

    everyone = await client.get("/api/v1/admin/users", headers=admin)
    assert everyone.status_code == 200
    assert everyone.json()["total"] == 3
    found = await client.get("/api/v1/admin/users?search=Коваль", headers=admin)
    assert found.json()["total"] == 1
    assert [u["email"] for u in found.json()["items"]] == ["olena@example.org"]


# --- partners -------------------------------------------------------------------------------


async def test_admin_creates_a_partner(
    client: Client, admin: dict[str, str], session: Any, db: Database
) -> None:
    first = await make_municipality(session)
    second = await make_municipality(session)

    response = await client.post(
        "/api/v1/admin/partners",
        json={
            "name": "Полтавський бізнес-інкубатор",
            "kind": "incubator",
            "sector": "civil_society",
            "services": ["mentoring", "coworking"],
            "municipality_ids": [second.id, first.id, second.id],
            "address": "вул. Європейська, 10",
            "website": "https://incubator.example.org",
        },
        headers=admin,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "incubator"
    assert body["sector"] == "civil_society"
    assert body["services"] == ["mentoring", "coworking"]
    assert body["municipality_ids"] == sorted([first.id, second.id])
    assert body["is_active"] is True
    assert await count_rows(db, Partner) == 1
    served = await fetch_rows(db, PartnerMunicipality)
    assert sorted(row.municipality_id for row in served) == sorted([first.id, second.id])


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "casino"), ("sector", "military"), ("name", "")]
)
async def test_invalid_partner_is_400_with_the_field(
    client: Client, admin: dict[str, str], db: Database, field: str, value: str
) -> None:
    body = {"name": "Інкубатор", "kind": "incubator", "sector": "private", field: value}
    response = await client.post("/api/v1/admin/partners", json=body, headers=admin)

    assert response.status_code == 400, response.text
    assert field in error_keys(response)
    assert await count_rows(db, Partner) == 0


async def test_partner_serving_an_unknown_municipality_is_422(
    client: Client, admin: dict[str, str], session: Any, db: Database
) -> None:
    municipality = await make_municipality(session)
    response = await client.post(
        "/api/v1/admin/partners",
        json={
            "name": "Банк",
            "kind": "bank",
            "sector": "private",
            "municipality_ids": [municipality.id, 999999],
        },
        headers=admin,
    )
    assert response.status_code == 422, response.text
    assert error_keys(response) == {"municipality_ids"}
    assert await count_rows(db, Partner) == 0


# --- guards ---------------------------------------------------------------------------------

ADMIN_ENDPOINTS = [
    ("POST", "/api/v1/admin/municipalities", municipality_body()),
    (
        "POST",
        "/api/v1/admin/centres",
        {"municipality_id": 1, "name": "Центр", "address": "вул. Тестова, 1"},
    ),
    ("POST", "/api/v1/admin/users", user_body({"role": "admin"})),
    ("POST", "/api/v1/admin/partners", {"name": "Банк", "kind": "bank", "sector": "private"}),
    ("GET", "/api/v1/admin/users", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ENDPOINTS)
@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.MUNICIPAL_OFFICER, Role.CENTRE_STAFF])
async def test_admin_endpoints_are_403_for_other_roles(
    client: Client,
    session: Any,
    db: Database,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    role: Role,
) -> None:
    municipality = await make_municipality(session)
    centre = await make_centre(session, municipality)
    organisation = {Role.MUNICIPAL_OFFICER: municipality.id, Role.CENTRE_STAFF: centre.id}
    await make_user(session, role, organisation.get(role), email="someone@example.org")
    headers = await token_headers(client, "someone@example.org")

    response = await client.request(method, path, json=body, headers=headers)

    assert response.status_code == 403, response.text
    assert response.json()["status_code"] == 403
    assert response.json()["detail"]
    assert await count_rows(db, Municipality) == 1
    assert await count_rows(db, SupportCentre) == 1
    assert await count_rows(db, User) == 1
    assert await count_rows(db, Partner) == 0


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ENDPOINTS)
async def test_admin_endpoints_are_401_without_a_token(
    client: Client, db: Database, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, path, json=body)

    assert response.status_code == 401, response.text
    assert response.json()["status_code"] == 401
    assert await count_rows(db, Municipality) == 0
    assert await count_rows(db, User) == 0


# --- the admin page -------------------------------------------------------------------------


async def login_admin(client: Client, session: Any) -> None:
    await make_user(session, Role.ADMIN, email=ADMIN_EMAIL)
    assert (await login_page(client, ADMIN_EMAIL)).status_code == 303


async def test_admin_page_lists_municipalities(client: Client, session: Any) -> None:
    municipality = await make_municipality(session, name_uk="Решетилівська громада")
    await make_centre(session, municipality, name="ЦНАП Решетилівка")
    await login_admin(client, session)

    response = await client.get("/admin")

    assert response.status_code == 200
    text = text_of(response.text)
    assert "Адміністрування" in text
    assert "Решетилівська громада" in text
    assert municipality.katottg in text
    assert "ЦНАП Решетилівка" in text
    assert ADMIN_EMAIL in text  # latest accounts
    assert 'action="/admin/municipalities"' in response.text


async def test_admin_page_is_403_for_an_entrepreneur(client: Client, session: Any) -> None:
    await make_municipality(session, name_uk="Решетилівська громада")
    await make_user(session, email="petro@example.org")
    assert (await login_page(client, "petro@example.org")).status_code == 303

    response = await client.get("/admin")

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Доступ заборонено" in text_of(response.text)
    assert "Решетилівська громада" not in response.text


async def test_admin_page_sends_a_visitor_to_log_in(client: Client) -> None:
    response = await client.get("/admin", follow_redirects=False)

    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login?next=/admin"


async def test_logging_in_from_the_redirect_returns_to_admin(client: Client, session: Any) -> None:
    await make_user(session, Role.ADMIN, email=ADMIN_EMAIL)
    login = await client.get("/admin")  # follows the redirect to the login page
    assert 'name="next" value="/admin"' in login.text

    response = await login_page(client, ADMIN_EMAIL, next="/admin")  # with the second step

    assert response.headers["location"] == "/admin"
    assert (await client.get("/admin")).status_code == 200


async def test_admin_form_creates_a_municipality(
    client: Client, session: Any, db: Database
) -> None:
    await login_admin(client, session)

    response = await post_form(
        client,
        "/admin/municipalities",
        {
            "name_uk": "Полтавська громада",
            "name_en": "Poltava community",
            "katottg": "UA53080370010339303",
            "oblast": "UA53000000000028050",
        },
        page="/admin",
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin"
    [stored] = await fetch_rows(db, Municipality)
    assert stored.name_en == "Poltava community"
    assert stored.contact_email is None
    page = text_of((await client.get("/admin")).text)
    assert "Громаду створено." in page
    assert "Полтавська громада" in page


async def test_admin_form_with_a_bad_code_rerenders_without_storing(
    client: Client, session: Any, db: Database
) -> None:
    await login_admin(client, session)

    response = await post_form(
        client,
        "/admin/municipalities",
        {"name_uk": "Полтавська громада", "name_en": "", "katottg": "123", "oblast": ""},
        page="/admin",
    )

    assert response.status_code == 422
    text = text_of(response.text)
    assert "Код КАТОТТГ — це UA і 17 цифр." in text
    assert "Деякі поля потребують уваги." in text
    assert 'value="Полтавська громада"' in response.text  # what was typed is kept
    # The page's three forms share field names: the municipality form's ids carry its name.
    for field in ("name_en", "katottg", "oblast"):
        assert field_error(response.text, f"municipality-{field}"), field
    assert field_error(response.text, "municipality-katottg") == "Код КАТОТТГ — це UA і 17 цифр."
    assert field_error(response.text, "municipality-name_uk") == ""
    assert 'for="f-municipality-katottg"' in response.text
    assert 'aria-describedby="e-municipality-katottg h-municipality-katottg"' in response.text
    assert await count_rows(db, Municipality) == 0


async def test_admin_form_with_a_taken_code_is_409(
    client: Client, session: Any, db: Database
) -> None:
    existing = await make_municipality(session)
    await login_admin(client, session)

    response = await post_form(
        client,
        "/admin/municipalities",
        {
            "name_uk": "Друга громада",
            "name_en": "Second community",
            "katottg": existing.katottg,
            "oblast": existing.oblast,
        },
        page="/admin",
    )

    assert response.status_code == 409
    assert "уже існує" in text_of(response.text)
    assert await count_rows(db, Municipality) == 1


async def test_admin_form_creates_centre_staff(client: Client, session: Any, db: Database) -> None:
    municipality = await make_municipality(session)
    centre = await make_centre(session, municipality)
    await login_admin(client, session)

    response = await post_form(
        client,
        "/admin/users",
        {
            "full_name": "Марія Ткаченко",
            "email": "maria@example.org",
            "password": STAFF_PASSWORD,
            "locale": "uk",
            "role": "centre_staff",
            "municipality_id": "",
            "centre_id": str(centre.id),
            "partner_id": "",
            "oblast": "",
        },
        page="/admin",
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text
    [user] = await fetch_rows(db, User, User.email == "maria@example.org")
    [assignment] = await fetch_rows(db, RoleAssignment, RoleAssignment.user_id == user.id)
    assert assignment.role == Role.CENTRE_STAFF
    assert (assignment.centre_id, assignment.municipality_id) == (centre.id, municipality.id)


async def test_admin_form_for_an_officer_without_municipality_is_422(
    client: Client, session: Any, db: Database
) -> None:
    await login_admin(client, session)

    response = await post_form(
        client,
        "/admin/users",
        {
            "full_name": "Марія Ткаченко",
            "email": "maria@example.org",
            "password": STAFF_PASSWORD,
            "locale": "uk",
            "role": "municipal_officer",
            "municipality_id": "",
        },
        page="/admin",
    )

    assert response.status_code == 422
    assert "Для цієї ролі потрібно вказати організацію." in text_of(response.text)
    assert STAFF_PASSWORD not in response.text
    assert await count_rows(db, User, User.email == "maria@example.org") == 0


async def test_admin_forms_are_403_for_an_entrepreneur(
    client: Client, session: Any, db: Database
) -> None:
    await make_user(session, email="petro@example.org")
    assert (await login_page(client, "petro@example.org")).status_code == 303

    response = await post_form(
        client,
        "/admin/municipalities",
        {
            "name_uk": "Полтавська громада",
            "name_en": "Poltava community",
            "katottg": "UA53080370010339303",
            "oblast": "UA53000000000028050",
        },
        page="/",
    )

    assert response.status_code == 403
    assert await count_rows(db, Municipality) == 0
