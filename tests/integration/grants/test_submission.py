"""Submitting an application (product.md §8): refused outside the call's window (409) and
with every failed rule at once (422); on success the business snapshot, women-led by the
call's thresholds, the stored PDF copy, the confirmation email and the audit trail."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.config import Settings
from sme_hub.core.audit import AuditEntry
from sme_hub.core.mail import EmailOutbox
from sme_hub.db import Database
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.grants.models import Application
from sme_hub.grants.rules import SCREENING_QUESTIONS
from tests.factories import Client, count_rows, error_keys, fetch_rows, make_user, token_headers
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    application_body,
    complete_programme,
    draft,
    now_plus,
    officer_and_call,
    profile,
    programme_row,
    published_call,
    set_application,
    set_call_times,
    submitted,
    update_user,
    user_id_of,
)

NO = dict.fromkeys(SCREENING_QUESTIONS, False)


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def submit(client: Client, application_id: int, headers: dict[str, str]) -> Any:
    return await client.post(f"/api/v1/applications/{application_id}/submit", headers=headers)


async def assert_nothing_submitted(db: Database, application_id: int) -> None:
    """A refused submission leaves no trace: still a draft, no snapshot, no email, no audit."""
    (row,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    assert row.status == "draft"
    assert row.snapshot is None and row.women_led is None and row.green_level is None
    assert row.submitted_at is None and row.pdf_key is None
    assert await count_rows(db, EmailOutbox) == 0
    assert (
        await count_rows(
            db,
            AuditEntry,
            col(AuditEntry.object_type) == "application",
            col(AuditEntry.action) == "submit",
        )
        == 0
    )


async def test_submission_is_refused_outside_the_calls_window(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())

    # Past the closing time (only the database can be set so), not yet closed by anyone.
    await set_call_times(
        session, setup["call_id"], opens_at=now_plus(days=-5), closes_at=now_plus(seconds=-1)
    )
    late = await submit(client, application_id, olena)
    assert late.status_code == 409, late.text
    await assert_nothing_submitted(db, application_id)

    # Not open yet (a call may be published before it opens).
    await set_call_times(
        session, setup["call_id"], opens_at=now_plus(days=1), closes_at=now_plus(days=30)
    )
    early = await submit(client, application_id, olena)
    assert early.status_code == 409, early.text
    await assert_nothing_submitted(db, application_id)

    # Open again, then closed by the officer.
    await set_call_times(session, setup["call_id"], opens_at=now_plus(days=-1))
    closed = await client.post(f"/api/v1/calls/{setup['call_id']}/close", headers=setup["officer"])
    assert closed.status_code == 200
    refused = await submit(client, application_id, olena)
    assert refused.status_code == 409, refused.text
    await assert_nothing_submitted(db, application_id)


async def test_an_empty_draft_lists_every_missing_part_at_once(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    created = await client.post(f"/api/v1/calls/{setup['call_id']}/applications", headers=olena)
    application_id = created.json()["id"]
    response = await submit(client, application_id, olena)
    assert response.status_code == 422, response.text
    assert error_keys(response) == {
        "project_title",
        "summary",
        "description",
        "environmental_effect",
        "iban",
        "contact_phone",
        "business_address",
        "requested_amount_kop",
        "own_contribution_kop",
        "budget_lines",
        "jobs_total",
        "jobs_women",
        *(f"screening.{key}" for key in SCREENING_QUESTIONS),
        "answers.market",
    }
    assert all(item["message"] for item in response.json()["extra"])
    await assert_nothing_submitted(db, application_id)


CONTENT_DEFECTS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "below minimum": (
        {
            "requested_amount_kop": 500_000,
            "own_contribution_kop": 125_000,
            "budget_lines": [{"item": "a", "amount_kop": 625_000}],
        },
        {"requested_amount_kop"},
    ),
    "above maximum": (
        {
            "requested_amount_kop": 20_000_001,
            "own_contribution_kop": 6_000_000,
            "budget_lines": [{"item": "a", "amount_kop": 26_000_001}],
        },
        {"requested_amount_kop"},
    ),
    "own contribution below 20 %": (
        {
            "own_contribution_kop": 1_000_000,
            "budget_lines": [{"item": "a", "amount_kop": 9_000_000}],
        },
        {"own_contribution_kop"},
    ),
    "budget lines do not add up": (
        {"budget_lines": [{"item": "a", "amount_kop": 9_999_999}]},
        {"budget_lines"},
    ),
    "no budget lines": ({"budget_lines": []}, {"budget_lines"}),
    "missing required answer": ({"answers": {"market": ""}}, {"answers.market"}),
    "missing title": ({"project_title": ""}, {"project_title"}),
    "unanswered screening": (
        {"screening": {"noise_or_traffic": None}},
        {"screening.noise_or_traffic"},
    ),
    "category B without mitigation": (
        {"screening": {**NO, "new_construction": True}, "mitigation": ""},
        {"mitigation"},
    ),
    "category A": ({"screening": {**NO, "protected_area": True}}, {"screening"}),
}


async def test_each_content_rule_is_named_by_its_field(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    url = f"/api/v1/applications/{application_id}"
    for case, (change, expected) in CONTENT_DEFECTS.items():
        patched = await client.patch(url, headers=olena, json=change)
        assert patched.status_code == 200, (case, patched.text)
        response = await submit(client, application_id, olena)
        assert response.status_code == 422, (case, response.text)
        assert error_keys(response) == expected, case
        restored = await client.patch(url, headers=olena, json=application_body(mitigation=""))
        assert restored.status_code == 200, restored.text
    await assert_nothing_submitted(db, application_id)
    # Category B passes once mitigation is described.
    await client.patch(
        url,
        headers=olena,
        json={"screening": {"new_construction": True}, "mitigation": "Будуємо восени."},
    )
    done = await submit(client, application_id, olena)
    assert done.status_code == 200, done.text
    assert done.json()["environmental_category"] == "B"


async def test_each_eligibility_rule_is_checked_against_the_business(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    officer = setup["officer"]
    # Olena: an LLC in Lviv, registered 2020-03-15, KVED 62.01 (section J), 10 employees.
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    programme_id = await programme_row(session, setup["centre"])
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "legal form": ({"legal_forms": ["fop", "farm"]}, "business.legal_form"),
        "too young": ({"min_business_age_months": 600}, "business.registered_on"),
        "too old": ({"max_business_age_months": 12}, "business.registered_on"),
        "kved section": ({"excluded_kved": ["J"]}, "business.kved"),
        "kved division": ({"excluded_kved": ["62"]}, "business.kved"),
        "kved class": ({"excluded_kved": ["62.01"]}, "business.kved"),
        "programme": ({"required_programme_id": programme_id}, "training"),
        "employees": ({"max_employees": 5}, "business.employees_total"),
    }
    drafts: dict[str, int] = {}
    for case, (eligibility, key) in cases.items():
        call_id = await published_call(client, officer, eligibility=eligibility)
        drafts[case] = await draft(client, call_id, olena, **application_body())
        response = await submit(client, drafts[case], olena)
        assert response.status_code == 422, (case, response.text)
        assert error_keys(response) == {key}, (case, response.text)
    await assert_nothing_submitted(db, drafts["programme"])
    # A neighbouring KVED division is not excluded.
    other_division = await published_call(client, officer, eligibility={"excluded_kved": ["63"]})
    await submitted(client, other_division, olena)

    # Completing the required programme lifts that rule.
    await session.commit()

    await complete_programme(session, programme_id, await user_id_of(session, "olena@example.org"))
    passed = await submit(client, drafts["programme"], olena)
    assert passed.status_code == 200, passed.text


async def test_location_rule_refuses_a_business_of_another_community(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(client, session)  # in_municipality: true
    taras = await applicant(
        client, session, "taras@example.org", tax_id=TAX_IDS[1], katottg="UA80000000000093317"
    )
    application_id = await draft(client, setup["call_id"], taras, **application_body())
    response = await submit(client, application_id, taras)
    assert response.status_code == 422
    assert error_keys(response) == {"business.katottg"}
    assert "Львівська громада" in response.json()["extra"][0]["message"]
    # A call without the rule takes them.
    anywhere = await published_call(client, setup["officer"], eligibility={})
    await submitted(client, anywhere, taras)


async def test_one_active_grant_at_a_time(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    earlier = await submitted(client, setup["call_id"], olena)
    strict = await published_call(client, setup["officer"], eligibility={"one_active_grant": True})
    relaxed = await published_call(client, setup["officer"], eligibility={})
    strict_draft = await draft(client, strict, olena, **application_body())
    # A submitted (not yet granted) application is no active grant.
    first = await submit(client, strict_draft, olena)
    assert first.status_code == 200, first.text
    await client.post(f"/api/v1/applications/{strict_draft}/withdraw", headers=olena)

    # A draft begun before the grant was awarded is refused when submitted.
    again = await draft(client, strict, olena, **application_body())
    await set_application(session, earlier, status="approved")
    refused = await submit(client, again, olena)
    assert refused.status_code == 422
    assert error_keys(refused) == {"grant"}
    await submitted(client, relaxed, olena)  # a call without the rule does not mind
    await set_application(session, earlier, status="in_implementation")
    assert (await submit(client, again, olena)).status_code == 422
    await set_application(session, earlier, status="completed")
    assert (await submit(client, again, olena)).status_code == 200


async def test_unconfirmed_email_and_missing_profile_are_named(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    await update_user(session, "olena@example.org", email_confirmed_at=None)
    response = await submit(client, application_id, olena)
    assert response.status_code == 422
    assert error_keys(response) == {"email"}
    await assert_nothing_submitted(db, application_id)

    # Without a business profile no draft can even start (test_applications.py); a draft
    # whose profile is gone is refused on submission.
    await make_user(session, email="newcomer@example.org")
    newcomer = await token_headers(client, "newcomer@example.org")
    await client.put("/api/v1/me/business", headers=newcomer, json=profile(tax_id=TAX_IDS[1]))
    no_profile = await draft(client, setup["call_id"], newcomer, **application_body())
    newcomer_id = await user_id_of(session, "newcomer@example.org")
    await session.execute(
        delete(BusinessProfile).where(col(BusinessProfile.user_id) == newcomer_id)
    )
    await session.commit()
    response = await submit(client, no_profile, newcomer)
    assert response.status_code == 422
    assert error_keys(response) == {"business"}
    await assert_nothing_submitted(db, no_profile)


async def test_submission_snapshots_the_business_and_makes_the_copy(
    client: Client, session: AsyncSession, db: Database, settings: Settings
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    business = (await client.get("/api/v1/me/business", headers=olena)).json()

    response = await submit(client, application_id, olena)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert body["submitted_at"] is not None
    assert body["women_led"] is True  # 60 % women-owned, call threshold 51 %
    assert body["green_level"] == business["green_level"]
    snapshot = body["snapshot"]
    for key in ("name", "tax_id", "legal_form", "kved", "katottg", "employees_total", "owners"):
        assert snapshot[key] == business[key], key
    assert snapshot["women_led"] is True
    assert [e["action"] for e in body["timeline"]] == ["created", "submit"]

    # Later edits of the profile do not touch the application.
    changed = profile(
        tax_id=TAX_IDS[0],
        name="ТОВ «Інша назва»",
        owners=[{"gender": "male", "share_pct": "100"}],
        green={"answers": {}},
    )
    assert (await client.put("/api/v1/me/business", headers=olena, json=changed)).status_code == 200
    later = (await client.get(f"/api/v1/applications/{application_id}", headers=olena)).json()
    assert later["snapshot"] == snapshot
    assert later["women_led"] is True and later["green_level"] == business["green_level"]

    # The PDF copy is stored and downloadable.
    (row,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    assert row.pdf_key is not None
    stored = Path(settings.data_dir) / "files" / row.pdf_key
    assert stored.read_bytes().startswith(b"%PDF")
    pdf = await client.get(f"/api/v1/applications/{application_id}/pdf", headers=olena)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.content == stored.read_bytes()
    assert pdf.content.startswith(b"%PDF")

    # The confirmation email, in Ukrainian (her language), and the audit trail.
    (email,) = await fetch_rows(db, EmailOutbox)
    assert email.to_address == "olena@example.org"
    assert email.template == "application_submitted"
    assert email.locale == "uk"
    assert f"№ {application_id}" in email.subject or str(application_id) in email.subject
    actions = [
        (e.action, e.actor_id)
        for e in await fetch_rows(
            db,
            AuditEntry,
            col(AuditEntry.object_type) == "application",
            col(AuditEntry.object_id) == str(application_id),
        )
    ]
    olena_id = await user_id_of(session, "olena@example.org")
    assert actions == [("created", olena_id), ("submit", olena_id)]

    # Submitted: no more changes, no second submission.
    url = f"/api/v1/applications/{application_id}"
    assert (await client.patch(url, headers=olena, json={"summary": "Ще"})).status_code == 409
    assert (await submit(client, application_id, olena)).status_code == 409
    assert await count_rows(db, EmailOutbox) == 1


async def test_the_pdf_copy_waits_for_submission(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    pdf = await client.get(f"/api/v1/applications/{application_id}/pdf", headers=olena)
    assert pdf.status_code == 409


async def test_women_led_follows_the_calls_thresholds(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(
        client,
        session,
        priorities={"women_led_thresholds": {"ownership_pct": 70, "with_head_pct": 25}},
    )
    # 60 % women-owned with a male head: women-led by the default rule, not by this call's.
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    business = (await client.get("/api/v1/me/business", headers=olena)).json()
    assert business["women_led"] is True
    application_id = await submitted(client, setup["call_id"], olena)
    read = (await client.get(f"/api/v1/applications/{application_id}", headers=olena)).json()
    assert read["women_led"] is False
    # A woman heading it meets the call's second rule (≥ 25 % and a woman as head).
    iryna = await applicant(
        client,
        session,
        "iryna@example.org",
        tax_id=TAX_IDS[1],
        leaders=[{"role": "head", "gender": "female"}],
    )
    other = await submitted(client, setup["call_id"], iryna, iban="UA903052992990004149123456789")
    read = (await client.get(f"/api/v1/applications/{other}", headers=iryna)).json()
    assert read["women_led"] is True


async def test_confirmation_email_is_in_the_applicants_language(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    john = await applicant(client, session, "john@example.org", tax_id=TAX_IDS[2])
    await update_user(session, "john@example.org", locale="en")
    await submitted(client, setup["call_id"], john)
    (email,) = await fetch_rows(db, EmailOutbox)
    assert email.locale == "en"
    assert "submitted" in email.subject
    assert "Small business grants 2027" in email.subject  # the call's English title


async def test_withdrawal(client: Client, session: AsyncSession, db: Database) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    taras = await applicant(client, session, "taras@example.org", tax_id=TAX_IDS[1])
    application_id = await submitted(client, setup["call_id"], olena)
    url = f"/api/v1/applications/{application_id}/withdraw"
    assert (await client.post(url, headers=taras)).status_code == 404
    assert (await client.post(url, headers=setup["staff"])).status_code == 403
    assert (await client.post(url, headers=setup["officer"])).status_code == 403
    (row,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    assert row.status == "submitted"
    withdrawn = await client.post(url, headers=olena)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert [e["action"] for e in withdrawn.json()["timeline"]] == ["created", "submit", "withdraw"]
    assert (await client.post(url, headers=olena)).status_code == 409
    resubmit = await submit(client, application_id, olena)
    assert resubmit.status_code == 409
    # Once screened it can no longer be withdrawn.
    other = await submitted(client, setup["call_id"], olena)
    decided = await client.post(
        f"/api/v1/applications/{other}/eligibility",
        headers=setup["staff"],
        json={"eligible": True},
    )
    assert decided.status_code == 200, decided.text
    late = await client.post(f"/api/v1/applications/{other}/withdraw", headers=olena)
    assert late.status_code == 409
