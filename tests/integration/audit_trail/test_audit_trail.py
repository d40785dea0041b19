"""The audit trail API and page: by object, paged, filtered, within the officer's tenant; and
every staff view of personal data writes an entry."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core import audit
from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.implementation.grants import today_in_kyiv
from tests.factories import (
    Client,
    fetch_rows,
    login_page,
    make_partner,
    make_user,
    text_of,
    token_headers,
)
from tests.grants_setup import GRANTEE, approved_grant, other_municipality, user_id_of

AUDIT = "/api/v1/audit"
ADMIN = "root@example.org"


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def world(client: Client, session: AsyncSession) -> dict[str, Any]:
    """An approved Lviv grant, Kyiv with its own officer and call, and an admin."""
    setup = await approved_grant(client, session)
    setup["kyiv"] = await other_municipality(client, session)
    await make_user(session, Role.ADMIN, email=ADMIN, full_name="Адміністратор")
    setup["admin"] = await token_headers(client, ADMIN)
    setup["officer_email"] = f"officer{setup['municipality'].id}@example.org"
    return setup


async def trail(client: Client, headers: dict[str, str], **params: Any) -> Any:
    return await client.get(AUDIT, headers=headers, params=params)


def actions(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["action"] for item in response.json()["items"]]


async def test_trails_of_an_application_a_call_a_grant_and_a_user(
    client: Client, session: AsyncSession
) -> None:
    w = await world(client, session)
    officer, grant_id, call_id = w["officer"], w["grant_id"], w["call_id"]

    answer = await trail(client, officer, object=f"application:{grant_id}")
    assert actions(answer) == ["approved", "submit", "created"]  # newest first
    body = answer.json()
    assert body["total"] == 3 and body["limit"] == 50 and body["offset"] == 0
    approved = body["items"][0]
    officer_id = await user_id_of(session, w["officer_email"])
    assert approved["actor"] == {
        "id": officer_id,
        "name": "Тестова Особа",
        "email": w["officer_email"],
    }
    assert approved["at"].endswith("Z") or "+" in approved["at"]
    assert approved["object_type"] == "application" and approved["object_id"] == str(grant_id)
    assert approved["municipality_id"] == w["municipality"].id
    assert set(approved) >= {"before", "after", "request_id"}

    for name in (f"call:{call_id}", f"grant_call:{call_id}"):
        found = actions(await trail(client, officer, object=name))
        assert {"created", "publish", "decided"} <= set(found), name

    # A grant is its approved application: its history holds both.
    await client.get(f"/api/v1/grants/{grant_id}", headers=officer)
    grant = (await trail(client, officer, object=f"grant:{grant_id}")).json()["items"]
    assert [(i["object_type"], i["action"]) for i in grant][:2] == [
        ("grant", "viewed"),
        ("application", "approved"),
    ]

    grantee_id = await user_id_of(session, GRANTEE)
    assert actions(await trail(client, w["admin"], object=f"user:{grantee_id}")) == ["created"]
    staff_id = await user_id_of(session, f"staff{w['municipality'].id}@example.org")
    # A staff account made for Lviv: its officer sees it, Kyiv's sees nothing of it.
    assert actions(await trail(client, officer, object=f"user:{staff_id}")) == ["created"]
    assert actions(await trail(client, w["kyiv"]["officer"], object=f"user:{staff_id}")) == []


async def test_paging_and_filters(client: Client, session: AsyncSession) -> None:
    w = await world(client, session)
    officer, name = w["officer"], f"application:{w['grant_id']}"
    first = (await trail(client, officer, object=name, limit=2)).json()
    second = (await trail(client, officer, object=name, limit=2, offset=2)).json()
    assert first["total"] == second["total"] == 3  # reading is logged elsewhere: no shift
    assert [i["action"] for i in first["items"] + second["items"]] == [
        "approved",
        "submit",
        "created",
    ]
    grantee_id = await user_id_of(session, GRANTEE)
    assert actions(await trail(client, officer, object=name, actor=grantee_id)) == [
        "submit",
        "created",
    ]
    assert actions(await trail(client, officer, object=name, action="submit")) == ["submit"]
    today = today_in_kyiv()
    assert len(actions(await trail(client, officer, object=name, since=str(today)))) == 3
    yesterday = str(today - timedelta(days=1))
    assert actions(await trail(client, officer, object=name, until=yesterday)) == []
    both = await trail(client, officer, object=name, since=str(today), until=str(today))
    assert len(actions(both)) == 3
    for bad in ({"since": "01.12.2026"}, {"since": str(today), "until": yesterday}):
        refused = await trail(client, officer, object=name, **bad)
        assert refused.status_code == 422, refused.text


async def test_tenancy_roles_and_bad_objects(
    client: Client, session: AsyncSession, db: Database
) -> None:
    w = await world(client, session)
    kyiv = w["kyiv"]["officer"]
    for name in (f"application:{w['grant_id']}", f"grant:{w['grant_id']}", f"call:{w['call_id']}"):
        assert (await trail(client, kyiv, object=name)).status_code == 404, name
    missing = await trail(client, w["officer"], object="application:999999")
    assert missing.status_code == 404
    # A not yet approved application is no grant.
    kyiv_call = w["kyiv"]["call_id"]
    assert (await trail(client, kyiv, object=f"grant:{kyiv_call}")).status_code == 404

    # Entries written under another tenant never show, even on a shared object.
    grantee_id = await user_id_of(session, GRANTEE)
    for municipality in (w["municipality"], w["kyiv"]["municipality"]):
        await audit.record(
            session, None, "user", grantee_id, "note", municipality_id=municipality.id
        )
    await session.commit()
    lviv_view = (await trail(client, w["officer"], object=f"user:{grantee_id}")).json()["items"]
    assert {i["municipality_id"] for i in lviv_view} == {w["municipality"].id}
    assert len((await trail(client, w["admin"], object=f"user:{grantee_id}")).json()["items"]) == 3

    name = f"application:{w['grant_id']}"
    assert (await client.get(AUDIT, params={"object": name})).status_code == 401
    assert (await trail(client, w["grantee"], object=name)).status_code == 403
    assert (await trail(client, w["staff"], object=name)).status_code == 403  # centre staff

    for bad in ("", "application", "application:", "nothing:1", "application:abc", "call:-1"):
        refused = await trail(client, w["officer"], object=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["key"] for e in refused.json()["extra"]] == ["object"]
        assert refused.json()["extra"][0]["message"]

    # Reading a history is itself logged, and readable.
    readings = await fetch_rows(db, AuditEntry, col(AuditEntry.action) == "history_viewed")
    assert readings and {r.object_type for r in readings} == {"audit_trail"}
    who_read = await trail(client, w["admin"], object=f"audit_trail:user:{grantee_id}")
    assert actions(who_read) == ["history_viewed", "history_viewed"]  # the officer, the admin
    # An officer reads who read their tenant's histories, not Kyiv's.
    theirs = await trail(client, w["officer"], object=f"audit_trail:user:{grantee_id}")
    assert {i["municipality_id"] for i in theirs.json()["items"]} == {w["municipality"].id}


async def test_the_page_in_ukrainian_and_english_and_the_history_links(
    client: Client, session: AsyncSession
) -> None:
    w = await world(client, session)
    grant_id = w["grant_id"]
    assert (await login_page(client, w["officer_email"])).status_code == 303
    blank = await client.get("/audit")
    assert blank.status_code == 200 and "Історія" in blank.text
    page = await client.get(f"/audit?type=application&id={grant_id}")
    assert page.status_code == 200, page.text
    shown = text_of(page.text)
    assert "затверджено" in shown and "подано" in shown and "Тестова Особа" in shown
    assert '<th scope="col">' in page.text and "<caption>" in page.text
    english = text_of((await client.get(f"/audit?type=application&id={grant_id}&lang=en")).text)
    assert "approved" in english and "submitted" in english and "History of" in english
    filtered = await client.get(f"/audit?type=application&id={grant_id}&action=submit&limit=1")
    assert filtered.status_code == 200 and "(1 entry)" in text_of(filtered.text)
    assert "draft → submitted" in text_of(filtered.text)  # the diff of the changed field
    assert (await client.get("/audit?type=application&id=abc")).status_code == 422
    assert (await client.get(f"/audit?type=call&id={w['kyiv']['call_id']}")).status_code == 404

    links = {
        f"/municipality/calls/{w['call_id']}": f"/audit?type=grant_call&amp;id={w['call_id']}",
        f"/municipality/grants/{grant_id}": f"/audit?type=grant&amp;id={grant_id}",
        f"/centre/grants/applications/{grant_id}": f"/audit?type=application&amp;id={grant_id}",
    }
    for path, link in links.items():
        response = await client.get(path)
        assert response.status_code == 200, path
        assert link in response.text, path
    client.cookies.clear()
    assert (await login_page(client, f"staff{w['municipality'].id}@example.org")).status_code == 303
    staff_view = await client.get(f"/centre/grants/applications/{grant_id}")
    assert staff_view.status_code == 200 and "/audit?" not in staff_view.text
    assert (await client.get("/audit")).status_code == 403
    client.cookies.clear()
    assert (await login_page(client, ADMIN)).status_code == 303
    grantee_id = await user_id_of(session, GRANTEE)
    assert f"/audit?type=user&amp;id={grantee_id}" in (await client.get("/admin")).text


async def test_every_staff_view_of_personal_data_is_logged(
    client: Client, session: AsyncSession, db: Database
) -> None:
    w = await world(client, session)
    grant_id, call_id, lviv = w["grant_id"], w["call_id"], w["municipality"]
    bank = await make_partner(
        session, name="Банк", kind="bank", services=["Кредит"], municipality_ids=[lviv.id]
    )
    await make_user(session, Role.PARTNER, bank.id, email="banker@example.org")
    banker = await token_headers(client, "banker@example.org")
    grantee_id = await user_id_of(session, GRANTEE)
    referred = await client.post(
        "/api/v1/referrals",
        headers=w["staff"],
        json={"entrepreneur_id": grantee_id, "partner_id": bank.id, "service": "Кредит"},
    )
    assert referred.status_code == 201, referred.text
    referral_id = referred.json()["id"]
    officer, staff, admin = w["officer"], w["staff"], w["admin"]
    api = [
        (staff, "/api/v1/centre/clients", "client_list", "viewed_personal_data"),
        (staff, f"/api/v1/calls/{call_id}/applications", "grant_call", "applications_viewed"),
        (staff, f"/api/v1/applications/{grant_id}", "application", "viewed"),
        (staff, f"/api/v1/applications/{grant_id}/pdf", "application", "pdf_viewed"),
        (officer, f"/api/v1/grants/{grant_id}", "grant", "viewed"),
        (officer, f"/api/v1/grants/{grant_id}/agreement.pdf", "grant", "agreement_downloaded"),
        (banker, "/api/v1/referrals", "referral_list", "viewed"),
        (banker, f"/api/v1/referrals/{referral_id}", "referral", "viewed"),
        (staff, "/api/v1/referrals", "referral_list", "viewed"),
        (admin, "/api/v1/admin/users", "user_list", "viewed"),
        (officer, AUDIT + f"?object=grant:{grant_id}", "audit_trail", "history_viewed"),
    ]
    pages = [
        ("staff", "/centre/clients", "client_list", "viewed_personal_data"),
        ("staff", "/centre/clients/export.csv", "client_list", "exported"),
        ("staff", f"/centre/grants/calls/{call_id}", "grant_call", "applications_viewed"),
        ("staff", f"/centre/grants/calls/{call_id}/export.xlsx", "grant_call", "exported"),
        ("staff", f"/centre/grants/applications/{grant_id}", "application", "viewed"),
        ("staff", f"/centre/grants/applications/{grant_id}/copy.pdf", "application", "pdf_viewed"),
        ("staff", "/centre/referrals", "referral_list", "viewed"),
        ("officer", f"/municipality/grants/{grant_id}", "grant", "viewed"),
        (
            "officer",
            f"/municipality/calls/{call_id}/evaluation/applications/{grant_id}",
            "application",
            "viewed",
        ),
        ("officer", f"/audit?type=application&id={grant_id}", "audit_trail", "history_viewed"),
        ("partner", "/partner/referrals", "referral_list", "viewed"),
        ("admin", "/admin", "user_list", "viewed"),
    ]

    async def latest() -> AuditEntry:
        return (await fetch_rows(db, AuditEntry))[-1]

    for headers, path, object_type, action in api:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
        entry = await latest()
        assert (entry.object_type, entry.action) == (object_type, action), path
        assert entry.actor_id not in (None, grantee_id), path
    emails = {
        "staff": f"staff{lviv.id}@example.org",
        "officer": w["officer_email"],
        "partner": "banker@example.org",
        "admin": ADMIN,
    }
    for who, path, object_type, action in pages:
        client.cookies.clear()
        assert (await login_page(client, emails[who])).status_code == 303
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        entry = await latest()
        assert (entry.object_type, entry.action) == (object_type, action), path
        assert entry.actor_id == await user_id_of(session, emails[who]), path
    # The grantee reading their own grant is not staff access.
    before = len(await fetch_rows(db, AuditEntry))
    assert (await client.get(f"/api/v1/grants/{grant_id}", headers=w["grantee"])).status_code == 200
    assert len(await fetch_rows(db, AuditEntry)) == before
