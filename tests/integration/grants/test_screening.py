"""Centre staff screen the submitted applications of their municipality's calls (product.md
§8): a filtered list with possible duplicates flagged (never refused), and the eligibility
decision with a reason the applicant sees and is emailed."""

import re
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.audit import AuditEntry
from sme_hub.core.mail import EmailOutbox
from sme_hub.db import Database
from sme_hub.grants.models import Application
from tests.factories import Client, error_keys, fetch_rows, login_page, text_of
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    application_body,
    draft,
    officer_and_call,
    submitted,
    ua_iban,
    user_id_of,
)

MALE_OWNED = {"owners": [{"gender": "male", "share_pct": "100"}]}
NO_GREEN = {"green": {"answers": {}}}


pytestmark = pytest.mark.usefixtures("fast_passwords")


def contacts(n: int, **overrides: Any) -> dict[str, Any]:
    """Contacts no other applicant shares (unless overridden)."""
    return {
        "iban": ua_iban(1000 + n),
        "contact_phone": f"+380 50 000 00 {n:02d}",
        "business_address": f"Львів, вул. Зелена, {n}",
        **overrides,
    }


async def test_staff_list_flags_duplicates_and_filters(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id, staff = setup["call_id"], setup["staff"]
    people: dict[str, dict[str, str]] = {}
    apps: dict[str, int] = {}
    plan: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        # Two applicants share an IBAN.
        "anna": ({}, contacts(1, iban=ua_iban(777))),
        "bohdan": (MALE_OWNED, contacts(2, iban=ua_iban(777))),
        # The same phone, written differently.
        "chrystia": (NO_GREEN, contacts(3, contact_phone="+380 67 123 45 67")),
        "dmytro": (MALE_OWNED | NO_GREEN, contacts(4, contact_phone="067-123-45-67")),
        # The same address but for case and punctuation.
        "emilia": ({}, contacts(5, business_address="Львів, вул. Городоцька, 10")),
        "fedir": (MALE_OWNED, contacts(6, business_address="ЛЬВІВ вул Городоцька 10.")),
        # Nobody shares anything with Halyna.
        "halyna": ({}, contacts(7)),
    }
    for i, (name, (business, fields)) in enumerate(plan.items()):
        people[name] = await applicant(
            client,
            session,
            f"{name}@example.org",
            tax_id=TAX_IDS[i],
            name=f"ТОВ «{name.title()}»",
            **business,
        )
        extra = (
            {
                "screening": {**application_body()["screening"], "new_construction": True},
                "mitigation": "Шумоізоляція.",
            }
            if name == "emilia"
            else {}
        )
        # Duplicates are flagged, never refused: every one of them submits.
        apps[name] = await submitted(
            client,
            call_id,
            people[name],
            project_title=f"Проєкт {name}",
            **fields,
            **extra,
        )
    # A draft sharing Halyna's IBAN is not a duplicate (drafts are not applications yet).
    ivan = await applicant(client, session, "ivan@example.org", tax_id=TAX_IDS[9])
    ivan_draft = await draft(client, call_id, ivan, **application_body(**contacts(7)))

    url = f"/api/v1/calls/{call_id}/applications"

    async def listed(**params: str) -> dict[str, bool]:
        response = await client.get(url, headers=staff, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return {
            row["project_title"].removeprefix("Проєкт "): row["duplicate"] for row in body["items"]
        }

    everything = await listed()
    assert everything == {
        "anna": True,
        "bohdan": True,
        "chrystia": True,
        "dmytro": True,
        "emilia": True,
        "fedir": True,
        "halyna": False,
    }
    assert ivan_draft not in apps.values()
    assert set(await listed(duplicates="true")) == set(plan) - {"halyna"}
    assert set(await listed(women_led="true")) == {"anna", "chrystia", "emilia", "halyna"}
    assert set(await listed(women_led="false")) == {"bohdan", "dmytro", "fedir"}
    assert set(await listed(green_level="none")) == {"chrystia", "dmytro"}
    assert set(await listed(category="B")) == {"emilia"}
    assert set(await listed(category="C")) == set(plan) - {"emilia"}
    assert set(await listed(q="halyna")) == {"halyna"}  # project title
    assert set(await listed(q="«Fedir")) == {"fedir"}  # business name
    assert set(await listed(q="проєкт")) == set(plan)
    assert set(await listed(women_led="false", duplicates="true", q="bohdan")) == {"bohdan"}
    bad = await client.get(url, headers=staff, params={"women_led": "maybe"})
    assert bad.status_code in (400, 422)
    assert "women_led" in error_keys(bad)
    page = await client.get(url, headers=staff, params={"limit": 2, "offset": 2})
    assert page.json()["total"] == 7 and len(page.json()["items"]) == 2

    # Each duplicate names the other applicant's application to staff (and only to staff).
    def read(name: str, headers: dict[str, str]) -> Any:
        return client.get(f"/api/v1/applications/{apps[name]}", headers=headers)

    assert (await read("anna", staff)).json()["duplicate_of"] == [apps["bohdan"]]
    assert (await read("dmytro", staff)).json()["duplicate_of"] == [apps["chrystia"]]
    assert (await read("fedir", staff)).json()["duplicate_of"] == [apps["emilia"]]
    assert (await read("halyna", staff)).json()["duplicate_of"] == []
    assert (await read("anna", people["anna"])).json()["duplicate_of"] == []
    # Staff opening an application is written to the audit log.
    viewed = await fetch_rows(
        db,
        AuditEntry,
        col(AuditEntry.action) == "viewed",
        col(AuditEntry.object_type) == "application",
    )
    assert len(viewed) == 4
    staff_id = await user_id_of(session, f"staff{setup['municipality'].id}@example.org")
    assert {v.actor_id for v in viewed} == {staff_id}
    assert {v.municipality_id for v in viewed} == {setup["municipality"].id}


async def test_a_withdrawn_application_is_no_longer_listed_or_a_duplicate(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(client, session)
    anna = await applicant(client, session, "anna@example.org", tax_id=TAX_IDS[0])
    bohdan = await applicant(client, session, "bohdan@example.org", tax_id=TAX_IDS[1])
    first = await submitted(client, setup["call_id"], anna)
    second = await submitted(client, setup["call_id"], bohdan)  # same contacts as Anna
    url = f"/api/v1/calls/{setup['call_id']}/applications"
    rows = (await client.get(url, headers=setup["staff"])).json()["items"]
    assert {r["id"]: r["duplicate"] for r in rows} == {first: True, second: True}
    await client.post(f"/api/v1/applications/{second}/withdraw", headers=bohdan)
    rows = (await client.get(url, headers=setup["staff"])).json()["items"]
    assert {r["id"]: r["duplicate"] for r in rows} == {first: False}


async def test_eligibility_decision(client: Client, session: AsyncSession, db: Database) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await submitted(client, setup["call_id"], olena)
    url = f"/api/v1/applications/{application_id}/eligibility"
    staff = setup["staff"]

    for body in ({"eligible": False}, {"eligible": False, "reason": "  "}):
        refused = await client.post(url, headers=staff, json=body)
        assert refused.status_code in (400, 422), refused.text
        assert "reason" in error_keys(refused), refused.text
    # Officers do not screen; applicants neither.
    decision = {"eligible": False, "reason": "Бізнес зареєстровано поза громадою."}
    assert (await client.post(url, headers=setup["officer"], json=decision)).status_code == 403
    assert (await client.post(url, headers=olena, json=decision)).status_code == 403
    (row,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    assert row.status == "submitted" and row.eligibility_reason == ""

    decided = await client.post(url, headers=staff, json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "ineligible"
    mine = (await client.get(f"/api/v1/applications/{application_id}", headers=olena)).json()
    assert mine["status"] == "ineligible"
    assert mine["eligibility_reason"] == decision["reason"]
    assert mine["next_step"]
    (email,) = await fetch_rows(
        db, EmailOutbox, col(EmailOutbox.template) == "application_screened"
    )
    assert email.to_address == "olena@example.org" and email.locale == "uk"
    assert decision["reason"] in email.body_text
    staff_id = await user_id_of(session, f"staff{setup['municipality'].id}@example.org")
    (entry,) = await fetch_rows(db, AuditEntry, col(AuditEntry.action) == "mark_ineligible")
    assert entry.actor_id == staff_id
    assert entry.object_id == str(application_id)
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "ineligible", "reason": decision["reason"]}

    # A second look may reverse it; eligible needs no reason.
    again = await client.post(url, headers=staff, json={"eligible": True})
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "eligible"
    assert again.json()["eligibility_reason"] == ""
    assert (
        len(await fetch_rows(db, EmailOutbox, col(EmailOutbox.template) == "application_screened"))
        == 2
    )


async def test_drafts_and_withdrawn_applications_cannot_be_decided(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    taras = await applicant(client, session, "taras@example.org", tax_id=TAX_IDS[1])
    staff = setup["staff"]
    decision = {"eligible": True}
    # A draft: staff do not even see it.
    own_draft = await draft(client, setup["call_id"], olena, **application_body())
    response = await client.post(
        f"/api/v1/applications/{own_draft}/eligibility", headers=staff, json=decision
    )
    assert response.status_code == 404
    # An assisted draft the staff member drafted: visible to them, but not to be decided.
    assisted = await client.post(
        f"/api/v1/calls/{setup['call_id']}/applications",
        headers=staff,
        json={"entrepreneur_id": await user_id_of(session, "taras@example.org"), "consent": True},
    )
    assert assisted.status_code == 201, assisted.text
    response = await client.post(
        f"/api/v1/applications/{assisted.json()['id']}/eligibility", headers=staff, json=decision
    )
    assert response.status_code == 409
    # Withdrawn.
    await client.post(f"/api/v1/applications/{own_draft}/submit", headers=olena)
    await client.post(f"/api/v1/applications/{own_draft}/withdraw", headers=olena)
    response = await client.post(
        f"/api/v1/applications/{own_draft}/eligibility", headers=staff, json=decision
    )
    assert response.status_code == 409
    statuses = {a.id: a.status for a in await fetch_rows(db, Application)}
    assert statuses == {own_draft: "withdrawn", assisted.json()["id"]: "draft"}
    assert (
        await fetch_rows(db, EmailOutbox, col(EmailOutbox.template) == "application_screened") == []
    )
    assert taras  # Taras's own login is not needed: staff drafted for him


async def test_a_duplicate_says_what_matched_and_with_which_application(
    client: Client, session: AsyncSession
) -> None:
    """Two applications sharing only an IBAN: each names the other and the account number, in
    the API's list and application, and on staff's list and application pages (issue 15,
    finding 13)."""
    setup = await officer_and_call(client, session)
    call_id, staff = setup["call_id"], setup["staff"]
    first = await applicant(client, session, "olha@example.org", tax_id=TAX_IDS[0])
    second = await applicant(client, session, "petro@example.org", tax_id=TAX_IDS[1])
    a = await submitted(client, call_id, first, **contacts(1, iban=ua_iban(555)))
    b = await submitted(client, call_id, second, **contacts(2, iban=ua_iban(555)))
    alone = await applicant(client, session, "roman@example.org", tax_id=TAX_IDS[2])
    c = await submitted(client, call_id, alone, **contacts(3))

    listed = await client.get(f"/api/v1/calls/{call_id}/applications", headers=staff)
    matches = {row["id"]: row["duplicate_matches"] for row in listed.json()["items"]}
    assert matches == {
        a: [{"application_id": b, "fields": ["iban"]}],
        b: [{"application_id": a, "fields": ["iban"]}],
        c: [],
    }
    read = await client.get(f"/api/v1/applications/{b}", headers=staff)
    assert read.json()["duplicate_matches"] == [{"application_id": a, "fields": ["iban"]}]
    assert read.json()["duplicate_of"] == [a]

    await login_page(client, f"staff{setup['municipality'].id}@example.org")
    page = await client.get(f"/centre/grants/calls/{call_id}")
    rows = re.findall(r'data-testid="duplicate-of">(.*?)</small>', page.text, re.S)
    assert [shown(r) for r in rows] == [
        f"збіг із № {b}: номер рахунку",
        f"збіг із № {a}: номер рахунку",
    ]
    assert f'href="/centre/grants/applications/{b}"' in page.text
    opened = await client.get(f"/centre/grants/applications/{a}")
    (note,) = re.findall(r'data-testid="duplicate-of">(.*?)</li>', opened.text, re.S)
    assert shown(note) == f"збіг із № {b}: номер рахунку"


def shown(fragment: str) -> str:
    """The text of a fragment with a link in it, as it reads."""
    return " ".join(text_of(fragment).split()).replace(" :", ":")
