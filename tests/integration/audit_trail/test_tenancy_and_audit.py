"""Tenancy (another municipality's data is 404) and the append-only audit log."""

import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.organisations.models import Municipality
from tests.factories import (
    Client,
    count_rows,
    fetch_rows,
    make_centre,
    make_municipality,
    make_partner,
    make_user,
    token_headers,
)


def staff_path(municipality_id: int | None) -> str:
    return f"/api/v1/municipalities/{municipality_id}/staff"


@pytest.fixture
async def two_tenants(session: Any) -> dict[str, Any]:
    """Municipalities A and B, each with an officer, and a centre with staff in A."""
    a = await make_municipality(session, name_uk="Громада А")
    b = await make_municipality(session, name_uk="Громада Б")
    centre_a = await make_centre(session, a)
    officer_a = await make_user(
        session, Role.MUNICIPAL_OFFICER, a.id, email="officer.a@example.org", full_name="Анна А"
    )
    staff_a = await make_user(
        session, Role.CENTRE_STAFF, centre_a.id, email="staff.a@example.org", full_name="Борис А"
    )
    officer_b = await make_user(
        session, Role.MUNICIPAL_OFFICER, b.id, email="officer.b@example.org", full_name="Віра Б"
    )
    return {
        "a": a,
        "b": b,
        "centre_a": centre_a,
        "officer_a": officer_a,
        "staff_a": staff_a,
        "officer_b": officer_b,
    }


# --- tenancy --------------------------------------------------------------------------------


async def test_officer_sees_the_staff_of_their_own_municipality(
    client: Client, two_tenants: dict[str, Any]
) -> None:
    headers = await token_headers(client, "officer.a@example.org")

    response = await client.get(staff_path(two_tenants["a"].id), headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "user_id": two_tenants["officer_a"].id,
            "full_name": "Анна А",
            "email": "officer.a@example.org",
            "role": "municipal_officer",
            "centre_id": None,
        },
        {
            "user_id": two_tenants["staff_a"].id,
            "full_name": "Борис А",
            "email": "staff.a@example.org",
            "role": "centre_staff",
            "centre_id": two_tenants["centre_a"].id,
        },
    ]


async def test_officer_gets_404_not_403_for_another_municipality(
    client: Client, two_tenants: dict[str, Any]
) -> None:
    headers = await token_headers(client, "officer.a@example.org")

    other = await client.get(staff_path(two_tenants["b"].id), headers=headers)
    missing = await client.get(staff_path(999999), headers=headers)

    assert other.status_code == 404, other.text
    assert other.json()["status_code"] == 404
    assert "Віра Б" not in other.text
    # Another tenant's municipality looks exactly like one that does not exist.
    assert other.json() == missing.json()


async def test_centre_staff_sees_their_own_municipality_only(
    client: Client, two_tenants: dict[str, Any]
) -> None:
    headers = await token_headers(client, "staff.a@example.org")
    assert (await client.get(staff_path(two_tenants["a"].id), headers=headers)).status_code == 200
    assert (await client.get(staff_path(two_tenants["b"].id), headers=headers)).status_code == 404


@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.REGIONAL_OBSERVER, Role.PARTNER])
async def test_users_without_a_municipality_get_404(
    client: Client, session: Any, two_tenants: dict[str, Any], role: Role
) -> None:
    if role is Role.PARTNER:
        partner = await make_partner(session)
        await make_user(session, role, partner.id, email="other@example.org")
    else:
        oblast = "UA53000000000028050" if role is Role.REGIONAL_OBSERVER else None
        await make_user(session, role, email="other@example.org", oblast=oblast)
    headers = await token_headers(client, "other@example.org")

    response = await client.get(staff_path(two_tenants["a"].id), headers=headers)

    assert response.status_code == 404


async def test_admin_sees_every_municipality(
    client: Client, session: Any, two_tenants: Any
) -> None:
    await make_user(session, Role.ADMIN, email="admin@example.org")
    headers = await token_headers(client, "admin@example.org")

    a = await client.get(staff_path(two_tenants["a"].id), headers=headers)
    b = await client.get(staff_path(two_tenants["b"].id), headers=headers)
    missing = await client.get(staff_path(999999), headers=headers)

    assert a.status_code == 200
    assert {m["email"] for m in a.json()} == {"officer.a@example.org", "staff.a@example.org"}
    assert b.status_code == 200
    assert [m["email"] for m in b.json()] == ["officer.b@example.org"]
    assert missing.status_code == 404
    assert missing.json()["status_code"] == 404


async def test_staff_list_needs_a_login(client: Client, two_tenants: dict[str, Any]) -> None:
    response = await client.get(staff_path(two_tenants["a"].id))
    assert response.status_code == 401


# --- audit ----------------------------------------------------------------------------------


@pytest.fixture
async def admin(client: Client, session: Any) -> tuple[int, dict[str, str]]:
    user = await make_user(session, Role.ADMIN, email="admin@example.org")
    assert user.id is not None
    return user.id, await token_headers(client, "admin@example.org")


async def created_entry(db: Database, object_type: str, object_id: int) -> AuditEntry:
    entries = await fetch_rows(
        db,
        AuditEntry,
        AuditEntry.object_type == object_type,
        AuditEntry.object_id == str(object_id),
        AuditEntry.action == "created",
    )
    assert len(entries) == 1, entries
    return entries[0]


async def test_every_admin_create_is_audited_with_the_request_id(
    client: Client, db: Database, admin: tuple[int, dict[str, str]]
) -> None:
    admin_id, headers = admin

    async def post(path: str, body: dict[str, Any]) -> tuple[int, str]:
        request_id = f"test-{uuid.uuid4().hex}"
        response = await client.post(
            path, json=body, headers={**headers, "X-Request-ID": request_id}
        )
        assert response.status_code == 201, response.text
        assert response.headers["x-request-id"] == request_id
        return response.json()["id"], request_id

    municipality_id, municipality_request = await post(
        "/api/v1/admin/municipalities",
        {
            "name_uk": "Полтавська громада",
            "name_en": "Poltava community",
            "katottg": "UA53080370010339303",
            "oblast": "UA53000000000028050",
        },
    )
    centre_id, centre_request = await post(
        "/api/v1/admin/centres",
        {"municipality_id": municipality_id, "name": "Центр", "address": "вул. Тестова, 1"},
    )
    user_id, user_request = await post(
        "/api/v1/admin/users",
        {
            "email": "staff@example.org",
            "full_name": "Марія Ткаченко",
            "password": "a long initial password 42",
            "roles": [{"role": "centre_staff", "organisation_id": centre_id}],
        },
    )
    partner_id, partner_request = await post(
        "/api/v1/admin/partners",
        {
            "name": "Інкубатор",
            "kind": "incubator",
            "sector": "private",
            "municipality_ids": [municipality_id],
        },
    )

    expected = [
        ("municipality", municipality_id, municipality_request, municipality_id),
        ("support_centre", centre_id, centre_request, municipality_id),
        ("user", user_id, user_request, municipality_id),
        ("partner", partner_id, partner_request, None),  # a partner may serve many
    ]
    for object_type, object_id, request_id, tenant in expected:
        entry = await created_entry(db, object_type, object_id)
        assert entry.actor_id == admin_id, object_type
        assert entry.request_id == request_id, object_type
        assert entry.municipality_id == tenant, object_type
        assert entry.at is not None and entry.at.tzinfo is not None
        assert entry.after, object_type

    municipality_entry = await created_entry(db, "municipality", municipality_id)
    assert municipality_entry.after is not None
    assert municipality_entry.after["katottg"] == "UA53080370010339303"
    user_entry = await created_entry(db, "user", user_id)
    assert user_entry.after is not None
    assert user_entry.after["email"] == "staff@example.org"
    assert "password" not in str(user_entry.after)


async def test_audit_request_id_is_made_when_the_caller_sends_none(
    client: Client, db: Database, admin: tuple[int, dict[str, str]]
) -> None:
    _admin_id, headers = admin
    response = await client.post(
        "/api/v1/admin/municipalities",
        json={
            "name_uk": "Полтавська громада",
            "name_en": "Poltava community",
            "katottg": "UA53080370010339303",
            "oblast": "UA53000000000028050",
        },
        headers=headers,
    )
    assert response.status_code == 201

    entry = await created_entry(db, "municipality", response.json()["id"])

    assert entry.request_id
    assert entry.request_id == response.headers["x-request-id"]


async def test_an_insane_request_id_is_replaced(client: Client) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "x" * 65})
    assert response.headers["x-request-id"]
    assert response.headers["x-request-id"] != "x" * 65
    assert len(response.headers["x-request-id"]) <= 64


async def test_a_refused_change_leaves_no_audit_entry(
    client: Client, db: Database, admin: tuple[int, dict[str, str]]
) -> None:
    _admin_id, headers = admin
    body = {
        "name_uk": "Полтавська громада",
        "name_en": "Poltava community",
        "katottg": "UA53080370010339303",
        "oblast": "UA53000000000028050",
    }
    assert (
        await client.post("/api/v1/admin/municipalities", json=body, headers=headers)
    ).status_code == 201

    again = await client.post("/api/v1/admin/municipalities", json=body, headers=headers)
    missing = await client.post(
        "/api/v1/admin/centres",
        json={"municipality_id": 999999, "name": "Центр", "address": "вул. Тестова, 1"},
        headers=headers,
    )

    assert (again.status_code, missing.status_code) == (409, 422)
    assert await count_rows(db, Municipality) == 1
    assert await count_rows(db, AuditEntry, AuditEntry.object_type == "municipality") == 1
    assert await count_rows(db, AuditEntry, AuditEntry.object_type == "support_centre") == 0


async def test_audit_entries_cannot_be_updated(db: Database, session: Any) -> None:
    await make_municipality(session)
    [entry] = await fetch_rows(db, AuditEntry)

    async with db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text("UPDATE audit_entry SET action = 'tampered'"))
        await conn.rollback()

    [after] = await fetch_rows(db, AuditEntry)
    assert after.action == entry.action == "created"


async def test_audit_entries_cannot_be_deleted(db: Database, session: Any) -> None:
    await make_municipality(session)
    await make_municipality(session)

    async with db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(
                text("DELETE FROM audit_entry WHERE id = (SELECT min(id) FROM audit_entry)")
            )
        await conn.rollback()

    assert await count_rows(db, AuditEntry) == 2


async def test_audit_entries_can_still_be_added(db: Database, session: Any) -> None:
    """The trigger guards history, not new entries."""
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_entry (object_type, object_id, action) "
                "VALUES ('test', '1', 'checked')"
            )
        )
    [entry] = await fetch_rows(db, AuditEntry)
    assert (entry.object_type, entry.action, entry.actor_id) == ("test", "checked", None)
