"""A grant after approval: the planned tranches and obligations, the agreement PDF, payments
to a checked IBAN, progress reports accepted or returned, the overdue list, reminders, and the
grant completed by its final report — each refusal a clear 4xx that changes nothing."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.config import Settings
from sme_hub.core.errors import Conflict
from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.db import Database
from sme_hub.grants.models import Application, GrantCall
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import obligations as grant_obligations
from sme_hub.implementation import tranches as grant_tranches
from sme_hub.implementation.models import Obligation, ProgressReport, Tranche
from sme_hub.implementation.schemas import PaymentIn, TrancheIn
from tests.factories import Client, fetch_rows, pdf_text
from tests.grants_setup import (
    GRANTEE,
    TAX_IDS,
    applicant,
    approved_grant,
    other_municipality,
    pdf_bytes,
    png_bytes,
    report_body,
    user_id_of,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


async def test_approval_plans_tranches_and_obligations_and_tells_the_grantee(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session, amount_kop=7_500_000)
    grant_id, officer = setup["grant_id"], setup["officer"]
    grant = (await client.get(f"/api/v1/grants/{grant_id}", headers=setup["grantee"])).json()
    assert grant["status"] == "approved"
    assert grant["awarded_kop"] == grant["scheduled_kop"] == 7_500_000
    assert [(t["number"], t["amount_kop"], t["status"]) for t in grant["tranches"]] == [
        (1, 5_250_000, "planned"),
        (2, 2_250_000, "planned"),
    ]
    kinds = [o["kind"] for o in grant["obligations"]]
    assert kinds == ["report", "report", "report", "final_report", "keep_jobs"]
    assert (
        grant["obligations"][-1]["text"] == "Зберегти 2 створені робочі місця впродовж 12 місяців"
    )
    calls = await fetch_rows(db, GrantCall, col(GrantCall.id) == setup["call_id"])
    assert calls[0].status == "decided"  # its only recommended application is decided
    emails = await fetch_rows(db, EmailOutbox, col(EmailOutbox.to_address) == GRANTEE)
    decided = [e for e in emails if e.template == "application_decided"]
    assert len(decided) == 1
    assert "75\xa0000,00" in decided[0].body_text and "Рішення № 7" in decided[0].body_text
    assert (await client.get(f"/api/v1/grants/{grant_id}", headers=officer)).status_code == 200
    listed = (await client.get("/api/v1/grants?limit=10", headers=officer)).json()
    assert [g["id"] for g in listed["items"]] == [grant_id]
    assert listed["total"] == 1
    assert [t["number"] for t in listed["items"][0]["tranches"]] == [1, 2]
    mine = (await client.get("/api/v1/me/grants", headers=setup["grantee"])).json()
    assert [g["id"] for g in mine] == [grant_id]


async def test_the_agreement_pdf_names_parties_amounts_schedule_and_duties(
    client: Client, session: AsyncSession
) -> None:
    setup = await approved_grant(client, session)
    response = await client.get(
        f"/api/v1/grants/{setup['grant_id']}/agreement.pdf", headers=setup["grantee"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Договір про надання гранту",
        "Львівська громада",
        "32855909",
        "80 000,00 грн",  # awarded: the request when no amount is given
        "56 000,00 грн",
        "24 000,00 грн",
        "Сушарка",
        "Рішення № 7",
        "Подати фінальний звіт",
    ):
        assert expected in text, expected
    by_officer = await client.get(
        f"/api/v1/grants/{setup['grant_id']}/agreement.pdf", headers=setup["officer"]
    )
    assert by_officer.status_code == 200


async def test_other_people_never_see_a_grant(client: Client, session: AsyncSession) -> None:
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    kyiv = await other_municipality(client, session)
    stranger = await applicant(client, session, "stranger@example.org", tax_id=TAX_IDS[1])
    for headers in (kyiv["officer"], stranger):
        assert (await client.get(f"/api/v1/grants/{grant_id}", headers=headers)).status_code == 404
        pdf = await client.get(f"/api/v1/grants/{grant_id}/agreement.pdf", headers=headers)
        assert pdf.status_code == 404
    paid = await client.post(
        f"/api/v1/grants/{grant_id}/disbursements",
        headers=kyiv["officer"],
        json={"amount_kop": 100, "planned_on": "2027-01-01"},
    )
    assert paid.status_code == 404
    report = await client.post(
        f"/api/v1/grants/{grant_id}/reports", headers=stranger, json=report_body()
    )
    assert report.status_code == 404
    assert (await client.get("/api/v1/grants/999999", headers=stranger)).status_code == 404


async def test_payments_go_to_a_checked_iban_and_never_exceed_the_grant(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id, officer = setup["grant_id"], setup["officer"]
    first, second = (await client.get(f"/api/v1/grants/{grant_id}", headers=officer)).json()[
        "tranches"
    ]
    path = f"/api/v1/grants/{grant_id}/disbursements"
    bad_iban = await client.post(
        f"{path}/{first['id']}/payment",
        headers=officer,
        json={"paid_on": str(implementation_grants.today_in_kyiv()), "iban": "UA00 1234"},
    )
    assert bad_iban.status_code == 400 or bad_iban.status_code == 422
    assert "IBAN" in bad_iban.text
    future = await client.post(
        f"{path}/{first['id']}/payment",
        headers=officer,
        json={"paid_on": str(implementation_grants.today_in_kyiv() + timedelta(days=3))},
    )
    assert future.status_code == 422
    assert [e["key"] for e in future.json()["extra"]] == ["paid_on"]
    tranches = await fetch_rows(db, Tranche, col(Tranche.application_id) == grant_id)
    assert {t.status for t in tranches} == {"planned"}
    paid = await client.post(
        f"{path}/{first['id']}/payment",
        headers=officer,
        json={"paid_on": str(implementation_grants.today_in_kyiv())},
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert paid.json()["paid_iban"].startswith("UA")
    twice = await client.post(
        f"{path}/{first['id']}/payment",
        headers=officer,
        json={"paid_on": str(implementation_grants.today_in_kyiv())},
    )
    assert twice.status_code == 409
    grant = (await client.get(f"/api/v1/grants/{grant_id}", headers=officer)).json()
    assert grant["status"] == "in_implementation"
    assert grant["paid_kop"] == first["amount_kop"]
    beyond = await client.post(
        path, headers=officer, json={"amount_kop": 100, "planned_on": "2027-06-01"}
    )
    assert beyond.status_code == 409
    assert beyond.json()["extra"]["remaining_kop"] == 0
    grantee_pays = await client.post(
        f"{path}/{second['id']}/payment",
        headers=setup["grantee"],
        json={"paid_on": str(implementation_grants.today_in_kyiv())},
    )
    assert grantee_pays.status_code == 403
    rows = await fetch_rows(db, Application, col(Application.id) == grant_id)
    assert (rows[0].scheduled_kop, rows[0].paid_kop) == (8_000_000, first["amount_kop"])


async def test_an_added_tranche_paid_at_once_within_a_partial_award(
    client: Client, session: AsyncSession
) -> None:
    setup = await approved_grant(client, session)
    grant_id, officer = setup["grant_id"], setup["officer"]
    await session.execute(
        update(Application).where(col(Application.id) == grant_id).values(scheduled_kop=7_000_000)
    )
    await session.execute(
        update(Tranche)
        .where(col(Tranche.application_id) == grant_id, col(Tranche.number) == 2)
        .values(amount_kop=1_400_000)
    )
    await session.commit()
    added = await client.post(
        f"/api/v1/grants/{grant_id}/disbursements",
        headers=officer,
        json={
            "amount_kop": 1_000_000,
            "planned_on": str(implementation_grants.today_in_kyiv()),
            "paid_on": str(implementation_grants.today_in_kyiv()),
        },
    )
    assert added.status_code == 201, added.text
    assert (added.json()["number"], added.json()["status"]) == (3, "paid")
    grant = (await client.get(f"/api/v1/grants/{grant_id}", headers=officer)).json()
    assert (grant["scheduled_kop"], grant["paid_kop"]) == (8_000_000, 1_000_000)


async def test_reports_are_returned_corrected_accepted_and_the_final_one_completes_the_grant(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session)
    grant_id, officer, grantee = setup["grant_id"], setup["officer"], setup["grantee"]
    bad = await client.post(
        f"/api/v1/grants/{grant_id}/reports",
        headers=grantee,
        json=report_body(jobs_created=1, women_employed=3),
    )
    assert bad.status_code == 400
    assert "Women employed" in bad.text or "жінок" in bad.text
    created = await client.post(
        f"/api/v1/grants/{grant_id}/reports", headers=grantee, json=report_body()
    )
    assert created.status_code == 201, created.text
    report = created.json()
    assert (report["status"], report["spent_kop"]) == ("submitted", 6_000_000)
    receipt = await client.post(
        f"/api/v1/reports/{report['id']}/receipts",
        headers=grantee,
        files={"data": ("чек.png", png_bytes(), "image/png")},
    )
    assert receipt.status_code == 201, receipt.text
    not_a_receipt = await client.post(
        f"/api/v1/reports/{report['id']}/receipts",
        headers=grantee,
        files={"data": ("receipt.pdf", b"not a pdf at all", "application/pdf")},
    )
    assert not_a_receipt.status_code == 415
    shown = await client.get(f"/api/v1/reports/{report['id']}/receipts/0", headers=officer)
    assert shown.status_code == 200 and shown.content == png_bytes()
    assert (
        await client.get(f"/api/v1/reports/{report['id']}/receipts/1", headers=officer)
    ).status_code == 404
    review = f"/api/v1/reports/{report['id']}/review"
    silent = await client.post(review, headers=officer, json={"decision": "returned"})
    assert silent.status_code == 400  # a returned report says what to change
    returned = await client.post(
        review, headers=officer, json={"decision": "returned", "note": "Додайте фото сушарки."}
    )
    assert returned.json()["status"] == "returned"
    not_waiting = await client.post(review, headers=officer, json={"decision": "accepted"})
    assert not_waiting.status_code == 409
    corrected = await client.put(
        f"/api/v1/reports/{report['id']}",
        headers=grantee,
        json=report_body(narrative="Обладнання купили; фото додано."),
    )
    assert corrected.json()["status"] == "submitted"
    assert (
        await client.post(review, headers=officer, json={"decision": "accepted"})
    ).status_code == 200
    obligations = await fetch_rows(db, Obligation, col(Obligation.application_id) == grant_id)
    assert [o.status for o in obligations if o.kind == "report"] == ["met", "open", "open"]
    accepted_change = await client.put(
        f"/api/v1/reports/{report['id']}", headers=grantee, json=report_body()
    )
    assert accepted_change.status_code == 409
    final = await client.post(
        f"/api/v1/grants/{grant_id}/reports",
        headers=grantee,
        json=report_body(kind="final", period="2027", jobs_created=3, women_employed=2),
    )
    assert final.status_code == 201
    second_final = await client.post(
        f"/api/v1/grants/{grant_id}/reports", headers=grantee, json=report_body(kind="final")
    )
    assert second_final.status_code == 409
    done = await client.post(
        f"/api/v1/reports/{final.json()['id']}/review",
        headers=officer,
        json={"decision": "accepted", "note": "Дякуємо."},
    )
    assert done.status_code == 200
    grant = (await client.get(f"/api/v1/grants/{grant_id}", headers=grantee)).json()
    assert grant["status"] == "completed"
    assert [o["status"] for o in grant["obligations"] if o["kind"] == "final_report"] == ["met"]
    late = await client.post(
        f"/api/v1/grants/{grant_id}/reports", headers=grantee, json=report_body()
    )
    assert late.status_code == 409
    emails = await fetch_rows(db, EmailOutbox, col(EmailOutbox.template) == "report_reviewed")
    assert len(emails) == 3
    assert any("Додайте фото сушарки." in e.body_text for e in emails)
    reports = await fetch_rows(db, ProgressReport, col(ProgressReport.application_id) == grant_id)
    assert [r.status for r in reports] == ["accepted", "accepted"]


async def test_overdue_list_reminders_and_obligations_met(
    client: Client, session: AsyncSession, db: Database, settings: Settings
) -> None:
    setup = await approved_grant(client, session)
    grant_id, officer = setup["grant_id"], setup["officer"]
    today = implementation_grants.today_in_kyiv()
    obligations = await fetch_rows(db, Obligation, col(Obligation.application_id) == grant_id)
    overdue, soon = obligations[0], obligations[1]
    for obligation, due_on in (
        (overdue, today - timedelta(days=2)),
        (soon, today + timedelta(days=5)),
    ):
        await session.execute(
            update(Obligation).where(col(Obligation.id) == obligation.id).values(due_on=due_on)
        )
    await session.commit()
    listed = (await client.get("/api/v1/obligations?overdue=true", headers=officer)).json()
    assert [(o["id"], o["overdue"]) for o in listed] == [(overdue.id, True)]
    every_open = (await client.get("/api/v1/obligations", headers=officer)).json()
    assert len(every_open) == 5
    kyiv = await other_municipality(client, session)
    assert (
        await client.get("/api/v1/obligations?overdue=true", headers=kyiv["officer"])
    ).json() == []

    async with db.sessionmaker() as job, job.begin():
        assert await grant_obligations.send_reminders(job, settings, today) == 2
    async with db.sessionmaker() as job, job.begin():
        assert await grant_obligations.send_reminders(job, settings, today) == 0  # once each
    async with db.sessionmaker() as job, job.begin():
        # The one reminded ahead is reminded again once it is overdue.
        assert await grant_obligations.send_reminders(job, settings, today + timedelta(days=6)) == 1
    reminders = await fetch_rows(
        db, EmailOutbox, col(EmailOutbox.template) == "obligation_reminder"
    )
    assert [r.subject.startswith("Прострочено") for r in reminders] == [True, False, True]

    met = await client.post(f"/api/v1/obligations/{overdue.id}/met", headers=officer)
    assert met.status_code == 200 and met.json()["status"] == "met"
    assert (
        await client.post(f"/api/v1/obligations/{overdue.id}/met", headers=officer)
    ).status_code == 409
    assert (
        await client.post(f"/api/v1/obligations/{overdue.id}/met", headers=kyiv["officer"])
    ).status_code == 404
    assert (await client.get("/api/v1/obligations?overdue=true", headers=officer)).json() == []


async def test_a_receipt_too_large_or_for_someone_else_is_refused(
    client: Client, session: AsyncSession
) -> None:
    setup = await approved_grant(client, session)
    created = await client.post(
        f"/api/v1/grants/{setup['grant_id']}/reports", headers=setup["grantee"], json=report_body()
    )
    report_id = created.json()["id"]
    too_large = await client.post(
        f"/api/v1/reports/{report_id}/receipts",
        headers=setup["grantee"],
        files={"data": ("big.pdf", pdf_bytes(10 * 1024 * 1024 + 10), "application/pdf")},
    )
    assert too_large.status_code == 413
    by_officer = await client.post(
        f"/api/v1/reports/{report_id}/receipts",
        headers=setup["officer"],
        files={"data": ("r.pdf", pdf_bytes(), "application/pdf")},
    )
    assert by_officer.status_code == 404  # receipts are the grantee's to attach


async def test_simultaneous_tranches_and_payments_never_exceed_the_grant(
    client: Client, session: AsyncSession, db: Database
) -> None:
    """Ten tranches of 10,000 UAH race for the 30,000 UAH left of a grant, and five
    payments of one tranche race each other: three tranches and one payment get through."""
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    await session.execute(
        update(Tranche)
        .where(col(Tranche.application_id) == grant_id, col(Tranche.number) == 2)
        .values(amount_kop=1)  # the plan now holds 5,600,001 of the 8,000,000 awarded
    )
    await session.execute(
        update(Application).where(col(Application.id) == grant_id).values(scheduled_kop=5_600_001)
    )
    await session.commit()
    officer = CurrentUser.acting(
        await user_id_of(session, f"officer{setup['municipality'].id}@example.org"),
        Role.MUNICIPAL_OFFICER,
        email="officer@example.org",
        full_name="Officer",
        municipality_id=setup["municipality"].id,
    )
    today = implementation_grants.today_in_kyiv()

    async def add_one() -> bool:
        async with db.sessionmaker() as racing, racing.begin():
            try:
                await grant_tranches.add_tranche(
                    racing,
                    officer,
                    grant_id,
                    TrancheIn(amount_kop=799_999, planned_on=today),
                )
            except Conflict:
                return False
            return True

    added = await asyncio.gather(*(add_one() for _ in range(10)))
    assert sum(added) == 3  # 2,399,999 left: three of 799,999 fit, a fourth does not
    first = (await fetch_rows(db, Tranche, col(Tranche.application_id) == grant_id))[0]

    async def pay_first() -> bool:
        async with db.sessionmaker() as racing, racing.begin():
            try:
                await grant_tranches.pay(
                    racing, officer, grant_id, first.id, PaymentIn(paid_on=today)
                )
            except Conflict:
                return False
            return True

    paid = await asyncio.gather(*(pay_first() for _ in range(5)))
    assert sum(paid) == 1
    (grant,) = await fetch_rows(db, Application, col(Application.id) == grant_id)
    assert grant.scheduled_kop == 5_600_001 + 3 * 799_999 <= grant.awarded_kop
    assert grant.paid_kop == first.amount_kop
