"""The printable results of a call for its officer: the call, the ranking with scores,
bonuses and decisions, and the totals, as a PDF in Ukrainian (English on request); other
municipalities' calls are not found, a call without a ranking is refused (409)."""

from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.evaluation.models import Assignment, CriterionScore
from sme_hub.grants.models import GrantCall
from tests.factories import Client, fetch_rows, login_page, make_user, pdf_text
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    officer_and_call,
    other_municipality,
    set_application,
    submitted,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


async def scored_call(client: Client, session: AsyncSession) -> dict[str, object]:
    """A Lviv call in evaluation: Anna scored 9 and 4.5 (base 90), Bohdan 5 and 2 (base
    46.67, under the threshold of 60), by one evaluator."""
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    evaluator = await make_user(
        session, Role.EVALUATOR, setup["municipality"].id, email="eva@example.org"
    )
    apps = {}
    for i, (name, impact, feasibility) in enumerate((("Анна", 9, 4.5), ("Богдан", 5, 2))):
        person = await applicant(
            client, session, f"a{i}@example.org", tax_id=TAX_IDS[i], name=f"Фірма {name}"
        )
        app_id = await submitted(client, call_id, person)
        await set_application(session, app_id, status="under_evaluation")
        assignment = Assignment(
            call_id=call_id,
            application_id=app_id,
            evaluator_id=evaluator.id or 0,
            municipality_id=setup["municipality"].id,
            status="submitted",
        )
        session.add(assignment)
        await session.flush()
        session.add_all(
            [
                CriterionScore(
                    assignment_id=assignment.id or 0, criterion_key="impact", score=Decimal(impact)
                ),
                CriterionScore(
                    assignment_id=assignment.id or 0,
                    criterion_key="feasibility",
                    score=Decimal(str(feasibility)),
                ),
            ]
        )
        apps[name] = app_id
    await session.execute(
        update(GrantCall).where(col(GrantCall.id) == call_id).values(status="in_evaluation")
    )
    await session.commit()
    return {**setup, "apps": apps}


async def test_the_results_pdf_lists_the_call_ranking_decisions_and_totals(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await scored_call(client, session)
    call_id, officer = setup["call_id"], setup["officer"]
    assert isinstance(officer, dict) and isinstance(call_id, int)
    stored = await client.post(f"/api/v1/calls/{call_id}/recommendation", headers=officer)
    assert stored.status_code == 200, stored.text
    approve = {"decision": "approved", "amount_kop": 7_000_000, "reference": "Рішення № 12"}
    anna = setup["apps"]["Анна"]  # type: ignore[index]
    decided = await client.post(
        f"/api/v1/applications/{anna}/decision", headers=officer, json=approve
    )
    assert decided.status_code == 200, decided.text

    response = await client.get(f"/api/v1/calls/{call_id}/results.pdf", headers=officer)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="call-{call_id}-results.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    for expected in (
        "Гранти для малого бізнесу 2027",
        "1 000 000,00 грн",  # the budget
        "Фірма Анна",
        "Богдан",  # a long name may wrap in its cell
        "1 Фірма Анна 105,00 база 90,00",  # rank, name, final score and base
        "очолюваний жінкою +10,00; зелений +5,00",  # the bonuses
        "61,67 база 46,67 80 000,00 грн не відібрано",  # Bohdan: under the threshold
        "Рішення № 12",
        "70 000,00 грн",  # approved
        "930 000,00 грн",  # what is left of the budget
    ):
        assert expected in text, expected
    assert text.index("Заявка № 1") < text.index("Заявка № 2")  # in ranking order

    english = await client.get(f"/api/v1/calls/{call_id}/results.pdf?lang=en", headers=officer)
    text_en = pdf_text(english.content)
    assert "Small business grants 2027" in text_en and "Remaining budget" in text_en

    officer_email = f"officer{setup['municipality'].id}@example.org"  # type: ignore[attr-defined]
    assert (await login_page(client, officer_email)).status_code in (302, 303)
    ranking = await client.get(f"/municipality/calls/{call_id}/evaluation/ranking")
    assert f"/municipality/calls/{call_id}/results.pdf" in ranking.text
    decision = await client.get(f"/municipality/calls/{call_id}/evaluation/applications/{anna}")
    assert f"/municipality/calls/{call_id}/results.pdf" in decision.text
    page = await client.get(f"/municipality/calls/{call_id}/results.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")
    entries = await fetch_rows(db, AuditEntry, col(AuditEntry.action) == "results_printed")
    assert len(entries) == 3


async def test_other_municipalities_and_calls_without_a_ranking(
    client: Client, session: AsyncSession
) -> None:
    setup = await scored_call(client, session)
    kyiv = await other_municipality(client, session)
    call_id = setup["call_id"]
    foreign = await client.get(f"/api/v1/calls/{call_id}/results.pdf", headers=kyiv["officer"])
    assert foreign.status_code == 404
    fresh = await client.get(
        f"/api/v1/calls/{kyiv['call_id']}/results.pdf?lang=en", headers=kyiv["officer"]
    )
    assert fresh.status_code == 409
    assert "no ranking yet" in fresh.json()["detail"]
    staff = await client.get(f"/api/v1/calls/{call_id}/results.pdf", headers=setup["staff"])
    assert staff.status_code == 403  # centre staff do not print the officer's results
