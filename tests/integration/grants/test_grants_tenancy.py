"""Tenancy of calls and applications (product.md §1): staff of another municipality get 404 on
every route, evaluators and partners get nothing; and assisted filing (§8) — centre staff
draft for a consenting client of their municipality, the client submits."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.grants.models import Application
from tests.factories import (
    Client,
    error_keys,
    fetch_rows,
    make_partner,
    make_user,
    token_headers,
)
from tests.grants_setup import (
    KYIV,
    TAX_IDS,
    applicant,
    application_body,
    call_body,
    officer_and_call,
    other_municipality,
    pdf_bytes,
    user_id_of,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


async def lviv_world(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Lviv with a submitted application (with a file) and a draft call; Kyiv's staff."""
    setup = await officer_and_call(client, session)
    kyiv = await other_municipality(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    draft_call = await client.post("/api/v1/calls", headers=setup["officer"], json=call_body())
    created = await client.post(f"/api/v1/calls/{setup['call_id']}/applications", headers=olena)
    application_id = created.json()["id"]
    await client.patch(
        f"/api/v1/applications/{application_id}", headers=olena, json=application_body()
    )
    upload = await client.post(
        f"/api/v1/applications/{application_id}/attachments",
        headers=olena,
        files={"data": ("plan.pdf", pdf_bytes(), "application/pdf")},
    )
    submitted = await client.post(f"/api/v1/applications/{application_id}/submit", headers=olena)
    assert submitted.status_code == 200, submitted.text
    return {
        **setup,
        "kyiv": kyiv,
        "olena": olena,
        "draft_call_id": draft_call.json()["id"],
        "application_id": application_id,
        "attachment_id": upload.json()["id"],
    }


def routes(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    call, draft_call = world["call_id"], world["draft_call_id"]
    app, file = world["application_id"], world["attachment_id"]
    return [
        ("GET", f"/api/v1/calls/{draft_call}", None),
        ("GET", f"/api/v1/calls/{draft_call}/amendments", None),
        ("PATCH", f"/api/v1/calls/{draft_call}", {"title_uk": "Чужий"}),
        (
            "PATCH",
            f"/api/v1/calls/{call}",
            {"title_uk": "Чужий", "amendment_reason": "Чужа поправка"},
        ),
        ("POST", f"/api/v1/calls/{draft_call}/publish", None),
        ("POST", f"/api/v1/calls/{call}/close", None),
        ("GET", f"/api/v1/calls/{call}/applications", None),
        ("GET", f"/api/v1/applications/{app}", None),
        ("GET", f"/api/v1/applications/{app}/pdf", None),
        ("GET", f"/api/v1/applications/{app}/attachments/{file}", None),
        ("DELETE", f"/api/v1/applications/{app}/attachments/{file}", None),
        ("POST", f"/api/v1/applications/{app}/eligibility", {"eligible": True}),
        ("PATCH", f"/api/v1/applications/{app}", {"summary": "Чуже"}),
        ("POST", f"/api/v1/applications/{app}/withdraw", None),
        ("POST", f"/api/v1/applications/{app}/submit", None),
    ]


async def call_route(
    client: Client, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> Any:
    return await client.request(method, path, headers=headers, json=body)


async def assert_untouched(db: Database, world: dict[str, Any]) -> None:
    (row,) = await fetch_rows(db, Application, col(Application.id) == world["application_id"])
    assert (row.status, row.summary) == ("submitted", application_body()["summary"])


async def test_another_municipalitys_staff_get_404_everywhere(
    client: Client, session: AsyncSession, db: Database
) -> None:
    world = await lviv_world(client, session)
    kyiv = world["kyiv"]
    for who, headers in (("kyiv staff", kyiv["staff"]), ("kyiv officer", kyiv["officer"])):
        for method, path, body in routes(world):
            response = await call_route(client, method, path, body, headers)
            # Role guards may refuse first (officers do not screen, staff do not manage
            # calls): 403 reveals nothing; anything else must be 404.
            allowed = (
                {404, 403}
                if path.endswith(("/eligibility", "/publish", "/close"))
                or (method == "PATCH" and "/calls/" in path)
                else {404}
            )
            assert response.status_code in allowed, (who, method, path, response.text)
    # Assisted filing in Lviv's call for a Lviv client.
    olena_id = await user_id_of(session, "olena@example.org")
    assisted = await client.post(
        f"/api/v1/calls/{world['call_id']}/applications",
        headers=kyiv["staff"],
        json={"entrepreneur_id": olena_id, "consent": True},
    )
    assert assisted.status_code == 404
    await assert_untouched(db, world)
    # The same routes work for Lviv's own staff (the test reaches real objects).
    own = await client.get(
        f"/api/v1/applications/{world['application_id']}", headers=world["staff"]
    )
    assert own.status_code == 200
    listed = await client.get(
        f"/api/v1/calls/{world['call_id']}/applications", headers=world["staff"]
    )
    assert [r["id"] for r in listed.json()["items"]] == [world["application_id"]]
    # And Kyiv's staff see Kyiv's own (empty) call.
    theirs = await client.get(
        f"/api/v1/calls/{kyiv['call_id']}/applications", headers=kyiv["staff"]
    )
    assert theirs.status_code == 200 and theirs.json()["items"] == []


async def test_evaluators_partners_and_observers_get_nothing(
    client: Client, session: AsyncSession, db: Database
) -> None:
    world = await lviv_world(client, session)
    lviv_id = world["municipality"].id
    partner = await make_partner(session, municipality_ids=[lviv_id])
    await make_user(session, Role.EVALUATOR, lviv_id, email="evaluator@example.org")
    await make_user(session, Role.PARTNER, partner.id, email="partner@example.org")
    await make_user(
        session, Role.REGIONAL_OBSERVER, oblast="UA46000000000026241", email="observer@example.org"
    )
    taras = await applicant(client, session, "taras@example.org", tax_id=TAX_IDS[1])
    people = {
        "evaluator": await token_headers(client, "evaluator@example.org"),
        "partner": await token_headers(client, "partner@example.org"),
        "observer": await token_headers(client, "observer@example.org"),
        "another entrepreneur": taras,
    }
    for who, headers in people.items():
        for method, path, body in routes(world):
            if method == "GET" and path == f"/api/v1/calls/{world['call_id']}":
                continue
            response = await call_route(client, method, path, body, headers)
            assert response.status_code in (403, 404), (who, method, path, response.text)
    for method, path, body in routes(world):
        response = await call_route(client, method, path, body, {})
        assert response.status_code in (401, 404), (method, path, response.text)
    await assert_untouched(db, world)
    assert world["olena"]


async def test_staff_access_to_personal_data_is_audited(
    client: Client, session: AsyncSession, db: Database
) -> None:
    world = await lviv_world(client, session)
    staff, app = world["staff"], world["application_id"]
    await client.get(f"/api/v1/calls/{world['call_id']}/applications", headers=staff)
    await client.get(f"/api/v1/applications/{app}", headers=staff)
    await client.get(f"/api/v1/applications/{app}/pdf", headers=staff)
    await client.get(
        f"/api/v1/applications/{app}/attachments/{world['attachment_id']}", headers=staff
    )
    staff_id = await user_id_of(session, f"staff{world['municipality'].id}@example.org")
    entries = await fetch_rows(db, AuditEntry, col(AuditEntry.actor_id) == staff_id)
    assert [e.action for e in entries] == [
        "applications_viewed",
        "viewed",
        "pdf_viewed",
        "attachment_viewed",
    ]
    assert {e.municipality_id for e in entries} == {world["municipality"].id}
    # The applicant reading their own files is not "staff access".
    await client.get(f"/api/v1/applications/{app}/pdf", headers=world["olena"])
    olena_id = await user_id_of(session, "olena@example.org")
    own = await fetch_rows(db, AuditEntry, col(AuditEntry.actor_id) == olena_id)
    assert "pdf_viewed" not in [e.action for e in own]


async def test_assisted_filing(client: Client, session: AsyncSession, db: Database) -> None:
    setup = await officer_and_call(client, session)
    kyiv = await other_municipality(client, session)
    staff = setup["staff"]
    mykola = await applicant(client, session, "mykola@example.org", tax_id=TAX_IDS[0])
    await applicant(client, session, "kyivan@example.org", tax_id=TAX_IDS[1], katottg=KYIV)
    await make_user(session, email="noprofile@example.org")
    await make_user(session, Role.CENTRE_STAFF, setup["centre"].id, email="colleague@example.org")
    colleague = await token_headers(client, "colleague@example.org")
    mykola_id = await user_id_of(session, "mykola@example.org")
    staff_id = await user_id_of(session, f"staff{setup['municipality'].id}@example.org")
    url = f"/api/v1/calls/{setup['call_id']}/applications"

    async def assist(headers: dict[str, str], **body: Any) -> Any:
        return await client.post(url, headers=headers, json=body)

    # Consent is required, and recorded.
    for body in ({"entrepreneur_id": mykola_id, "consent": False}, {"entrepreneur_id": mykola_id}):
        refused = await assist(staff, **body)
        assert refused.status_code in (400, 422), refused.text
        assert "consent" in error_keys(refused)
    # Only clients of the municipality (a business located there).
    for email in ("kyivan@example.org", "noprofile@example.org"):
        other = await assist(staff, entrepreneur_id=await user_id_of(session, email), consent=True)
        assert other.status_code == 404, (email, other.text)
    assert (await assist(staff, entrepreneur_id=999_999, consent=True)).status_code == 404
    assert (await assist(kyiv["staff"], entrepreneur_id=mykola_id, consent=True)).status_code == 404
    # An entrepreneur cannot draft for someone else.
    assert (await assist(mykola, entrepreneur_id=mykola_id, consent=True)).status_code in (
        403,
        404,
    )
    assert await fetch_rows(db, Application) == []

    created = await assist(
        staff,
        entrepreneur_id=mykola_id,
        consent=True,
        consent_method="signed_form",
        consent_note="Заява № 17",
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    assert created.json()["applicant_id"] == mykola_id
    assert created.json()["assisted_by"] == staff_id
    (row,) = await fetch_rows(db, Application)
    assert row.assistance_consent is not None
    assert row.assistance_consent["method"] == "signed_form"
    assert row.assistance_consent["note"] == "Заява № 17"
    assert row.assistance_consent["recorded_by"] == staff_id
    (entry,) = await fetch_rows(db, AuditEntry, col(AuditEntry.action) == "assisted_draft")
    assert (
        entry.actor_id == staff_id
        and entry.after
        and entry.after["consent"]["method"] == ("signed_form")
    )
    # One live application per client and call, whoever starts it.
    assert (await assist(staff, entrepreneur_id=mykola_id, consent=True)).status_code == 409
    assert (await client.post(url, headers=mykola)).status_code == 409

    # Staff fill it in; a colleague who did not draft it does not see it.
    app_url = f"/api/v1/applications/{application_id}"
    filled = await client.patch(app_url, headers=staff, json=application_body())
    assert filled.status_code == 200, filled.text
    assert (await client.get(app_url, headers=colleague)).status_code == 404
    assert (await client.patch(app_url, headers=colleague, json={"summary": "x"})).status_code == (
        404
    )

    # The client sees it and submits it; staff cannot submit it for them.
    mine = await client.get("/api/v1/me/applications", headers=mykola)
    assert [a["id"] for a in mine.json()] == [application_id]
    assert [e["action"] for e in mine.json()[0]["timeline"]] == ["assisted_draft", "assisted_edit"]
    assert (await client.post(f"{app_url}/submit", headers=staff)).status_code == 403
    assert (await client.post(f"{app_url}/withdraw", headers=staff)).status_code == 403
    (row,) = await fetch_rows(db, Application)
    assert row.status == "draft"
    done = await client.post(f"{app_url}/submit", headers=mykola)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "submitted"
    # Submitted: staff of the municipality see it, as staff; nobody edits it any more.
    assert (await client.get(app_url, headers=colleague)).status_code == 200
    assert (await client.patch(app_url, headers=staff, json={"summary": "x"})).status_code == 409
