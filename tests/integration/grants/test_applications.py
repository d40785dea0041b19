"""Drafts of applications (product.md §8): created by entrepreneurs in open calls, one live
per call, saved piece by piece, and an invalid change changes nothing."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.grants.models import Application
from tests.factories import Client, count_rows, error_keys, fetch_rows, make_user, token_headers
from tests.grants_setup import (
    IBAN,
    TAX_IDS,
    applicant,
    application_body,
    call_body,
    draft,
    now_plus,
    officer_and_call,
    published_call,
    set_application,
    set_call_times,
    update_user,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


def assert_invalid(response: Any, key: str) -> None:
    assert response.status_code in (400, 422), response.text
    assert key in error_keys(response), response.text


async def test_only_entrepreneurs_start_drafts_one_live_per_call(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    url = f"/api/v1/calls/{setup['call_id']}/applications"
    assert (await client.post(url)).status_code == 401
    for headers in (setup["officer"], setup["staff"]):
        assert (await client.post(url, headers=headers)).status_code == 403
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    first = await client.post(url, headers=olena)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "draft"
    assert body["call_id"] == setup["call_id"]
    assert body["municipality_id"] == setup["municipality"].id
    assert body["environmental_category"] is None
    assert body["women_led"] is None and body["snapshot"] is None
    assert [e["action"] for e in body["timeline"]] == ["created"]

    second = await client.post(url, headers=olena)
    assert second.status_code == 409, second.text
    assert await count_rows(db, Application) == 1

    withdrawn = await client.post(f"/api/v1/applications/{body['id']}/withdraw", headers=olena)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    again = await client.post(url, headers=olena)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != body["id"]
    mine = await client.get("/api/v1/me/applications", headers=olena)
    assert [a["status"] for a in mine.json()] == ["draft", "withdrawn"]


async def test_no_drafts_in_closed_unpublished_or_missing_calls(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    officer = setup["officer"]
    # A draft call is not found by applicants; a missing one neither.
    unpublished = (await client.post("/api/v1/calls", headers=officer, json=call_body())).json()
    response = await client.post(f"/api/v1/calls/{unpublished['id']}/applications", headers=olena)
    assert response.status_code == 404
    assert (
        await client.post("/api/v1/calls/999999/applications", headers=olena)
    ).status_code == 404
    # Closed by the officer.
    shut = (await client.post("/api/v1/calls", headers=officer, json=call_body())).json()["id"]
    await client.post(f"/api/v1/calls/{shut}/publish", headers=officer)
    await client.post(f"/api/v1/calls/{shut}/close", headers=officer)
    assert (await client.post(f"/api/v1/calls/{shut}/applications", headers=olena)).status_code == (
        409
    )
    # Past its closing time, not yet closed by anyone.
    await set_call_times(
        session, setup["call_id"], opens_at=now_plus(days=-3), closes_at=now_plus(seconds=-1)
    )
    late = await client.post(f"/api/v1/calls/{setup['call_id']}/applications", headers=olena)
    assert late.status_code == 409, late.text


async def test_patch_saves_only_what_is_sent(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena)
    url = f"/api/v1/applications/{application_id}"

    async def patch(**fields: Any) -> dict[str, Any]:
        response = await client.patch(url, headers=olena, json=fields)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    await patch(project_title="Сушарка")
    await patch(summary="Коротко", requested_amount_kop=5_000_000)
    body = await patch(screening={"protected_area": False, "hazardous_waste": False})
    assert body["project_title"] == "Сушарка"
    assert body["summary"] == "Коротко"
    assert body["requested_amount_kop"] == 5_000_000
    assert body["environmental_category"] is None  # three questions still open
    body = await patch(
        screening={
            "new_construction": True,
            "emissions_or_discharges": False,
            "noise_or_traffic": False,
        }
    )
    assert body["screening"]["protected_area"] is False
    assert body["environmental_category"] == "B"
    body = await patch(screening={"new_construction": False})
    assert body["environmental_category"] == "C"
    body = await patch(screening={"hazardous_waste": True})
    assert body["environmental_category"] == "A"
    # A null answer clears it again.
    body = await patch(screening={"hazardous_waste": None})
    assert body["screening"]["hazardous_waste"] is None
    assert body["environmental_category"] is None

    body = await patch(answers={"market": "Кав'ярні"})
    assert body["answers"] == {"market": "Кав'ярні"}
    body = await patch(answers={"market": ""})
    assert body["answers"] == {}
    body = await patch(
        budget_lines=[{"item": "Сушарка", "amount_kop": 5_000_000}],
        own_contribution_kop=1_000_000,
        iban=IBAN.lower()[:4] + " " + IBAN[4:],
    )
    assert body["project_cost_kop"] == 6_000_000
    assert body["iban"] == IBAN
    body = await patch(contact_phone="067-123-45-67", business_address="Львів, Городоцька 10")
    assert body["contact_phone"] == "067-123-45-67"
    assert body["project_title"] == "Сушарка"


async def test_patch_with_nulls_clears_fields_without_breaking(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    url = f"/api/v1/applications/{application_id}"
    response = await client.patch(
        url,
        headers=olena,
        json={
            "project_title": None,
            "requested_amount_kop": None,
            "budget_lines": None,
            "answers": None,
            "screening": None,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["project_title"] == ""
    assert body["requested_amount_kop"] is None
    assert body["budget_lines"] == []
    assert body["answers"] == {}
    assert body["environmental_category"] is None
    (row,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    assert row.budget_lines == [] and row.answers == {} and row.screening == {}
    assert (await client.get(url, headers=olena)).status_code == 200


INVALID_PATCHES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown question": ({"answers": {"x": "так"}}, "answers.x"),
    "negative amount": ({"requested_amount_kop": -1}, "requested_amount_kop"),
    "absurd amount": ({"requested_amount_kop": 10**15}, "requested_amount_kop"),
    "negative contribution": ({"own_contribution_kop": -500}, "own_contribution_kop"),
    "fractional amount": ({"requested_amount_kop": 1.5}, "requested_amount_kop"),
    "negative budget line": (
        {"budget_lines": [{"item": "Сушарка", "amount_kop": -1}]},
        "budget_lines.0.amount_kop",
    ),
    "bad iban": ({"iban": "UA213223130000026007233566002"}, "iban"),
    "not an iban": ({"iban": "hello"}, "iban"),
    "women jobs": ({"jobs_total": 2, "jobs_women": 3}, "jobs_women"),
    "negative jobs": ({"jobs_total": -1}, "jobs_total"),
    "bad phone": ({"contact_phone": "12"}, "contact_phone"),
    "bad screening": ({"screening": {"volcano": True}}, "screening.volcano"),
    "unknown field": ({"status": "approved"}, "status"),
}


async def test_invalid_changes_are_refused_and_change_nothing(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    url = f"/api/v1/applications/{application_id}"
    before = (await client.get(url, headers=olena)).json()
    (row_before,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    for case, (fields, key) in INVALID_PATCHES.items():
        # Sent together with a valid change: neither is saved.
        response = await client.patch(url, headers=olena, json={"project_title": "Інше", **fields})
        assert response.status_code in (400, 422), (case, response.text)
        assert key in error_keys(response), (case, response.text)
    # The women's jobs rule also holds against what is already saved (2 jobs).
    assert_invalid(await client.patch(url, headers=olena, json={"jobs_women": 3}), "jobs_women")
    assert_invalid(await client.patch(url, headers=olena, json={"jobs_total": 1}), "jobs_women")
    after = (await client.get(url, headers=olena)).json()
    assert after == before
    (row_after,) = await fetch_rows(db, Application, col(Application.id) == application_id)
    assert row_after.updated_at == row_before.updated_at
    assert row_after.project_title == application_body()["project_title"]


async def test_others_cannot_read_or_change_a_draft(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    taras = await applicant(client, session, "taras@example.org", tax_id=TAX_IDS[1])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    url = f"/api/v1/applications/{application_id}"
    await make_user(session, Role.ADMIN, email="admin@example.org")
    for headers in (taras, setup["staff"], setup["officer"]):
        # Staff see applications once submitted, not drafts.
        assert (await client.get(url, headers=headers)).status_code == 404
        response = await client.patch(url, headers=headers, json={"project_title": "Моє"})
        assert response.status_code == 404
        assert (await client.post(f"{url}/withdraw", headers=headers)).status_code == 404
        assert (await client.post(f"{url}/submit", headers=headers)).status_code == 404
    assert (await client.get(url)).status_code == 401
    admin = await token_headers(client, "admin@example.org")
    assert (await client.get(url, headers=admin)).status_code == 404
    assert (await client.get(url, headers=olena)).json()["project_title"] == (
        application_body()["project_title"]
    )
    mine = await client.get("/api/v1/me/applications", headers=taras)
    assert mine.json() == []


async def test_whoever_cannot_apply_learns_it_before_the_draft(
    client: Client, session: AsyncSession, db: Database
) -> None:
    """An unconfirmed email, no business profile, an active grant where one at a time is
    allowed: the draft is refused at once (422, each blocker by its field), not after the
    whole form is filled in (issue 15, finding 8). An eligible person still starts one."""
    setup = await officer_and_call(client, session)
    strict = await published_call(client, setup["officer"], eligibility={"one_active_grant": True})

    def start(call_id: int, headers: dict[str, str]) -> Any:
        return client.post(f"/api/v1/calls/{call_id}/applications", headers=headers)

    unconfirmed = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    await update_user(session, "olena@example.org", email_confirmed_at=None)
    refused = await start(setup["call_id"], unconfirmed)
    assert refused.status_code == 422 and error_keys(refused) == {"email"}
    assert "підтвердьте адресу" in refused.json()["extra"][0]["message"]

    await make_user(session, email="newcomer@example.org")
    newcomer = await token_headers(client, "newcomer@example.org")
    refused = await start(setup["call_id"], newcomer)
    assert refused.status_code == 422 and error_keys(refused) == {"business"}

    granted = await applicant(client, session, "taras@example.org", tax_id=TAX_IDS[1])
    earlier = await draft(client, setup["call_id"], granted)
    await set_application(session, earlier, status="approved")
    refused = await start(strict, granted)
    assert refused.status_code == 422 and error_keys(refused) == {"grant"}
    assert await count_rows(db, Application) == 1  # only the granted one

    eligible = await applicant(client, session, "iryna@example.org", tax_id=TAX_IDS[2])
    assert (await start(strict, eligible)).status_code == 201
    await update_user(session, "olena@example.org", email_confirmed_at=now_plus(days=0))
    assert (await start(setup["call_id"], unconfirmed)).status_code == 201
