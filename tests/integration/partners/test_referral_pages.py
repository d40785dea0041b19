"""Referral pages over HTTP, without JavaScript: an entrepreneur's referrals, a partner
accepting, declining and completing them (refusals shown with 409 or 422, nothing changed),
centre staff referring a client by the two-step form or the htmx service list, a call's
partners chosen by its officer and offered on the grantee's page, a programme's host."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.partners.models import CallPartner, Referral
from sme_hub.training.models import Programme
from tests.factories import (
    TODAY,
    Client,
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
from tests.grants_setup import GRANTEE, LVIV, TAX_IDS, applicant, approved_grant, officer_and_call

FOP = "fop@example.org"
OUTCOME = "loan of 200 000 UAH approved"


pytestmark = pytest.mark.usefixtures("fast_passwords")


def visible(html: str) -> str:
    return text_of(html).replace("\xa0", " ")


async def log_in(client: Client, email: str) -> None:
    """Log in on the pages as `email`, in English (the texts the tests look for)."""
    client.cookies.clear()
    response = await login_page(client, email)
    assert response.status_code in (302, 303), response.text
    await client.get("/?lang=en")


async def lviv_with_people(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Lviv with a centre and its staff, a bank and an incubator each with a partner user,
    and a Lviv entrepreneur (a client of the centre)."""
    lviv = await make_municipality(session, katottg=LVIV, name_uk="Львівська громада")
    centre = await make_centre(session, lviv)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    bank = await make_partner(
        session,
        name="Банк «Довіра»",
        kind="bank",
        services=["Мікрокредит", "Лізинг обладнання"],
        municipality_ids=[lviv.id],
    )
    incubator = await make_partner(
        session, name="Інкубатор «Старт»", kind="incubator", services=["Менторство"]
    )
    await make_user(session, Role.PARTNER, bank.id, email="banker@example.org")
    await make_user(session, Role.PARTNER, incubator.id, email="mentor@example.org")
    entrepreneur = await applicant(client, session, FOP, tax_id=TAX_IDS[0])
    return {
        "lviv": lviv,
        "centre": centre,
        "bank": bank,
        "incubator": incubator,
        "entrepreneur": entrepreneur,
        "entrepreneur_id": (await client.get("/api/v1/me", headers=entrepreneur)).json()["id"],
        "staff": await token_headers(client, "staff@example.org"),
        "banker": await token_headers(client, "banker@example.org"),
    }


async def refer(client: Client, headers: dict[str, str], **body: Any) -> int:
    response = await client.post("/api/v1/referrals", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def emails_to(db: Database, address: str, template: str) -> int:
    rows = await fetch_rows(db, EmailOutbox, col(EmailOutbox.to_address) == address)
    return len([e for e in rows if e.template == template])


async def test_an_entrepreneur_sees_their_referrals_from_the_cabinet(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_people(client, session)
    by_centre = await refer(
        client,
        setup["staff"],
        entrepreneur_id=setup["entrepreneur_id"],
        partner_id=setup["bank"].id,
        service="мікрокредит",
        note="Потрібні обігові кошти",
    )
    await refer(
        client, setup["entrepreneur"], partner_id=setup["incubator"].id, service="Менторство"
    )
    for change in ({"status": "accepted"}, {"status": "completed", "outcome_note": OUTCOME}):
        moved = await client.patch(
            f"/api/v1/referrals/{by_centre}", headers=setup["banker"], json=change
        )
        assert moved.status_code == 200, moved.text

    await log_in(client, FOP)
    cabinet = await client.get("/me")
    assert 'href="/me/referrals"' in cabinet.text
    page = await client.get("/me/referrals")
    assert page.status_code == 200
    text = visible(page.text)
    for expected in (
        "My referrals",
        "Банк «Довіра»",
        "Мікрокредит",  # the partner's own name of the service
        "Note: Потрібні обігові кошти",
        "completed",
        "by a business support centre",
        OUTCOME,
        "Інкубатор «Старт»",
        "sent",
        "by the entrepreneur",
    ):
        assert expected in text, expected
    assert text.index("Інкубатор «Старт»") < text.index("Банк «Довіра»")  # newest first

    await log_in(client, "banker@example.org")
    assert (await client.get("/me/referrals")).status_code == 403


async def test_a_partner_answers_by_the_flow_and_refusals_change_nothing(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await lviv_with_people(client, session)
    first = await refer(
        client,
        setup["staff"],
        entrepreneur_id=setup["entrepreneur_id"],
        partner_id=setup["bank"].id,
        service="Мікрокредит",
    )
    second = await refer(
        client, setup["entrepreneur"], partner_id=setup["bank"].id, service="Лізинг обладнання"
    )
    elsewhere = await refer(
        client, setup["entrepreneur"], partner_id=setup["incubator"].id, service="Менторство"
    )
    told = await emails_to(db, FOP, "referral_changed")

    async def status_of(referral_id: int) -> tuple[str, str]:
        found = await fetch_rows(db, Referral, col(Referral.id) == referral_id)
        return found[0].status, found[0].outcome_note

    await log_in(client, "banker@example.org")
    page = await client.get("/partner/referrals")
    assert page.status_code == 200
    assert 'href="/partner/referrals"' in page.text  # the nav link
    assert f'id="referral-{first}"' in page.text and f'id="referral-{second}"' in page.text
    assert f'id="referral-{elsewhere}"' not in page.text
    assert "Accept" in page.text and "Decline" in page.text and "Complete" not in page.text

    path = f"/partner/referrals/{first}"
    skipped = await post_form(
        client, path, {"status": "completed", "outcome_note": OUTCOME}, page="/partner/referrals"
    )
    assert skipped.status_code == 409
    assert "A referral that is sent cannot become completed." in visible(skipped.text)
    assert await status_of(first) == ("sent", "")

    accepted = await post_form(
        client, path, {"status": "accepted"}, page="/partner/referrals", follow_redirects=False
    )
    assert accepted.status_code == 303
    assert await status_of(first) == ("accepted", "")
    shown = visible((await client.get("/partner/referrals")).text)
    assert "You accepted the referral" in shown

    no_outcome = await post_form(
        client, path, {"status": "completed", "outcome_note": "  "}, page="/partner/referrals"
    )
    assert no_outcome.status_code == 422
    assert "Say what came of it" in field_error(no_outcome.text, f"outcome_note-{first}")
    assert await status_of(first) == ("accepted", "")

    completed = await post_form(
        client,
        path,
        {"status": "completed", "outcome_note": OUTCOME},
        page="/partner/referrals",
        follow_redirects=False,
    )
    assert completed.status_code == 303
    assert await status_of(first) == ("completed", OUTCOME)

    declined = await post_form(
        client,
        f"/partner/referrals/{second}",
        {"status": "declined", "outcome_note": "Лізинг лише від двох років роботи"},
        page="/partner/referrals",
        follow_redirects=False,
    )
    assert declined.status_code == 303
    assert await status_of(second) == ("declined", "Лізинг лише від двох років роботи")

    again = await post_form(client, path, {"status": "accepted"}, page="/partner/referrals")
    assert again.status_code == 409
    assert "A referral that is completed cannot become accepted." in visible(again.text)
    assert await status_of(first) == ("completed", OUTCOME)

    theirs = await post_form(
        client, f"/partner/referrals/{elsewhere}", {"status": "accepted"}, page="/partner/referrals"
    )
    assert theirs.status_code == 404
    assert (await status_of(elsewhere))[0] == "sent"

    # Accepted, completed, declined: the entrepreneur is emailed each time, refusals never.
    assert await emails_to(db, FOP, "referral_changed") == told + 3
    done = await client.get("/partner/referrals?status=completed")
    assert f'id="referral-{first}"' in done.text and f'id="referral-{second}"' not in done.text
    assert OUTCOME in visible(done.text)


async def test_centre_staff_refer_a_client_in_two_steps_without_javascript(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await lviv_with_people(client, session)
    bank, client_id = setup["bank"], str(setup["entrepreneur_id"])
    await log_in(client, "staff@example.org")
    page = await client.get("/centre/referrals")
    assert page.status_code == 200
    assert 'href="/centre/referrals"' in page.text
    assert f'<option value="{client_id}"' in page.text
    assert "Лізинг обладнання" not in page.text  # no partner chosen: no services yet

    step = {"entrepreneur_id": client_id, "partner_id": str(bank.id), "note": "Розширення цеху"}
    services = await post_form(client, "/centre/referrals", {**step, "_step": "services"})
    assert services.status_code == 200
    assert '<option value="Лізинг обладнання">' in services.text
    assert f'<option value="{client_id}" selected>' in services.text
    assert "Розширення цеху" in services.text
    assert await fetch_rows(db, Referral) == []

    sent = await post_form(
        client,
        "/centre/referrals",
        {**step, "service": "Лізинг обладнання"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    (made,) = await fetch_rows(db, Referral)
    assert (made.source, made.centre_id, made.entrepreneur_id, made.service, made.note) == (
        "centre",
        setup["centre"].id,
        setup["entrepreneur_id"],
        "Лізинг обладнання",
        "Розширення цеху",
    )
    assert await emails_to(db, "banker@example.org", "referral_received") == 1
    assert await emails_to(db, FOP, "referral_changed") == 1
    listed = visible((await client.get("/centre/referrals")).text)
    assert "is referred to Банк «Довіра»" in listed and "Referrals your centre made" in listed

    twice = await post_form(client, "/centre/referrals", {**step, "service": "Лізинг обладнання"})
    assert twice.status_code == 409
    assert "This referral is already open" in visible(twice.text)
    assert len(await fetch_rows(db, Referral)) == 1


async def test_the_service_list_reloads_with_htmx_and_refusals_are_shown_by_field(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await lviv_with_people(client, session)
    stranger = await make_user(session, Role.ENTREPRENEUR, email="nobusiness@example.org")
    await log_in(client, "staff@example.org")
    fragment = await client.get(
        f"/centre/referrals/services?partner_id={setup['incubator'].id}",
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert 'id="service-field"' in fragment.text and "<html" not in fragment.text
    assert '<option value="Менторство">' in fragment.text
    page = await client.get("/centre/referrals")
    assert 'hx-get="/centre/referrals/services"' in page.text

    empty = await post_form(client, "/centre/referrals", {})
    assert empty.status_code == 422
    assert field_error(empty.text, "entrepreneur_id") == "Choose a client."
    assert field_error(empty.text, "partner_id") == "Choose a partner."
    assert field_error(empty.text, "service") == "Choose one of the partner's services."

    not_a_client = await post_form(
        client,
        "/centre/referrals",
        {
            "entrepreneur_id": str(stranger.id),
            "partner_id": str(setup["incubator"].id),
            "service": "Менторство",
        },
    )
    assert not_a_client.status_code == 422
    assert "not a client" in field_error(not_a_client.text, "entrepreneur_id")
    wrong_service = await post_form(
        client,
        "/centre/referrals",
        {
            "entrepreneur_id": str(setup["entrepreneur_id"]),
            "partner_id": str(setup["incubator"].id),
            "service": "Мікрокредит",
        },
    )
    assert wrong_service.status_code == 422
    assert "does not offer this service" in field_error(wrong_service.text, "service")
    assert await fetch_rows(db, Referral) == []


async def test_the_officer_names_call_partners_and_the_grantee_takes_an_offer(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id, call_id = setup["grant_id"], setup["call_id"]
    bank = await make_partner(
        session, name="Банк «Довіра»", kind="bank", services=["Мікрокредит", "Лізинг обладнання"]
    )
    await make_user(session, Role.PARTNER, bank.id, email="banker@example.org")
    grant_page = f"/me/grants/{grant_id}"

    await log_in(client, GRANTEE)
    assert "Partners of this call" not in visible((await client.get(grant_page)).text)

    await log_in(client, f"officer{setup['municipality'].id}@example.org")
    named = await post_form(
        client,
        f"/municipality/calls/{call_id}/partners",
        {"partner_id": str(bank.id), f"service_{bank.id}": "Лізинг обладнання"},
        page=f"/municipality/calls/{call_id}",
        follow_redirects=False,
    )
    assert named.status_code == 303

    await log_in(client, GRANTEE)
    page = await client.get(grant_page)
    text = visible(page.text)
    assert "Partners of this call" in text and "Банк «Довіра»" in text and "bank" in text
    assert "Ask for a referral" in text
    taken = await post_form(
        client,
        f"{grant_page}/referrals",
        {"partner_id": str(bank.id)},
        page=grant_page,
        follow_redirects=False,
    )
    assert taken.status_code == 303
    (made,) = await fetch_rows(db, Referral)
    assert (made.source, made.application_id, made.service, made.status) == (
        "grant",
        grant_id,
        "Лізинг обладнання",
        "sent",
    )
    assert await emails_to(db, "banker@example.org", "referral_received") == 1
    after = (await client.get(grant_page)).text
    assert "Status: sent" in visible(after)
    assert f"{grant_page}/referrals" not in after  # no second request to the same partner
    assert "offered with a grant" in visible((await client.get("/me/referrals")).text)

    not_offered = await make_partner(session, name="Інший", services=["Менторство"])
    refused = await post_form(
        client, f"{grant_page}/referrals", {"partner_id": str(not_offered.id)}, page=grant_page
    )
    assert refused.status_code == 404
    assert len(await fetch_rows(db, Referral)) == 1


async def test_the_officer_chooses_call_partners_and_refusals_show_by_partner(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    bank = await make_partner(
        session, name="Банк «Довіра»", kind="bank", services=["Мікрокредит", "Лізинг обладнання"]
    )
    closed = await make_partner(
        session, name="Закритий парк", kind="industrial_park", is_active=False
    )
    call_page = f"/municipality/calls/{call_id}"
    action = f"{call_page}/partners"

    await log_in(client, f"officer{setup['municipality'].id}@example.org")
    page = await client.get(call_page)
    assert "Partners of the call" in visible(page.text)
    assert f'value="{bank.id}"' in page.text and "Закритий парк" not in page.text

    inactive = await post_form(
        client, action, {"partner_id": [str(bank.id), str(closed.id)]}, page=call_page
    )
    assert inactive.status_code == 422
    assert "This partner is not active in the directory." in field_error(
        inactive.text, f"partner-{closed.id}"
    )
    assert await fetch_rows(db, CallPartner) == []

    saved = await post_form(
        client,
        action,
        {"partner_id": str(bank.id), f"service_{bank.id}": "Лізинг обладнання"},
        page=call_page,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert [(c.partner_id, c.service) for c in await fetch_rows(db, CallPartner)] == [
        (bank.id, "Лізинг обладнання")
    ]
    shown = visible((await client.get(call_page)).text)
    assert "Банк «Довіра» (bank) — Лізинг обладнання" in shown

    wrong = await post_form(
        client,
        action,
        {"partner_id": str(bank.id), f"service_{bank.id}": "Казино"},
        page=call_page,
    )
    assert wrong.status_code == 422
    assert "does not offer this service" in field_error(wrong.text, f"partner-{bank.id}")
    assert [c.service for c in await fetch_rows(db, CallPartner)] == ["Лізинг обладнання"]

    public = visible((await client.get(f"/calls/{call_id}")).text)
    assert "Partners of this call" in public and "Банк «Довіра»" in public


async def test_a_programme_names_its_host_shown_in_the_catalogue(
    client: Client, session: AsyncSession, db: Database
) -> None:
    lviv = await make_municipality(session)
    centre = await make_centre(session, lviv)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    host = await make_partner(session, name="Інкубатор «Старт»", kind="incubator")
    gone = await make_partner(session, name="Закритий інкубатор", is_active=False)
    await log_in(client, "staff@example.org")
    page = await client.get("/centre/training")
    assert f'<option value="{host.id}"' in page.text and "Закритий інкубатор" not in page.text

    programme = {"title": "Бізнес-план", "format": "online", "target_group": "all"}
    refused = await post_form(
        client,
        "/centre/training/programmes",
        {**programme, "host_partner_id": str(gone.id)},
        page="/centre/training",
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "host_partner_id") == (
        "This partner is not active in the directory."
    )
    assert await fetch_rows(db, Programme) == []

    created = await post_form(
        client,
        "/centre/training/programmes",
        {**programme, "host_partner_id": str(host.id)},
        page="/centre/training",
        follow_redirects=False,
    )
    assert created.status_code == 303
    (stored,) = await fetch_rows(db, Programme)
    assert stored.host_partner_id == host.id
    assert "Hosted by Інкубатор «Старт»" in visible((await client.get("/centre/training")).text)

    cohort = await post_form(
        client,
        f"/centre/training/programmes/{stored.id}/cohorts",
        {
            "starts_on": str(TODAY + timedelta(days=3)),
            "ends_on": str(TODAY + timedelta(days=9)),
            "enrolment_deadline": str(TODAY + timedelta(days=2)),
            "capacity": "10",
            "place": "Онлайн",
            "open": "true",
        },
        page="/centre/training",
        follow_redirects=False,
    )
    assert cohort.status_code == 303
    cohort_page = visible((await client.get(cohort.headers["location"])).text)
    assert "Hosted by Інкубатор «Старт»" in cohort_page
    catalogue = visible((await client.get("/courses")).text)
    assert "Бізнес-план" in catalogue and "Hosted by Інкубатор «Старт»" in catalogue
