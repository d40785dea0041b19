"""Staff's grant pages over HTTP: officers write, publish and amend calls; centre staff
screen applications (filters, exports, masked tax numbers, the eligibility decision) and
prepare drafts for consenting clients; other municipalities see nothing."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.i18n import KYIV
from sme_hub.db import Database
from sme_hub.grants.models import Application, CallAmendment, GrantCall
from tests.factories import Client, count_rows, fetch_rows, login_page, post_form, text_of
from tests.grants_setup import (
    FEMALE_RNOKPP,
    applicant,
    application_body,
    draft,
    now_plus,
    officer_and_call,
    other_municipality,
    pdf_bytes,
    submitted,
    ua_iban,
)


def call_form(**overrides: Any) -> dict[str, Any]:
    opens = now_plus(days=1).astimezone(KYIV).strftime("%Y-%m-%dT%H:%M")
    closes = now_plus(days=30).astimezone(KYIV).strftime("%Y-%m-%dT%H:%M")
    form: dict[str, Any] = {
        "title_uk": "Мікрогранти для кафе",
        "title_en": "Micro-grants for cafés",
        "description_uk": "Підтримка закладів харчування.",
        "budget": "1 000 000",
        "min_grant": "20 000",
        "max_grant": "100 000",
        "own_contribution_pct": "10",
        "opens_at": opens,
        "closes_at": closes,
        "threshold": "60",
        "evaluators_per_application": "2",
        "criterion_key": ["", ""],
        "criterion_name_uk": ["Вплив на громаду", "Реалістичність"],
        "criterion_name_en": ["Impact on the community", "Feasibility"],
        "criterion_description": ["", ""],
        "criterion_weight": ["2", "1,5"],
        "criterion_max": ["10", "5"],
        "women_led_bonus": "10",
        "green_bonus": "8",
        "women_led_share_pct": "30",
        "ownership_pct": "51",
        "with_head_pct": "25",
        "bonus_veteran_owned": "5",
        "in_municipality": "on",
        "legal_forms": ["fop", "llc"],
        "min_business_age_months": "6",
        "excluded_kved": "05, 19",
        "question_key": [""],
        "question_label_uk": ["Скільки відвідувачів на день?"],
        "question_label_en": ["How many visitors a day?"],
        "question_required": ["0"],
    }
    form.update(overrides)
    return form


async def test_an_officer_writes_publishes_and_amends_a_call(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    lviv = setup["municipality"]
    await login_page(client, f"officer{lviv.id}@example.org")
    created = await post_form(
        client, "/municipality/calls/new", call_form(), follow_redirects=False
    )
    assert created.status_code == 303, text_of(created.text)[:2000]
    call_url = created.headers["location"]
    call = (await fetch_rows(db, GrantCall, GrantCall.title_uk == "Мікрогранти для кафе"))[0]
    assert (call.budget_kop, call.min_grant_kop, call.max_grant_kop) == (
        100_000_000,
        2_000_000,
        10_000_000,
    )
    assert [c["key"] for c in call.criteria] == ["c1", "c2"]
    assert call.criteria[1]["weight"] == "1.5"
    assert call.priorities["women_led_budget_share"] == "0.3"
    assert call.priorities["group_bonuses"] == {"veteran_owned": "5"}
    assert call.eligibility["legal_forms"] == ["fop", "llc"]
    assert call.eligibility["excluded_kved"] == ["05", "19"]
    assert call.questions[0] == {
        "key": "q1",
        "label_uk": "Скільки відвідувачів на день?",
        "label_en": "How many visitors a day?",
        "required": True,
    }
    assert call.opens_at.astimezone(KYIV).strftime("%Y-%m-%dT%H:%M") == call_form()["opens_at"]

    page = await client.get(call_url)
    assert page.status_code == 200 and "Мікрогранти для кафе" in page.text
    asked = await post_form(client, f"{call_url}/publish", {}, page=call_url)
    assert "Так, оприлюднити конкурс" in text_of(asked.text)
    assert "Конкурс опубліковано" not in text_of(asked.text)
    published = await post_form(client, f"{call_url}/publish", {"confirm": "yes"}, page=call_url)
    assert published.status_code == 200
    assert "Конкурс опубліковано" in text_of(published.text)

    # A published call changes only with a reason, and the amendment is listed.
    without_reason = await post_form(client, call_url, call_form(budget="1 200 000"), page=call_url)
    assert without_reason.status_code == 422
    assert await count_rows(db, CallAmendment) == 0
    amended = await post_form(
        client,
        call_url,
        call_form(budget="1 200 000", amendment_reason="Міська рада збільшила бюджет"),
        page=call_url,
    )
    assert amended.status_code == 200, text_of(amended.text)[:2000]
    assert "Міська рада збільшила бюджет" in amended.text
    (amendment,) = await fetch_rows(db, CallAmendment)
    assert amendment.changes == {"budget_kop": {"before": 100_000_000, "after": 120_000_000}}
    shown = text_of(amended.text)
    assert "1 000 000,00 грн → 1 200 000,00 грн" in shown.replace("\u00a0", " ")

    # The call from the API opens at a moment with seconds; the form shows minutes. Saving
    # the form with only the budget changed must not log a change of the times.
    api_call = f"/municipality/calls/{setup['call_id']}"
    (stored,) = await fetch_rows(db, GrantCall, GrantCall.id == setup["call_id"])
    fields = call_form(
        title_uk=stored.title_uk,
        title_en=stored.title_en,
        description_uk=stored.description_uk,
        budget="1 500 000",
        min_grant="10 000",
        max_grant="200 000",
        own_contribution_pct="20",
        opens_at=stored.opens_at.astimezone(KYIV).strftime("%Y-%m-%dT%H:%M"),
        closes_at=stored.closes_at.astimezone(KYIV).strftime("%Y-%m-%dT%H:%M"),
        amendment_reason="Більший бюджет",
    )
    again = await post_form(client, api_call, fields, page=api_call)
    assert again.status_code == 200, text_of(again.text)[:2000]
    assert stored.opens_at.second or stored.opens_at.microsecond  # the case is real
    logged = await fetch_rows(db, CallAmendment, CallAmendment.call_id == setup["call_id"])
    assert "opens_at" not in logged[0].changes and "closes_at" not in logged[0].changes


async def test_bad_call_forms_are_refused_with_every_field(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    await login_page(client, f"officer{setup['municipality'].id}@example.org")
    before = await count_rows(db, GrantCall)
    closes_first = call_form(
        closes_at=now_plus(hours=1).astimezone(KYIV).strftime("%Y-%m-%dT%H:%M")
    )
    cases = [
        (call_form(min_grant="200 000"), "Мінімальний грант більший за максимальний."),
        (closes_first, "Конкурс має закриватися після відкриття."),
        (call_form(budget="-5"), "Вкажіть суму в гривнях"),
        (call_form(criterion_name_uk=["", ""], criterion_weight=["", ""]), "f-title_uk"),
    ]
    for form, expected in cases:
        response = await post_form(client, "/municipality/calls/new", form)
        assert response.status_code == 422, expected
        assert expected in response.text, expected
    assert await count_rows(db, GrantCall) == before


async def test_other_municipalities_see_nothing(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    other = await other_municipality(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id="32855909")
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    uploaded = await client.post(
        f"/api/v1/applications/{application_id}/attachments",
        headers=olena,
        files={"data": ("plan.pdf", pdf_bytes(), "application/octet-stream")},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_path = f"/centre/grants/applications/{application_id}/files/{uploaded.json()['id']}"
    sent = await client.post(f"/api/v1/applications/{application_id}/submit", headers=olena)
    assert sent.status_code == 200, sent.text
    await login_page(client, f"staff{setup['municipality'].id}@example.org")
    detail = await client.get(f"/centre/grants/applications/{application_id}")
    assert file_path in detail.text and "plan.pdf" in detail.text
    assert 'data-testid="business-location">Львів' in detail.text
    own = await client.get(file_path)
    assert own.status_code == 200 and own.content == pdf_bytes()
    kyiv_id = other["municipality"].id
    await login_page(client, f"officer{kyiv_id}@example.org")
    assert (await client.get(f"/municipality/calls/{setup['call_id']}")).status_code == 404
    await login_page(client, f"staff{kyiv_id}@example.org")
    for path in (
        f"/centre/grants/calls/{setup['call_id']}",
        f"/centre/grants/calls/{setup['call_id']}/export.csv",
        f"/centre/grants/applications/{application_id}",
        f"/centre/grants/applications/{application_id}/copy.pdf",
        file_path,
    ):
        assert (await client.get(path)).status_code == 404, path
    listing = await client.get("/centre/grants")
    assert listing.status_code == 200 and "Гранти для малого бізнесу 2027" in listing.text


async def test_screening_list_filters_exports_and_decides(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    fop = await applicant(
        client,
        session,
        "olena@example.org",
        tax_id=FEMALE_RNOKPP,
        legal_form="fop",
        owners=[],
        leaders=[],
        name="ФОП Олена",
    )
    petro = await applicant(
        client,
        session,
        "petro@example.org",
        tax_id="32855914",
        name="ТОВ Петро",
        owners=[{"gender": "male", "share_pct": "100"}],
    )
    ivan = await applicant(client, session, "ivan@example.org", tax_id="32855921", name="ТОВ Іван")
    first = await submitted(
        client, call_id, fop, iban=ua_iban(1), contact_phone="+380 67 111 22 33"
    )
    await submitted(client, call_id, petro, iban=ua_iban(2), contact_phone="067-111-22-33")
    await submitted(
        client,
        call_id,
        ivan,
        iban=ua_iban(3),
        contact_phone="+380 50 999 88 77",
        business_address="Київ, вул. Інша, 1",
    )
    await login_page(client, f"staff{setup['municipality'].id}@example.org")
    base = f"/centre/grants/calls/{call_id}"
    listing = await client.get(base)
    assert listing.status_code == 200
    assert all(name in listing.text for name in ("ФОП Олена", "ТОВ Петро", "ТОВ Іван"))
    women = await client.get(f"{base}?women_led=true", headers={"HX-Request": "true"})
    assert "ФОП Олена" in women.text and "ТОВ Петро" not in women.text
    assert "<html" not in women.text  # the htmx answer is the table only
    duplicates = await client.get(f"{base}?duplicates=true")
    assert "ФОП Олена" in duplicates.text and "ТОВ Петро" in duplicates.text
    assert "ТОВ Іван" not in duplicates.text
    csv = await client.get(f"{base}/export.csv?women_led=false")
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.lstrip("\ufeff").strip().splitlines()) == 2  # the header and Petro
    xlsx = await client.get(f"{base}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")

    detail = await client.get(f"/centre/grants/applications/{first}")
    assert detail.status_code == 200
    assert FEMALE_RNOKPP not in detail.text
    assert f"{FEMALE_RNOKPP[:2]}•••••{FEMALE_RNOKPP[-3:]}" in detail.text
    assert (
        "Можливий дублікат" in text_of(detail.text) or "possible duplicate" in detail.text.lower()
    )

    path = f"/centre/grants/applications/{first}/eligibility"
    no_reason = await post_form(
        client, path, {"eligible": "no", "reason": ""}, page=f"/centre/grants/applications/{first}"
    )
    assert no_reason.status_code == 422
    decided = await post_form(
        client,
        path,
        {"eligible": "no", "reason": "Бізнес зареєстровано менше року тому."},
        page=f"/centre/grants/applications/{first}",
    )
    assert decided.status_code == 200
    (application,) = await fetch_rows(db, Application, Application.id == first)
    assert application.status == "ineligible"
    assert application.eligibility_reason == "Бізнес зареєстровано менше року тому."


async def test_assisted_filing_records_the_consent(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    await applicant(client, session, "olena@example.org", tax_id="32855909")
    await applicant(
        client, session, "far@example.org", tax_id="32855914", katottg="UA05020030000031457"
    )
    from tests.grants_setup import user_id_of

    olena = await user_id_of(session, "olena@example.org")
    far = await user_id_of(session, "far@example.org")
    await login_page(client, f"staff{setup['municipality'].id}@example.org")
    page = await client.get("/centre/grants/assist")
    assert page.status_code == 200 and "olena@example.org" in page.text
    assert "far@example.org" not in page.text
    form = {
        "entrepreneur_id": str(olena),
        "call_id": str(setup["call_id"]),
        "consent_method": "signed_form",
    }
    no_consent = await post_form(client, "/centre/grants/assist", form)
    assert no_consent.status_code == 422
    nobody = await post_form(client, "/centre/grants/assist", {**form, "entrepreneur_id": ""})
    assert nobody.status_code == 422
    assert any(m in text_of(nobody.text) for m in ("Оберіть клієнта.", "Choose a client."))
    not_client = await post_form(
        client, "/centre/grants/assist", {**form, "entrepreneur_id": str(far), "consent": "yes"}
    )
    assert not_client.status_code == 404
    created = await post_form(
        client, "/centre/grants/assist", {**form, "consent": "yes"}, follow_redirects=False
    )
    assert created.status_code == 303
    (application,) = await fetch_rows(db, Application)
    assert application.applicant_id == olena
    assert application.assistance_consent is not None
    assert application.assistance_consent["method"] == "signed_form"
    editing = await client.get(created.headers["location"])
    assert editing.status_code == 200  # the assisting staff member edits the draft


async def test_calls_close_by_the_clock_on_the_officer_pages(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(client, session)
    from tests.grants_setup import set_call_times

    await set_call_times(
        session, setup["call_id"], opens_at=now_plus(days=-3), closes_at=now_plus(seconds=-1)
    )
    await login_page(client, f"officer{setup['municipality'].id}@example.org")
    page = await client.get(f"/municipality/calls/{setup['call_id']}")
    assert page.status_code == 200
    assert 'data-testid="call-status">закрито<' in page.text
    assert "Amend" not in page.text and "Змінити" not in page.text
