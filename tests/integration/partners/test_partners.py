"""Partners and referrals over the API: the public directory and its filters, partner records
kept by admins and centre staff, referrals with their workflow and emails, the partners a call
names offered to its grantee, a programme's host, the figures reports use — and every refusal
a clear 4xx that changes nothing."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.audit import AuditEntry
from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.partners.models import Partner, Referral
from tests.factories import (
    BANK,
    Client,
    error_keys,
    fetch_rows,
    make_centre,
    make_municipality,
    make_partner,
    make_user,
    token_headers,
)
from tests.grants_setup import TAX_IDS, applicant

pytestmark = pytest.mark.usefixtures("fast_passwords")


async def admin(client: Client, session: AsyncSession) -> dict[str, str]:
    user = await make_user(session, Role.ADMIN, email="root@example.org")
    return await token_headers(client, user.email)


async def lviv_with_people(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Lviv (centre, staff), another community, an active bank serving Lviv with a partner
    user, an incubator serving the other one, and a Lviv entrepreneur."""
    lviv = await make_municipality(
        session, katottg="UA46060250000025047", name_uk="Львівська громада"
    )
    other = await make_municipality(session, name_uk="Інша громада")
    centre = await make_centre(session, lviv)
    staff = await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    bank = await make_partner(session, **BANK, municipality_ids=[lviv.id])
    incubator = await make_partner(
        session,
        name="Інкубатор «Старт»",
        kind="incubator",
        sector="civil_society",
        services=["Менторство"],
        municipality_ids=[other.id],
    )
    banker = await make_user(session, Role.PARTNER, bank.id, email="banker@example.org")
    mentor = await make_user(session, Role.PARTNER, incubator.id, email="mentor@example.org")
    entrepreneur = await applicant(client, session, "fop@example.org", tax_id=TAX_IDS[0])
    return {
        "lviv": lviv,
        "other": other,
        "centre": centre,
        "staff": await token_headers(client, staff.email),
        "bank": bank,
        "incubator": incubator,
        "banker": await token_headers(client, banker.email),
        "mentor": await token_headers(client, mentor.email),
        "entrepreneur": entrepreneur,
        "entrepreneur_id": (await client.get("/api/v1/me", headers=entrepreneur)).json()["id"],
    }


async def test_the_directory_lists_active_partners_with_filters_and_pages(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_people(client, session)
    await make_partner(session, name="Закритий парк", kind="industrial_park", is_active=False)
    everyone = (await client.get("/api/v1/partners")).json()
    assert [p["name"] for p in everyone["items"]] == ["Банк «Довіра»", "Інкубатор «Старт»"]
    assert everyone["total"] == 2
    bank = everyone["items"][0]
    assert bank["services"] == ["Мікрокредит", "Лізинг обладнання"]
    assert (bank["latitude"], bank["municipality_ids"]) == ("49.841952", [setup["lviv"].id])
    for query, names in (
        ("kind=bank", ["Банк «Довіра»"]),
        ("sector=civil_society", ["Інкубатор «Старт»"]),
        (f"municipality={setup['other'].id}", ["Інкубатор «Старт»"]),
        ("service=лізинг", ["Банк «Довіра»"]),
        ("q=старт", ["Інкубатор «Старт»"]),
        ("kind=bank&sector=public", []),
    ):
        found = (await client.get(f"/api/v1/partners?{query}")).json()
        assert [p["name"] for p in found["items"]] == names, query
    paged = (await client.get("/api/v1/partners?limit=1&offset=1")).json()
    assert ([p["name"] for p in paged["items"]], paged["total"]) == (["Інкубатор «Старт»"], 2)
    bad = await client.get("/api/v1/partners?kind=casino&municipality=x")
    assert bad.status_code == 422
    assert error_keys(bad) == {"kind", "municipality"}
    # A digit that is not ASCII ("²".isdigit() is true, int() refuses it) was a 500.
    superscript = await client.get("/api/v1/partners?municipality=%C2%B2")
    assert superscript.status_code == 422
    assert error_keys(superscript) == {"municipality"}
    hidden = await make_partner(session, name="Прихований", is_active=False)
    assert (await client.get(f"/api/v1/partners/{hidden.id}")).status_code == 404
    assert (await client.get(f"/api/v1/partners/{setup['bank'].id}")).status_code == 200


async def test_admins_and_the_centres_it_serves_keep_a_partner_up_to_date(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await lviv_with_people(client, session)
    root = await admin(client, session)
    created = await client.post(
        "/api/v1/admin/partners",
        headers=root,
        json={
            **BANK,
            "name": "Кредитна спілка «Разом»",
            "kind": "credit_union",
            "services": ["Кредит", " кредит ", "Консультація"],
            "municipality_ids": [setup["lviv"].id],
        },
    )
    assert created.status_code == 201, created.text
    partner = created.json()
    assert partner["services"] == ["Кредит", "Консультація"]  # blanks and repeats dropped
    path = f"/api/v1/partners/{partner['id']}"
    for body, key, status in (
        ({"website": "bank.example.org"}, "website", 422),
        ({"latitude": None}, "__root__", 422),  # one coordinate without the other
        ({"latitude": "95"}, "latitude", 400),
        ({"kind": "casino"}, "kind", 400),
    ):
        refused = await client.patch(path, headers=root, json=body)
        assert refused.status_code == status, refused.text
        assert key in refused.text
    one_coordinate = await client.post(
        "/api/v1/admin/partners", headers=root, json={**BANK, "longitude": None}
    )
    assert one_coordinate.status_code == 400
    by_staff = await client.patch(
        path, headers=setup["staff"], json={"contact_phone": "+380 32 111 11 11"}
    )
    assert by_staff.status_code == 200, by_staff.text
    assert by_staff.json()["contact_phone"] == "+380 32 111 11 11"
    moving = await client.patch(
        path, headers=setup["staff"], json={"municipality_ids": [setup["other"].id]}
    )
    assert moving.status_code == 403
    elsewhere = await client.patch(
        f"/api/v1/partners/{setup['incubator'].id}",
        headers=setup["staff"],
        json={"name": "Нова назва"},
    )
    assert elsewhere.status_code == 404  # it serves another municipality
    closed = await client.patch(path, headers=root, json={"is_active": False})
    assert closed.json()["is_active"] is False
    assert (await client.get(path)).status_code == 404
    (stored,) = await fetch_rows(db, Partner, col(Partner.id) == partner["id"])
    assert (stored.name, stored.website, stored.is_active) == (
        "Кредитна спілка «Разом»",
        "https://bank.example.org",
        False,
    )
    entries = await fetch_rows(db, AuditEntry, col(AuditEntry.object_type) == "partner")
    assert [e.action for e in entries if e.object_id == str(partner["id"])] == [
        "created",
        "updated",
        "updated",
    ]


async def test_a_referral_goes_sent_accepted_completed_with_emails_and_an_audit(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await lviv_with_people(client, session)
    bank = setup["bank"]
    made = await client.post(
        "/api/v1/referrals",
        headers=setup["entrepreneur"],
        json={"partner_id": bank.id, "service": " мікрокредит", "note": "Потрібно 200 тис."},
    )
    assert made.status_code == 201, made.text
    referral = made.json()
    assert (referral["status"], referral["service"], referral["source"]) == (
        "sent",
        "Мікрокредит",
        "self",
    )
    again = await client.post(
        "/api/v1/referrals",
        headers=setup["entrepreneur"],
        json={"partner_id": bank.id, "service": "Мікрокредит"},
    )
    assert again.status_code == 409
    path = f"/api/v1/referrals/{referral['id']}"
    skipped = await client.patch(
        path, headers=setup["banker"], json={"status": "completed", "outcome_note": "Так"}
    )
    assert skipped.status_code == 409
    other_partner = await client.patch(path, headers=setup["mentor"], json={"status": "accepted"})
    assert other_partner.status_code == 404
    by_entrepreneur = await client.patch(
        path, headers=setup["entrepreneur"], json={"status": "accepted"}
    )
    assert by_entrepreneur.status_code == 403
    accepted = await client.patch(path, headers=setup["banker"], json={"status": "accepted"})
    assert accepted.json()["status"] == "accepted"
    assert (
        await client.patch(path, headers=setup["banker"], json={"status": "declined"})
    ).status_code == 409
    silent = await client.patch(path, headers=setup["banker"], json={"status": "completed"})
    assert silent.status_code == 422
    assert error_keys(silent) == {"outcome_note"}
    done = await client.patch(
        path,
        headers=setup["banker"],
        json={"status": "completed", "outcome_note": "Кредит 200 000 грн схвалено"},
    )
    assert done.json()["status"] == "completed"
    assert done.json()["outcome_note"] == "Кредит 200 000 грн схвалено"
    (stored,) = await fetch_rows(db, Referral, col(Referral.id) == referral["id"])
    assert stored.answered_at is not None and stored.closed_at is not None
    emails = await fetch_rows(db, EmailOutbox, col(EmailOutbox.template).like("referral_%"))
    assert [(e.to_address, e.template) for e in emails] == [
        ("banker@example.org", "referral_received"),
        ("fop@example.org", "referral_changed"),
        ("fop@example.org", "referral_changed"),
    ]
    assert "Кредит 200 000 грн схвалено" in emails[-1].body_text
    entries = await fetch_rows(db, AuditEntry, col(AuditEntry.object_type) == "referral")
    assert [e.action for e in entries] == ["created", "accepted", "completed"]
    # Once completed, a new referral for the same service may be opened.
    anew = await client.post(
        "/api/v1/referrals",
        headers=setup["entrepreneur"],
        json={"partner_id": bank.id, "service": "Мікрокредит"},
    )
    assert anew.status_code == 201


async def test_refusals_change_nothing(client: Client, session: AsyncSession, db: Database) -> None:
    setup = await lviv_with_people(client, session)
    closed = await make_partner(session, name="Закритий", services=["Кредит"], is_active=False)
    stranger = await applicant(client, session, "kyiv@example.org", tax_id=TAX_IDS[1])
    stranger_id = (await client.get("/api/v1/me", headers=stranger)).json()["id"]
    for headers, body, status, keys in (
        (
            setup["entrepreneur"],
            {"partner_id": closed.id, "service": "Кредит"},
            422,
            {"partner_id"},
        ),
        (
            setup["entrepreneur"],
            {"partner_id": setup["bank"].id, "service": "Іпотека"},
            422,
            {"service"},
        ),
        (setup["entrepreneur"], {"partner_id": 999_999, "service": "Кредит"}, 422, {"partner_id"}),
        (
            setup["staff"],
            {"partner_id": setup["bank"].id, "service": "Лізинг обладнання"},
            422,
            {"entrepreneur_id"},
        ),
        (
            setup["entrepreneur"],
            {
                "entrepreneur_id": stranger_id,
                "partner_id": setup["bank"].id,
                "service": "Лізинг обладнання",
            },
            403,
            set(),
        ),
        (
            setup["banker"],
            {"partner_id": setup["bank"].id, "service": "Мікрокредит"},
            422,
            {"entrepreneur_id"},
        ),
    ):
        refused = await client.post("/api/v1/referrals", headers=headers, json=body)
        assert refused.status_code == status, (body, refused.text)
        if keys:
            assert error_keys(refused) == keys
    assert await fetch_rows(db, Referral) == []
    assert (
        await client.patch(
            "/api/v1/referrals/999", headers=setup["banker"], json={"status": "accepted"}
        )
    ).status_code == 404
    assert (
        await client.post("/api/v1/referrals", json={"partner_id": 1, "service": "x"})
    ).status_code == 401


async def test_centre_staff_refer_their_clients_and_everyone_sees_their_own(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_people(client, session)
    by_centre = await client.post(
        "/api/v1/referrals",
        headers=setup["staff"],
        json={
            "entrepreneur_id": setup["entrepreneur_id"],
            "partner_id": setup["bank"].id,
            "service": "Лізинг обладнання",
            "note": "Клієнтка планує купити піч.",
        },
    )
    assert by_centre.status_code == 201, by_centre.text
    assert (by_centre.json()["source"], by_centre.json()["centre_id"]) == (
        "centre",
        setup["centre"].id,
    )
    own = await client.post(
        "/api/v1/referrals",
        headers=setup["entrepreneur"],
        json={"partner_id": setup["incubator"].id, "service": "Менторство"},
    )
    assert own.status_code == 201
    outsider = await applicant(
        client, session, "far@example.org", tax_id=TAX_IDS[2], katottg="UA05020030000031457"
    )
    outsider_id = (await client.get("/api/v1/me", headers=outsider)).json()["id"]
    not_a_client = await client.post(
        "/api/v1/referrals",
        headers=setup["staff"],
        json={
            "entrepreneur_id": outsider_id,
            "partner_id": setup["bank"].id,
            "service": "Мікрокредит",
        },
    )
    assert not_a_client.status_code == 422
    assert error_keys(not_a_client) == {"entrepreneur_id"}

    def ids(response: Any) -> set[int]:
        return {r["id"] for r in response.json()["items"]}

    centre_made, self_made = by_centre.json()["id"], own.json()["id"]
    assert ids(await client.get("/api/v1/referrals", headers=setup["entrepreneur"])) == {
        centre_made,
        self_made,
    }
    assert ids(await client.get("/api/v1/referrals", headers=setup["staff"])) == {centre_made}
    assert ids(await client.get("/api/v1/referrals", headers=setup["banker"])) == {centre_made}
    assert ids(await client.get("/api/v1/referrals", headers=setup["mentor"])) == {self_made}
    assert ids(await client.get("/api/v1/referrals", headers=outsider)) == set()
    hidden = await client.get(f"/api/v1/referrals/{self_made}", headers=setup["banker"])
    assert hidden.status_code == 404
    waiting = await client.get("/api/v1/referrals?status=sent", headers=setup["banker"])
    assert ids(waiting) == {centre_made}


async def test_figures_count_referrals_by_partner_kind_sector_outcome_and_month(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_people(client, session)
    for service in ("Мікрокредит", "Лізинг обладнання"):
        made = await client.post(
            "/api/v1/referrals",
            headers=setup["staff"],
            json={
                "entrepreneur_id": setup["entrepreneur_id"],
                "partner_id": setup["bank"].id,
                "service": service,
            },
        )
        assert made.status_code == 201
    first = (await client.get("/api/v1/referrals", headers=setup["banker"])).json()["items"][0]
    await client.patch(
        f"/api/v1/referrals/{first['id']}", headers=setup["banker"], json={"status": "declined"}
    )
    officer = await make_user(session, Role.MUNICIPAL_OFFICER, setup["lviv"].id)
    headers = await token_headers(client, officer.email)
    figures = (await client.get("/api/v1/reports/referrals", headers=headers)).json()
    assert figures["total"] == {"sent": 1, "accepted": 0, "declined": 1, "completed": 0}
    assert figures["by_kind"] == {"bank": {"sent": 1, "accepted": 0, "declined": 1, "completed": 0}}
    assert list(figures["by_sector"]) == ["private"]
    assert figures["by_partner"][0]["partner"] == "Банк «Довіра»"
    assert len(figures["by_month"]) == 1
    other_officer = await make_user(session, Role.MUNICIPAL_OFFICER, setup["other"].id)
    elsewhere = await client.get(
        "/api/v1/reports/referrals", headers=await token_headers(client, other_officer.email)
    )
    assert elsewhere.json()["total"]["sent"] == 0  # Lviv's referrals are not theirs
    lviv, other = setup["lviv"].id, setup["other"].id
    own = await client.get(f"/api/v1/reports/referrals?municipality={lviv}", headers=headers)
    assert own.status_code == 200 and own.json()["total"]["sent"] == 1
    # Another municipality is not found, as in every report (not a 200 of zeros).
    for municipality in (other, 999_999):
        hidden = await client.get(
            f"/api/v1/reports/referrals?municipality={municipality}", headers=headers
        )
        assert hidden.status_code == 404, hidden.text
    admin = await make_user(session, Role.ADMIN, email="admin@example.org")
    admin_headers = await token_headers(client, admin.email)
    assert (
        await client.get(f"/api/v1/reports/referrals?municipality={lviv}", headers=admin_headers)
    ).json()["total"]["sent"] == 1
    missing = await client.get(
        "/api/v1/reports/referrals?municipality=999999", headers=admin_headers
    )
    assert missing.status_code == 404
    refused = await client.get("/api/v1/reports/referrals", headers=setup["entrepreneur"])
    assert refused.status_code == 403


async def test_a_programme_names_an_active_host(client: Client, session: AsyncSession) -> None:
    setup = await lviv_with_people(client, session)
    closed = await make_partner(session, name="Закритий", is_active=False)
    body = {"title": "Фінансова грамотність", "topics": ["finance"]}
    refused = await client.post(
        "/api/v1/programmes", headers=setup["staff"], json={**body, "host_partner_id": closed.id}
    )
    assert refused.status_code == 422
    assert error_keys(refused) == {"host_partner_id"}
    hosted = await client.post(
        "/api/v1/programmes",
        headers=setup["staff"],
        json={**body, "host_partner_id": setup["incubator"].id},
    )
    assert hosted.status_code == 201, hosted.text
    assert hosted.json()["host_partner_id"] == setup["incubator"].id


async def test_a_grantee_is_offered_the_partners_of_the_call(
    client: Client, session: AsyncSession, db: Database
) -> None:
    from tests.grants_setup import approved_grant

    setup = await approved_grant(client, session)
    bank = await make_partner(session, **BANK, municipality_ids=[setup["municipality"].id])
    closed = await make_partner(session, name="Закритий", services=["Кредит"], is_active=False)
    path = f"/api/v1/calls/{setup['call_id']}/partners"
    refused = await client.put(
        path,
        headers=setup["officer"],
        json={
            "partners": [{"partner_id": closed.id}, {"partner_id": bank.id, "service": "Іпотека"}]
        },
    )
    assert refused.status_code == 422
    assert error_keys(refused) == {"partners.0.partner_id", "partners.1.service"}
    named = await client.put(
        path,
        headers=setup["officer"],
        json={"partners": [{"partner_id": bank.id, "service": "лізинг обладнання"}]},
    )
    assert named.json() == [{"partner_id": bank.id, "service": "Лізинг обладнання"}]
    grant = setup["grant_id"]
    offers = (await client.get(f"/api/v1/grants/{grant}/offers", headers=setup["grantee"])).json()
    assert [(o["partner"], o["service"], o["referral_id"]) for o in offers] == [
        ("Банк «Довіра»", "Лізинг обладнання", None)
    ]
    taken = await client.post(
        f"/api/v1/grants/{grant}/referrals", headers=setup["grantee"], json={"partner_id": bank.id}
    )
    assert taken.status_code == 201, taken.text
    assert (taken.json()["source"], taken.json()["application_id"]) == ("grant", grant)
    offers = (await client.get(f"/api/v1/grants/{grant}/offers", headers=setup["grantee"])).json()
    assert offers[0]["referral_status"] == "sent"
    unknown = await client.post(
        f"/api/v1/grants/{grant}/referrals",
        headers=setup["grantee"],
        json={"partner_id": closed.id},
    )
    assert unknown.status_code == 404
    stranger = await applicant(client, session, "x@example.org", tax_id=TAX_IDS[3])
    assert (await client.get(f"/api/v1/grants/{grant}/offers", headers=stranger)).status_code == 404


async def test_simultaneous_requests_open_one_referral(
    client: Client, session: AsyncSession, db: Database
) -> None:
    """Twelve identical requests at once (a double click, many tabs): one referral."""
    import asyncio

    from sme_hub.config import Settings
    from sme_hub.core.errors import Conflict
    from sme_hub.core.roles import CurrentUser
    from sme_hub.partners import referrals as partner_referrals
    from sme_hub.partners.schemas import ReferralIn

    setup = await lviv_with_people(client, session)
    person = CurrentUser.acting(
        setup["entrepreneur_id"], Role.ENTREPRENEUR, email="fop@example.org", full_name="ФОП"
    )

    async def ask() -> bool:
        async with db.sessionmaker() as racing, racing.begin():
            try:
                await partner_referrals.create_referral(
                    racing,
                    person,
                    ReferralIn(partner_id=setup["bank"].id, service="Мікрокредит"),
                    settings=Settings(),
                )
            except Conflict:
                return False
            return True

    made = await asyncio.gather(*(ask() for _ in range(12)))
    assert sum(made) == 1
    assert len(await fetch_rows(db, Referral)) == 1
