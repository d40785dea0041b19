"""Decisions: the recommendation stored from the ranking, approvals up to the request and
within the budget (409 with what is left), and a race of approvals through a real server
with several workers that never overspends."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.db import Database
from sme_hub.grants.models import Application, GrantCall
from tests.factories import (
    Client,
    bulk_entrepreneurs,
    fetch_rows,
    login_page,
    text_of,
    token_headers,
)
from tests.grants_setup import assign_whole_committee, evaluated_call, officer_and_call
from tests.servers import running_server

APPROVALS = 24
REQUESTED = 8_000_000  # 80 000 UAH each; the call's budget (1 000 000 UAH) fits 12 of them


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def recommended_applications(session: AsyncSession, call_id: int, n: int) -> list[int]:
    """`n` recommended applications of a call in evaluation, written directly."""
    people = await bulk_entrepreneurs(session, n)
    call = await session.get(GrantCall, call_id)
    assert call is not None
    rows = [
        Application(
            call_id=call_id,
            municipality_id=call.municipality_id,
            applicant_id=person["id"],
            status="recommended",
            project_title=f"Проєкт {i}",
            requested_amount_kop=REQUESTED,
            own_contribution_kop=0,
            rank=i + 1,
        )
        for i, person in enumerate(people)
    ]
    session.add_all(rows)
    await session.execute(
        update(GrantCall).where(col(GrantCall.id) == call_id).values(status="in_evaluation")
    )
    await session.commit()
    return [row.id or 0 for row in rows]


async def test_recommendation_and_decisions(client: Client, session: AsyncSession) -> None:
    setup = await evaluated_call(client, session)
    call_id, officer = setup["call_id"], setup["officer"]
    await assign_whole_committee(client, setup)
    for evaluator in setup["evaluators"]:
        for a in (await client.get("/api/v1/me/assignments", headers=evaluator["headers"])).json():
            path = f"/api/v1/assignments/{a['id']}"
            await client.post(
                f"{path}/conflict", headers=evaluator["headers"], json={"has_conflict": False}
            )
            await client.put(
                f"{path}/scores",
                headers=evaluator["headers"],
                json={"scores": {"impact": 9, "feasibility": 4}},
            )
            await client.post(f"{path}/submit", headers=evaluator["headers"])
    stored = await client.post(f"/api/v1/calls/{call_id}/recommendation", headers=officer)
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"recommended": 2}
    first, second, ineligible = setup["applications"]
    too_much = await client.post(
        f"/api/v1/applications/{first}/decision",
        headers=officer,
        json={"decision": "approved", "amount_kop": 9_000_000, "reference": "Рішення № 1"},
    )
    assert too_much.status_code == 422
    approved = await client.post(
        f"/api/v1/applications/{first}/decision",
        headers=officer,
        json={
            "decision": "approved",
            "amount_kop": 7_000_000,
            "reference": "Рішення № 12 від 01.12",
        },
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["remaining_kop"] == 100_000_000 - 7_000_000
    again = await client.post(
        f"/api/v1/applications/{first}/decision",
        headers=officer,
        json={"decision": "rejected", "reference": "Рішення № 13"},
    )
    assert again.status_code == 409  # already decided
    rejected = await client.post(
        f"/api/v1/applications/{second}/decision",
        headers=officer,
        json={"decision": "rejected", "reference": "Рішення № 14"},
    )
    assert rejected.json()["status"] == "rejected"
    not_ranked = await client.post(
        f"/api/v1/applications/{ineligible}/decision",
        headers=officer,
        json={"decision": "approved", "reference": "Рішення № 15"},
    )
    assert not_ranked.status_code == 409
    late = await client.post(f"/api/v1/calls/{call_id}/recommendation", headers=officer)
    assert late.status_code == 409  # decisions have begun
    # The call is decided with its last recommended application; each applicant now reads
    # how their application was scored, in their language.
    call = (await client.get(f"/api/v1/calls/{call_id}", headers=officer)).json()
    assert call["status"] == "decided"
    owner = await token_headers(client, "a0@example.org")
    shown = (await client.get(f"/api/v1/applications/{first}", headers=owner)).json()
    assert shown["awarded_kop"] == 7_000_000
    assert shown["decision_reference"] == "Рішення № 12 від 01.12"
    assert "Базова оцінка: 86,67 зі 100." in shown["explanation"], shown["explanation"]
    assert "Бонус за базовий зелений рівень: +5,00." in shown["explanation"]
    await login_page(client, "a0@example.org")
    page = text_of((await client.get(f"/me/applications/{first}")).text)
    assert "Рішення № 12 від 01.12" in page and "Базова оцінка: 86,67 зі 100." in page
    english = await client.get(f"/api/v1/applications/{first}?lang=en", headers=owner)
    assert "Base score: 86,67 of 100." in english.json()["explanation"]


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(database_url, tmp_path_factory.mktemp("decisions"), workers=2) as url:
        yield url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=APPROVALS + 5)
    async with httpx.AsyncClient(base_url=server, limits=limits, timeout=60) as client:
        yield client


async def test_simultaneous_approvals_never_exceed_the_budget(
    client: Client, session: AsyncSession, db: Database, http: httpx.AsyncClient
) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    applications = await recommended_applications(session, call_id, APPROVALS)

    async def approve(application_id: int) -> Any:
        return await http.post(
            f"/api/v1/applications/{application_id}/decision",
            headers=setup["officer"],
            json={"decision": "approved", "reference": f"Рішення № {application_id}"},
        )

    answers = await asyncio.gather(*(approve(i) for i in applications))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 12 + [409] * (APPROVALS - 12), codes
    refused = [a.json() for a in answers if a.status_code == 409]
    assert all(r["extra"]["remaining_kop"] == 4_000_000 for r in refused)
    (call,) = await fetch_rows(db, GrantCall, GrantCall.id == call_id)
    approved = await fetch_rows(db, Application, Application.status == "approved")
    assert call.approved_kop == sum(a.awarded_kop for a in approved) == 96_000_000
    assert call.approved_kop <= call.budget_kop
