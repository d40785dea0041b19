"""The pages of a grant in implementation over HTTP: the grantee's schedule, obligations and
agreement, a report sent by the form (with an added line) and its receipts; the officer's
grants, overdue list, payments, added tranches and reviews — each refusal shown on the page
with nothing stored, another municipality's officer answered 404, in Ukrainian or English."""

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.db import Database
from sme_hub.grants.attachments import MAX_BYTES
from sme_hub.grants.models import Application
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation.models import Obligation, ProgressReport, Tranche
from tests.factories import (
    Client,
    count_rows,
    csrf_token,
    fetch_rows,
    field_error,
    login_page,
    post_form,
    text_of,
)
from tests.grants_setup import (
    GRANTEE,
    IBAN,
    TAX_IDS,
    applicant,
    approved_grant,
    other_municipality,
    pdf_bytes,
    png_bytes,
    report_body,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


def visible(html: str) -> str:
    return text_of(html).replace("\xa0", " ")


def officer_email(setup: dict[str, Any]) -> str:
    return f"officer{setup['municipality'].id}@example.org"


def report_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": "interim",
        "period": "I квартал 2027",
        "jobs_created": "2",
        "women_employed": "1",
        "line_item": ["Сушарка", "", ""],
        "line_amount": ["60 000", "", ""],
        "environmental_results": "Сушарка працює на сонячній енергії.",
        "narrative": "Обладнання купили й встановили.",
    }
    form.update(overrides)
    return form


async def upload(client: Client, page: str, path: str, name: str, body: bytes, kind: str) -> Any:
    await client.get(page)
    return await client.post(
        path,
        data={"_csrf_token": csrf_token(client)},
        files={"file": (name, body, kind)},
        follow_redirects=False,
    )


async def move_obligation(session: AsyncSession, grant_id: int, days: int) -> Obligation:
    """The grant's first open obligation, made due `days` from today (negative: overdue)."""
    obligation = await session.scalar(
        select(Obligation)
        .where(col(Obligation.application_id) == grant_id, col(Obligation.status) == "open")
        .order_by(col(Obligation.due_on), col(Obligation.id))
    )
    assert obligation is not None
    obligation.due_on = implementation_grants.today_in_kyiv() + timedelta(days=days)
    await session.commit()
    return obligation


# --- the grantee ----------------------------------------------------------------------------


async def test_the_grantee_sees_schedule_obligations_and_the_agreement_in_either_language(
    client: Client, session: AsyncSession
) -> None:
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    await move_obligation(session, grant_id, -3)
    assert (await login_page(client, GRANTEE)).status_code == 303
    page = f"/me/grants/{grant_id}"

    shown = await client.get(page)
    assert shown.status_code == 200
    assert '<html lang="uk">' in shown.text
    text = visible(shown.text)
    for expected in ("56 000,00 грн", "24 000,00 грн", "запланована", "Подати фінальний звіт"):
        assert expected in text, expected
    assert f'href="{page}/agreement.pdf"' in shown.text
    assert '<th scope="col">' in shown.text

    english = await client.get(f"{page}?lang=en")
    assert '<html lang="en">' in english.text
    text = visible(english.text)
    for expected in (
        "Download the grant agreement (PDF)",
        "Status: approved",
        "80,000.00 UAH",
        "planned",
        "Submit the final report",
        "overdue",  # said in words, not only in colour
        "Send a progress report",
    ):
        assert expected in text, expected
    remembered = await client.get(page)  # the cookie keeps English
    assert "Tranches" in visible(remembered.text)
    assert "Транші" not in visible(remembered.text)
    back = await client.get(f"{page}?lang=uk")
    assert '<html lang="uk">' in back.text

    agreement = await client.get(f"{page}/agreement.pdf")
    assert agreement.status_code == 200
    assert agreement.headers["content-type"] == "application/pdf"
    assert agreement.content.startswith(b"%PDF")

    application = await client.get(f"/me/applications/{grant_id}")
    assert f'href="{page}"' in application.text

    await applicant(client, session, "stranger@example.org", tax_id=TAX_IDS[1])
    await login_page(client, "stranger@example.org")
    assert (await client.get(page)).status_code == 404
    assert (await client.get(f"{page}/agreement.pdf")).status_code == 404
    await login_page(client, officer_email(setup))
    assert (await client.get(page)).status_code == 404  # the officer's page is elsewhere


async def test_a_report_by_the_form_with_an_added_line_and_its_receipts(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    await login_page(client, GRANTEE)
    page = f"/me/grants/{grant_id}"
    reports = f"{page}/reports"

    more = await post_form(client, reports, report_form(add_line="1"), page=page)
    assert more.status_code == 200
    assert more.text.count('name="line_item"') == 4
    assert 'value="Сушарка"' in more.text and 'value="I квартал 2027"' in more.text
    await client.get(page)
    htmx = await client.post(
        reports,
        data=report_form(add_line="1"),
        headers={"HX-Request": "true", "x-csrftoken": csrf_token(client)},
    )
    assert htmx.status_code == 200 and "<html" not in htmx.text
    assert htmx.text.count('name="line_item"') == 4

    refused = await post_form(
        client,
        f"{reports}?lang=en",
        report_form(
            women_employed="3",
            line_item=["Сушарка", "Панелі", "", ""],
            line_amount=["60 000", "багато", "", ""],
        ),
        page=page,
    )
    assert refused.status_code == 422
    assert "hryvnias" in field_error(refused.text, "spending.1")
    assert 'aria-describedby="e-spending.1"' in refused.text
    assert await count_rows(db, ProgressReport) == 0
    too_many_women = await post_form(client, reports, report_form(women_employed="3"), page=page)
    assert too_many_women.status_code == 422
    assert field_error(too_many_women.text, "women_employed")
    assert await count_rows(db, ProgressReport) == 0

    sent = await post_form(
        client,
        reports,
        report_form(
            line_item=["Сушарка", "", "", "Монтаж"],
            line_amount=["60 000", "", "", "1 500,50"],
        ),
        page=page,
        follow_redirects=False,
    )
    assert sent.status_code == 303, visible(sent.text)[:2000]
    (report,) = await fetch_rows(db, ProgressReport)
    assert sent.headers["location"] == f"{page}#report-{report.id}"
    assert (report.status, report.spent_kop) == ("submitted", 6_150_050)
    assert [line["item"] for line in report.spending] == ["Сушарка", "Монтаж"]

    receipts = f"{reports}/{report.id}/receipts"
    added = await upload(client, page, receipts, "чек.png", png_bytes(), "image/png")
    assert added.status_code == 303
    shown = await client.get(page)
    assert f'href="{receipts}/0"' in shown.text and "чек.png" in shown.text
    download = await client.get(f"{receipts}/0")
    assert download.status_code == 200 and download.content == png_bytes()

    fake = await upload(
        client, page, f"{receipts}?lang=en", "receipt.pdf", b"not a pdf", "application/pdf"
    )
    assert fake.status_code == 415
    assert "Only PDF, JPEG and PNG" in field_error(fake.text, f"receipt-{report.id}")
    big = await upload(
        client, page, receipts, "big.pdf", pdf_bytes(MAX_BYTES + 10), "application/pdf"
    )
    assert big.status_code == 413
    assert "10" in field_error(big.text, f"receipt-{report.id}")
    (stored,) = await fetch_rows(db, ProgressReport)
    assert len(stored.receipts) == 1


# --- the officer ----------------------------------------------------------------------------


async def test_the_officer_lists_grants_and_overdue_obligations_and_marks_one_met(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    overdue = await move_obligation(session, grant_id, -2)
    created = await client.post(
        f"/api/v1/grants/{grant_id}/reports", headers=setup["grantee"], json=report_body()
    )
    assert created.status_code == 201
    await login_page(client, officer_email(setup))

    listed = await client.get("/municipality/grants?lang=en")
    assert listed.status_code == 200
    assert 'href="/municipality/grants" aria-current="page"' in listed.text
    text = visible(listed.text)
    assert "Сонячна сушарка для фруктів" in text and "80,000.00 UAH" in text
    assert "Submit a progress report for the quarter" in text and "(overdue)" in text
    awaiting = re.search(r'data-label="Reports awaiting review">(.*?)</td>', listed.text)
    assert awaiting and text_of(awaiting.group(1)).strip() == "1"

    action = f"/municipality/grants/{grant_id}/obligations/{overdue.id}/met"
    met = await post_form(
        client, action, {"back": "list"}, page="/municipality/grants", follow_redirects=False
    )
    assert met.status_code == 303 and met.headers["location"] == "/municipality/grants#overdue"
    (stored,) = await fetch_rows(db, Obligation, col(Obligation.id) == overdue.id)
    assert stored.status == "met"
    assert "No obligation is overdue." in visible((await client.get("/municipality/grants")).text)
    again = await post_form(client, action, {"back": "list"}, page="/municipality/grants")
    assert again.status_code == 409 and "already met" in visible(again.text)

    kyiv = await other_municipality(client, session)
    await login_page(client, officer_email(kyiv))
    assert "Сонячна сушарка" not in visible((await client.get("/municipality/grants")).text)
    assert (await client.get(f"/municipality/grants/{grant_id}")).status_code == 404
    other = await move_obligation(session, grant_id, -1)
    refused = await post_form(
        client,
        f"/municipality/grants/{grant_id}/obligations/{other.id}/met",
        {},
        page="/municipality/grants",
    )
    assert refused.status_code == 404
    (still,) = await fetch_rows(db, Obligation, col(Obligation.id) == other.id)
    assert still.status == "open"


async def test_payments_refuse_a_bad_iban_and_tranches_stay_within_the_grant(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    await login_page(client, officer_email(setup))
    page = f"/municipality/grants/{grant_id}"
    first, _second = await fetch_rows(db, Tranche, col(Tranche.application_id) == grant_id)
    shown = await client.get(page)
    today = implementation_grants.today_in_kyiv().isoformat()
    assert f'id="f-pay-{first.id}-paid_on" name="paid_on" type="date" value="{today}"' in shown.text
    assert f'value="{IBAN}"' in shown.text

    payment = f"{page}/tranches/{first.id}/payment"
    bad = await post_form(client, payment, {"paid_on": today, "iban": "UA00 1234"}, page=page)
    assert bad.status_code == 422
    assert "номер рахунку" in field_error(bad.text, f"pay-{first.id}-iban").lower()
    assert f'aria-describedby="h-pay-{first.id}-iban e-pay-{first.id}-iban"' in bad.text
    assert 'value="UA00 1234"' in bad.text  # what was typed stays in the form
    (grant,) = await fetch_rows(db, Application, col(Application.id) == grant_id)
    assert grant.paid_kop == 0
    assert {t.status for t in await fetch_rows(db, Tranche)} == {"planned"}

    paid = await post_form(
        client, payment, {"paid_on": today, "iban": IBAN}, page=page, follow_redirects=False
    )
    assert paid.status_code == 303
    (tranche,) = await fetch_rows(db, Tranche, col(Tranche.id) == first.id)
    assert (tranche.status, tranche.paid_iban) == ("paid", IBAN)
    (grant,) = await fetch_rows(db, Application, col(Application.id) == grant_id)
    assert (grant.status, grant.paid_kop) == ("in_implementation", 5_600_000)
    after = visible((await client.get(f"{page}?lang=en")).text)
    assert "Status: in implementation" in after
    assert f"Record the payment of tranche {first.number}" not in after

    tranches = f"{page}/tranches"
    unreadable = await post_form(
        client, tranches, {"amount": "багато", "planned_on": today}, page=page
    )
    assert unreadable.status_code == 422
    assert field_error(unreadable.text, "tranche-amount")
    beyond = await post_form(
        client, f"{tranches}?lang=en", {"amount": "1 000", "planned_on": today}, page=page
    )
    assert beyond.status_code == 409
    assert "exceed the grant: 0.00 UAH is not yet scheduled" in visible(beyond.text)
    assert await count_rows(db, Tranche, col(Tranche.application_id) == grant_id) == 2


async def test_a_report_is_returned_with_a_note_corrected_and_the_final_one_completes(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    created = await client.post(
        f"/api/v1/grants/{grant_id}/reports",
        headers=setup["grantee"],
        json=report_body(kind="final", period="2027"),
    )
    report_id = created.json()["id"]
    await login_page(client, officer_email(setup))
    page = f"/municipality/grants/{grant_id}"
    review = f"{page}/reports/{report_id}/review"

    silent = await post_form(client, review, {"decision": "returned", "note": " "}, page=page)
    assert silent.status_code == 422
    assert field_error(silent.text, f"review-{report_id}-note")
    (report,) = await fetch_rows(db, ProgressReport)
    assert report.status == "submitted"
    returned = await post_form(
        client,
        review,
        {"decision": "returned", "note": "Додайте фото сушарки."},
        page=page,
        follow_redirects=False,
    )
    assert returned.status_code == 303
    (report,) = await fetch_rows(db, ProgressReport)
    assert (report.status, report.review_note) == ("returned", "Додайте фото сушарки.")

    await login_page(client, GRANTEE)
    mine = f"/me/grants/{grant_id}"
    shown = await client.get(mine)
    assert "Додайте фото сушарки." in visible(shown.text)
    edit = f"{mine}/reports/{report_id}"
    assert f'href="{edit}"' in shown.text
    form = await client.get(edit)
    assert 'value="2027"' in form.text and 'value="Сушарка"' in form.text
    unfinished = await post_form(
        client, edit, report_form(kind="final", period="", add_line="1"), page=edit
    )
    assert unfinished.status_code == 200 and unfinished.text.count('name="line_item"') == 4
    incomplete = await post_form(client, edit, report_form(kind="final", period=""), page=edit)
    assert incomplete.status_code == 422 and field_error(incomplete.text, "period")
    (report,) = await fetch_rows(db, ProgressReport)
    assert report.status == "returned"
    corrected = await post_form(
        client,
        edit,
        report_form(kind="final", period="2027", narrative="Фото додано."),
        page=edit,
        follow_redirects=False,
    )
    assert corrected.status_code == 303
    (report,) = await fetch_rows(db, ProgressReport)
    assert (report.status, report.narrative) == ("submitted", "Фото додано.")

    await login_page(client, officer_email(setup))
    accepted = await post_form(client, review, {"decision": "accepted", "note": ""}, page=page)
    assert accepted.status_code == 200  # back on the grant's page
    assert "Status: completed" in visible((await client.get(f"{page}?lang=en")).text)
    (grant,) = await fetch_rows(db, Application, col(Application.id) == grant_id)
    assert grant.status == "completed"
    twice = await post_form(client, review, {"decision": "accepted"}, page=page)
    assert twice.status_code == 409

    kyiv = await other_municipality(client, session)
    await login_page(client, officer_email(kyiv))
    assert (await client.get(page)).status_code == 404
    assert (await client.get(f"{page}/reports/{report_id}/receipts/0")).status_code == 404

    await login_page(client, GRANTEE)
    done = visible((await client.get(f"{mine}?lang=en")).text)
    assert "Status: completed" in done
    assert "The grant is completed: no more reports are needed." in done
