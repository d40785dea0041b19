"""The partner pages over HTTP: the public directory (filters, pages, the map's data, English),
a partner's page with the entrepreneur's request for a referral, and the partner form of the
admin and of centre staff — every refusal shown by its field and changing nothing."""

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.partners.models import Partner, PartnerMunicipality, Referral
from tests.factories import (
    BANK,
    Client,
    count_rows,
    fetch_rows,
    field_error,
    login_page,
    make_centre,
    make_municipality,
    make_partner,
    make_user,
    post_form,
    text_of,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


def visible(html: str) -> str:
    return text_of(html).replace("\xa0", " ")


def map_ids(html: str) -> set[int]:
    found = re.search(
        r'<script type="application/json" id="partner-map-data">(.*?)</script>', html, re.S
    )
    assert found, "the page has no map data island"
    return {marker["id"] for marker in json.loads(found.group(1))["markers"]}


async def directory(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Lviv and another community; an active bank in Lviv (on the map), an active incubator in
    the other one (no coordinates), and an inactive industrial park."""
    lviv = await make_municipality(session, name_uk="Львівська громада", name_en="Lviv")
    other = await make_municipality(session, name_uk="Інша громада", name_en="Other")
    bank = await make_partner(session, **BANK, municipality_ids=[lviv.id])
    incubator = await make_partner(
        session,
        name="Інкубатор «Старт»",
        kind="incubator",
        sector="civil_society",
        services=["Менторство"],
        municipality_ids=[other.id],
    )
    closed = await make_partner(
        session,
        name="Закритий парк",
        kind="industrial_park",
        is_active=False,
        latitude="50",
        longitude="30",
    )
    return {"lviv": lviv, "other": other, "bank": bank, "incubator": incubator, "closed": closed}


# --- the directory --------------------------------------------------------------------------


async def test_the_directory_lists_active_partners_with_their_facts_and_map(
    client: Client, session: AsyncSession
) -> None:
    setup = await directory(client, session)

    response = await client.get("/partners")

    assert response.status_code == 200
    page = visible(response.text)
    assert "Банк «Довіра»" in page and "Інкубатор «Старт»" in page
    assert "Закритий парк" not in page
    for fact in ("Мікрокредит, Лізинг обладнання", "Львів, пл. Ринок, 1", "+380 32 000 00 00"):
        assert fact in page
    assert "Львівська громада" in page and "Інша громада" in page
    assert 'href="https://bank.example.org"' in response.text
    assert 'href="mailto:sme@bank.example.org"' in response.text
    assert f'href="/partners/{setup["bank"].id}"' in response.text
    # Only the listed partners with coordinates are markers; the map waits for its script.
    assert map_ids(response.text) == {setup["bank"].id}
    assert re.search(r'<div id="partner-map"[^>]*aria-label="[^"]+"[^>]*hidden', response.text)
    assert "/static/js/partners-map.js" in response.text
    assert '<a href="/partners" aria-current="page">' in response.text  # the header's link


async def test_each_filter_narrows_the_directory(client: Client, session: AsyncSession) -> None:
    setup = await directory(client, session)
    bank, incubator = "Банк «Довіра»", "Інкубатор «Старт»"
    for query, shown in (
        ("kind=bank", {bank}),
        ("sector=civil_society", {incubator}),
        (f"municipality={setup['lviv'].id}", {bank}),
        (f"municipality={setup['other'].id}", {incubator}),
        ("service=Менторство", {incubator}),
        ("service=лізинг", {bank}),
        ("q=старт", {incubator}),
        ("kind=bank&sector=public", set()),
    ):
        page = visible((await client.get(f"/partners?{query}&lang=en")).text)
        assert {name for name in (bank, incubator) if name in page} == shown, query
        if not shown:
            assert "No partner matches these filters." in page
    # The service filter offers what active partners offer, and keeps the choice.
    chosen = (await client.get("/partners?service=Менторство")).text
    assert '<option value="Менторство" selected>' in chosen
    assert '<option value="Мікрокредит">' in chosen
    only_incubator = (await client.get(f"/partners?municipality={setup['other'].id}")).text
    assert map_ids(only_incubator) == set()


async def test_the_directory_pages_say_where_you_are(client: Client, session: AsyncSession) -> None:
    for n in range(3):
        await make_partner(session, name=f"Партнер {n}")

    first = await client.get("/partners?kind=incubator&limit=2&lang=en")
    second = await client.get("/partners?kind=incubator&limit=2&offset=2")

    assert "Partners 1–2 of 3" in visible(first.text)
    assert "Партнер 0" in first.text and "Партнер 2" not in first.text
    assert 'href="/partners?kind=incubator&amp;limit=2&offset=2"' in first.text
    assert "Partners 3–3 of 3" in visible(second.text)
    assert "Партнер 2" in second.text
    assert 'href="/partners?kind=incubator&amp;limit=2&offset=0"' in second.text


async def test_the_directory_in_english(client: Client, session: AsyncSession) -> None:
    await directory(client, session)

    page = visible((await client.get("/partners?lang=en")).text)

    assert "Partner directory" in page
    assert "bank · private sector" in page
    assert "business incubator · civil society" in page
    assert "Communities served Lviv" in page


async def test_htmx_gets_only_the_results(client: Client, session: AsyncSession) -> None:
    setup = await directory(client, session)

    response = await client.get("/partners?kind=bank", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Банк «Довіра»" in response.text and "Інкубатор «Старт»" not in response.text
    assert map_ids(response.text) == {setup["bank"].id}


async def test_a_bad_filter_is_422_with_the_message_by_the_field(
    client: Client, session: AsyncSession
) -> None:
    await directory(client, session)

    response = await client.get("/partners?kind=casino&municipality=x&lang=en")

    assert response.status_code == 422
    assert field_error(response.text, "kind") == "Choose a kind from the list."
    assert field_error(response.text, "municipality") == "Choose a municipality from the list."
    assert 'aria-describedby="e-kind"' in response.text
    assert "Банк «Довіра»" not in visible(response.text)


# --- a partner's page and the request for a referral ----------------------------------------


async def test_a_partner_page_shows_everything_and_hides_inactive_ones(
    client: Client, session: AsyncSession
) -> None:
    setup = await directory(client, session)
    bank_id = setup["bank"].id

    uk = await client.get(f"/partners/{bank_id}")
    no_english = await make_partner(session, description_uk="Лише українською.")
    en = await client.get(f"/partners/{bank_id}?lang=en")
    fallback = await client.get(f"/partners/{no_english.id}")

    assert uk.status_code == 200
    page = visible(uk.text)
    for fact in (
        "Кредити для малого бізнесу.",
        "Мікрокредит",
        "Лізинг обладнання",
        "Львівська громада",
        "Львів, пл. Ринок, 1",
        "sme@bank.example.org",
    ):
        assert fact in page
    assert map_ids(uk.text) == {bank_id}
    assert "Loans for small businesses." in visible(en.text)
    assert "Кредити для малого бізнесу." not in visible(en.text)
    assert "Лише українською." in visible(fallback.text)
    assert 'id="partner-map"' not in fallback.text  # no coordinates, no map
    assert (await client.get(f"/partners/{setup['closed'].id}")).status_code == 404
    assert (await client.get("/partners/999999")).status_code == 404


async def test_anonymous_visitors_are_asked_to_log_in(
    client: Client, session: AsyncSession
) -> None:
    setup = await directory(client, session)

    page = await client.get(f"/partners/{setup['bank'].id}?lang=en")
    posted = await post_form(
        client,
        f"/partners/{setup['bank'].id}/referral",
        {"service": "Мікрокредит"},
        page=f"/partners/{setup['bank'].id}",
        follow_redirects=False,
    )

    assert f'href="/login?next=/partners/{setup["bank"].id}"' in page.text
    assert "Log in to ask for a referral" in visible(page.text)
    assert 'action="/partners/' not in page.text
    assert posted.status_code in (302, 303)
    assert posted.headers["location"].startswith("/login")


async def test_an_entrepreneur_asks_for_a_referral(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await directory(client, session)
    bank_id = setup["bank"].id
    banker = await make_user(session, Role.PARTNER, bank_id, email="banker@example.org")
    person = await make_user(session, Role.ENTREPRENEUR, email="fop@example.org")
    assert (await login_page(client, person.email)).status_code == 303
    page = f"/partners/{bank_id}"
    form = (await client.get(f"{page}?lang=en")).text
    assert f'action="/partners/{bank_id}/referral"' in form
    assert '<option value="Лізинг обладнання">' in form

    sent = await post_form(
        client,
        f"{page}/referral",
        {"service": "Лізинг обладнання", "note": "Потрібен верстат"},
        page=page,
        follow_redirects=False,
    )
    shown = visible((await client.get(page)).text)  # the flash message, shown once
    again = await post_form(client, f"{page}/referral", {"service": "Лізинг обладнання"}, page=page)
    unknown = await post_form(client, f"{page}/referral", {"service": "Казино"}, page=page)
    empty = await post_form(client, f"{page}/referral", {"service": ""}, page=page)

    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == page
    assert "Your request is sent to Банк «Довіра»" in shown
    [referral] = await fetch_rows(db, Referral)
    assert (referral.entrepreneur_id, referral.partner_id) == (person.id, bank_id)
    assert (referral.service, referral.note, referral.source) == (
        "Лізинг обладнання",
        "Потрібен верстат",
        "self",
    )
    [email] = await fetch_rows(db, EmailOutbox, col(EmailOutbox.to_address) == banker.email)
    assert email.template == "referral_received"
    assert again.status_code == 409
    assert "This referral is already open" in visible(again.text)
    assert unknown.status_code == 422
    assert "does not offer this service" in field_error(unknown.text, "service")
    assert empty.status_code == 422
    assert field_error(empty.text, "service") == "This field is required."
    assert await count_rows(db, Referral) == 1


# --- the admin's partner form ---------------------------------------------------------------


def partner_form(**overrides: Any) -> dict[str, Any]:
    """Every field as the admin's form sends it; None leaves a field (a checkbox) out."""
    fields = {
        "name": "Кредитна спілка «Громада»",
        "kind": "credit_union",
        "sector": "civil_society",
        "services": "Мікрокредит\n\n  Консультації  \nмікрокредит\n",
        "address": "Полтава, вул. Соборності, 5",
        "website": "https://ks.example.org",
        "contact_email": "info@ks.example.org",
        "contact_phone": "+380 53 000 00 00",
        "description_uk": "Позики членам спілки.",
        "description_en": "Loans to members.",
        "latitude": "49,5883",
        "longitude": "34.5514079",
        "is_active": "1",
        **overrides,
    }
    return {key: value for key, value in fields.items() if value is not None}


async def admin_logged_in(client: Client, session: AsyncSession) -> None:
    admin = await make_user(session, Role.ADMIN, email="root@example.org")
    assert (await login_page(client, admin.email)).status_code == 303


async def test_the_admin_creates_and_edits_a_partner(
    client: Client, session: AsyncSession, db: Database
) -> None:
    poltava = await make_municipality(session, name_uk="Полтавська громада")
    other = await make_municipality(session, name_uk="Інша громада")
    await admin_logged_in(client, session)
    assert 'href="/admin/partners"' in (await client.get("/admin")).text
    new_form = (await client.get("/admin/partners/new")).text
    assert 'name="municipality_ids"' in new_form and 'for="f-latitude"' in new_form

    created = await post_form(
        client,
        "/admin/partners/new",
        {**partner_form(), "municipality_ids": [str(poltava.id), str(other.id)]},
        follow_redirects=False,
    )

    assert created.status_code == 303, created.text
    [partner] = await fetch_rows(db, Partner)
    assert created.headers["location"] == f"/admin/partners/{partner.id}"
    assert (partner.name, partner.kind, partner.sector) == (
        "Кредитна спілка «Громада»",
        "credit_union",
        "civil_society",
    )
    assert partner.services == ["Мікрокредит", "Консультації"]
    assert (partner.address, partner.website) == (
        "Полтава, вул. Соборності, 5",
        "https://ks.example.org",
    )
    assert (partner.contact_email, partner.contact_phone) == (
        "info@ks.example.org",
        "+380 53 000 00 00",
    )
    assert (partner.description_uk, partner.description_en) == (
        "Позики членам спілки.",
        "Loans to members.",
    )
    assert (partner.latitude, partner.longitude) == (Decimal("49.588300"), Decimal("34.551408"))
    assert partner.is_active
    served = await fetch_rows(db, PartnerMunicipality)
    assert {s.municipality_id for s in served} == {poltava.id, other.id}

    edit_page = (await client.get(f"/admin/partners/{partner.id}")).text
    assert "Кредитна спілка «Громада»" in edit_page
    assert "Мікрокредит\nКонсультації" in edit_page
    assert 'value="49.5883"' in edit_page
    edited = await post_form(
        client,
        f"/admin/partners/{partner.id}",
        partner_form(
            name="КС «Громада»",
            kind="other",
            services="Лізинг",
            latitude="",
            longitude="",
            website="",
            is_active=None,
            municipality_ids=str(other.id),
        ),
        follow_redirects=False,
    )

    assert edited.status_code == 303, edited.text
    [changed] = await fetch_rows(db, Partner)
    assert (changed.name, changed.kind, changed.services) == ("КС «Громада»", "other", ["Лізинг"])
    assert (changed.latitude, changed.longitude, changed.website) == (None, None, None)
    assert not changed.is_active
    served = await fetch_rows(db, PartnerMunicipality)
    assert [s.municipality_id for s in served] == [other.id]
    listed = visible((await client.get("/admin/partners?lang=en")).text)
    assert "КС «Громада»" in listed and "inactive" in listed
    assert (await client.get(f"/partners/{changed.id}")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"website": "ks.example.org"}, "website", "A website address starts with https://"),
        ({"website": "javascript:alert(1)"}, "website", "A website address starts with https://"),
        ({"website": "https://"}, "website", "A website address starts with https://"),
        ({"longitude": ""}, "longitude", "Give both the latitude and the longitude"),
        ({"latitude": ""}, "latitude", "Give both the latitude and the longitude"),
        ({"latitude": "91"}, "latitude", "The number is too large."),
        ({"longitude": "east"}, "longitude", "Enter a number."),
        ({"name": ""}, "name", "This field is required."),
        ({"kind": "casino"}, "kind", "Choose one of the offered values."),
    ],
)
async def test_a_wrong_partner_form_is_422_by_field_and_stores_nothing(
    client: Client,
    session: AsyncSession,
    db: Database,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    await admin_logged_in(client, session)
    kept = await make_partner(session, name="Незмінний", website="https://old.example.org")

    created = await post_form(
        client, "/admin/partners/new?lang=en", partner_form(**overrides), page="/admin/partners/new"
    )
    edited = await post_form(
        client, f"/admin/partners/{kept.id}", partner_form(**overrides), page="/admin/partners"
    )

    for response in (created, edited):
        assert response.status_code == 422
        assert field_error(response.text, field).startswith(message)
        assert f'aria-describedby="e-{field}' in response.text
    assert 'value="Кредитна спілка «Громада»"' in created.text or field == "name"
    [stored] = await fetch_rows(db, Partner)
    assert (stored.name, stored.website) == ("Незмінний", "https://old.example.org")


async def test_a_script_as_website_is_refused_in_the_users_language(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await admin_logged_in(client, session)

    response = await post_form(
        client,
        "/admin/partners/new",
        partner_form(website="javascript:alert(document.cookie)"),
        page="/admin/partners/new",
    )

    assert response.status_code == 422
    assert field_error(response.text, "website") == (
        "Адреса вебсайту починається з https:// або http://."
    )
    assert await count_rows(db, Partner) == 0


async def test_every_problem_of_the_form_is_shown_at_once(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await admin_logged_in(client, session)

    response = await post_form(
        client,
        "/admin/partners/new?lang=en",
        partner_form(website="ks.example.org", longitude="", name="К"),
        page="/admin/partners/new",
    )

    assert response.status_code == 422
    assert field_error(response.text, "website").startswith("A website address starts with")
    assert field_error(response.text, "longitude").startswith("Give both the latitude")
    assert field_error(response.text, "name") == "This field is too short."
    assert field_error(response.text, "latitude") == ""
    assert await count_rows(db, Partner) == 0


async def test_an_unknown_municipality_is_422_by_the_field(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await admin_logged_in(client, session)

    response = await post_form(
        client,
        "/admin/partners/new",
        {**partner_form(), "municipality_ids": "424242"},
    )

    assert response.status_code == 422
    assert field_error(response.text, "municipality_ids")
    assert await count_rows(db, Partner) == 0


async def test_only_the_admin_opens_the_admin_pages(client: Client, session: AsyncSession) -> None:
    person = await make_user(session, Role.ENTREPRENEUR, email="fop@example.org")
    assert (await client.get("/admin/partners", follow_redirects=False)).status_code in (302, 303)
    assert (await login_page(client, person.email)).status_code == 303
    assert (await client.get("/admin/partners")).status_code == 403
    assert (await client.get("/centre/partners")).status_code == 403


# --- centre staff ---------------------------------------------------------------------------


async def test_centre_staff_edit_the_partners_of_their_municipality(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await directory(client, session)
    centre = await make_centre(session, setup["lviv"])
    staff = await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    assert (await login_page(client, staff.email)).status_code == 303
    bank_id, incubator_id = setup["bank"].id, setup["incubator"].id

    listed = (await client.get("/centre/partners")).text
    form = (await client.get(f"/centre/partners/{bank_id}")).text
    saved = await post_form(
        client,
        f"/centre/partners/{bank_id}",
        partner_form(name="Банк «Довіра» (Львів)", services="Мікрокредит\nЛізинг"),
        follow_redirects=False,
    )
    forged = await post_form(
        client,
        f"/centre/partners/{bank_id}",
        {**partner_form(name="Підроблено"), "municipality_ids": str(setup["other"].id)},
        page=f"/centre/partners/{bank_id}",
        follow_redirects=False,
    )
    foreign_page = await client.get(f"/centre/partners/{incubator_id}")
    foreign_post = await post_form(
        client,
        f"/centre/partners/{incubator_id}",
        partner_form(name="Чужий"),
        page="/centre/partners",
    )

    assert "Банк «Довіра»" in listed and "Інкубатор «Старт»" not in listed
    assert f'href="/centre/partners/{bank_id}"' in listed
    assert 'name="municipality_ids"' not in form
    assert 'value="Банк «Довіра»"' in form
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/centre/partners/{bank_id}"
    # A municipalities field slipped into the form is ignored, not applied.
    assert forged.status_code == 303
    stored = {p.id: p for p in await fetch_rows(db, Partner)}
    assert stored[bank_id].name == "Підроблено"
    assert stored[bank_id].services == ["Мікрокредит", "Консультації"]
    served = await fetch_rows(
        db, PartnerMunicipality, col(PartnerMunicipality.partner_id) == bank_id
    )
    assert [s.municipality_id for s in served] == [setup["lviv"].id]
    assert foreign_page.status_code == 404
    assert foreign_post.status_code == 404
    assert stored[incubator_id].name == "Інкубатор «Старт»"
