"""The officer's evaluation pages over HTTP: committee and assignment by form, progress
counts, the ranking with its divergent flag and explanations, the what-if simulation that
saves nothing, decisions within the budget (409 with what is left), and another
municipality's officer refused with a 404."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.evaluation.models import Assignment, CommitteeMember, CriterionScore
from sme_hub.grants.models import Application, GrantCall
from tests.factories import (
    Client,
    bulk_entrepreneurs,
    count_rows,
    fetch_rows,
    field_error,
    login_page,
    make_user,
    post_form,
    text_of,
)
from tests.grants_setup import evaluated_call, now_plus, officer_and_call, other_municipality

REQUESTED = 20_000_000  # 200 000 UAH; the call's budget (1 000 000 UAH) fits five


pytestmark = pytest.mark.usefixtures("fast_passwords")


def visible(html: str) -> str:
    return text_of(html).replace("\xa0", " ")


def evaluation(setup: dict[str, Any]) -> str:
    return f"/municipality/calls/{setup['call_id']}/evaluation"


async def as_officer(client: Client, setup: dict[str, Any]) -> None:
    response = await login_page(client, f"officer{setup['municipality'].id}@example.org")
    assert response.status_code == 303


def cell(html: str, row_attribute: str, status: str) -> int:
    """The count in the cell of assignment `status` in the row marked `row_attribute`."""
    row = re.search(rf"<tr {row_attribute}>(.*?)</tr>", html, re.S)
    assert row, row_attribute
    found = re.search(rf'data-status="{status}">(\d+)</td>', row.group(1))
    if found is None:  # the totals table: the status is on the row, the number in its cell
        found = re.search(r"<td>(\d+)</td>", row.group(1))
    assert found, (row_attribute, status)
    return int(found.group(1))


def table_rows(html: str, testid: str) -> list[int]:
    """Application ids of a table's rows, in order."""
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)
    assert table, testid
    return [int(i) for i in re.findall(r'<tr data-application="(\d+)"', table.group(1))]


def listed(html: str, testid: str) -> list[int]:
    block = re.search(rf'data-testid="{testid}">(.*?)</ul>', html, re.S)
    return (
        [int(i) for i in re.findall(r'data-application="(\d+)"', block.group(1))] if block else []
    )


async def score_everything(
    client: Client, setup: dict[str, Any], scores: Callable[[int, int], dict[str, float]]
) -> None:
    """Every evaluator declares no conflict and submits `scores(application, evaluator)`."""
    for n, evaluator in enumerate(setup["evaluators"]):
        mine = await client.get("/api/v1/me/assignments", headers=evaluator["headers"])
        for a in mine.json():
            path = f"/api/v1/assignments/{a['id']}"
            headers = evaluator["headers"]
            await client.post(f"{path}/conflict", headers=headers, json={"has_conflict": False})
            saved = await client.put(
                f"{path}/scores", headers=headers, json={"scores": scores(a["application_id"], n)}
            )
            assert saved.status_code == 200, saved.text
            assert (await client.post(f"{path}/submit", headers=headers)).status_code == 200


async def assigned_by_form(client: Client, setup: dict[str, Any]) -> None:
    page = evaluation(setup)
    ids = [str(e["id"]) for e in setup["evaluators"]]
    saved = await post_form(
        client, f"{page}/committee", {"evaluator_ids": ids}, page=page, follow_redirects=False
    )
    assert saved.status_code == 303, visible(saved.text)[:2000]
    assigned = await post_form(client, f"{page}/assign", {}, page=page, follow_redirects=False)
    assert assigned.status_code == 303


# Scores (impact of 10, weight 2; feasibility of 5, weight 1) → base = 20/3 × (impact + feasibility)
SPECS = {
    "A": (10, 5, False),  # 100.00
    "B": (9.5, 4.5, False),  # 93.33
    "C": (9, 4, False),  # 86.67
    "D": (8.5, 4, False),  # 83.33
    "E": (8, 3.5, False),  # 76.67
    "W": (7, 3, True),  # 66.67 + 10 for a women-led business = 76.67, after E by the base
}


async def scored_call(client: Client, session: AsyncSession) -> dict[str, Any]:
    """A call in evaluation with six applications scored (rows written directly): with the
    call's settings A–E are recommended and the women-led W is on the reserve list."""
    setup = await officer_and_call(client, session)
    call = await session.get(GrantCall, setup["call_id"])
    assert call is not None and call.id is not None
    evaluator = await make_user(session, Role.EVALUATOR, setup["municipality"].id)
    people = await bulk_entrepreneurs(session, len(SPECS))
    ids: dict[str, int] = {}
    for n, (name, (impact, feasibility, women)) in enumerate(SPECS.items()):
        application = Application(
            call_id=call.id,
            municipality_id=call.municipality_id,
            applicant_id=people[n]["id"],
            status="under_evaluation",
            project_title=f"Проєкт {name}",
            requested_amount_kop=REQUESTED,
            own_contribution_kop=0,
            women_led=women,
            green_level="none",
            submitted_at=now_plus(days=-3) + timedelta(minutes=n),
            snapshot={"name": f"Бізнес {name}", "declared_groups": ["veteran_owned"] * women},
        )
        session.add(application)
        await session.flush()
        assert application.id is not None and evaluator.id is not None
        assignment = Assignment(
            call_id=call.id,
            application_id=application.id,
            evaluator_id=evaluator.id,
            municipality_id=call.municipality_id,
            status="submitted",
            submitted_at=now_plus(days=-1),
        )
        session.add(assignment)
        await session.flush()
        assert assignment.id is not None
        session.add_all(
            [
                CriterionScore(assignment_id=assignment.id, criterion_key="impact", score=impact),
                CriterionScore(
                    assignment_id=assignment.id, criterion_key="feasibility", score=feasibility
                ),
            ]
        )
        ids[name] = application.id
    await session.execute(
        update(GrantCall)
        .where(col(GrantCall.id) == call.id)
        .values(status="in_evaluation", opens_at=now_plus(days=-10), closes_at=now_plus(days=-5))
    )
    await session.commit()
    return {**setup, "ids": ids}


# --- progress: committee, assignment, reopening ----------------------------------------------


async def test_committee_assignment_progress_and_reopening_by_form(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await evaluated_call(client, session)
    other = await other_municipality(client, session)
    outsider = await make_user(session, Role.EVALUATOR, other["municipality"].id)
    await as_officer(client, setup)
    page = evaluation(setup)
    call_page = await client.get(f"/municipality/calls/{setup['call_id']}")
    assert f'href="{page}"' in call_page.text  # the call is closed: evaluation is linked
    assert f'href="{page}"' in (await client.get("/municipality/calls")).text

    empty = await client.get(page)
    assert empty.status_code == 200
    for evaluator in setup["evaluators"]:
        assert f'name="evaluator_ids" value="{evaluator["id"]}"' in empty.text
    refused = await post_form(
        client, f"{page}/committee", {"evaluator_ids": [str(outsider.id)]}, page=page
    )
    assert refused.status_code == 422
    assert str(outsider.id) in field_error(refused.text, "evaluator_ids")
    assert await count_rows(db, CommitteeMember) == 0

    await assigned_by_form(client, setup)
    assert await count_rows(db, CommitteeMember) == 3
    assert await count_rows(db, Assignment) == 4  # two eligible applications × two evaluators
    again = await post_form(client, f"{page}/assign", {}, page=page, follow_redirects=False)
    assert again.status_code == 303 and await count_rows(db, Assignment) == 4  # idempotent
    html = (await client.get(page)).text
    assert cell(html, 'data-status="assigned"', "assigned") == 4
    assert cell(html, 'data-status="submitted"', "submitted") == 0

    # The first evaluator submits both of theirs; the second declares a conflict and the
    # third replaces them.
    first, second, third = setup["evaluators"]
    await score_everything(
        client, {"evaluators": [first]}, lambda _a, _n: {"impact": 8, "feasibility": 4}
    )
    theirs = (await client.get("/api/v1/me/assignments", headers=second["headers"])).json()
    conflict = await client.post(
        f"/api/v1/assignments/{theirs[0]['id']}/conflict",
        headers=second["headers"],
        json={"has_conflict": True, "note": "Кум заявника"},
    )
    assert conflict.status_code == 200
    html = (await client.get(page)).text
    assert cell(html, f'data-evaluator="{first["id"]}"', "submitted") == 2
    assert cell(html, f'data-evaluator="{second["id"]}"', "conflict") == 1
    assert cell(html, f'data-evaluator="{third["id"]}"', "assigned") == 2
    assert cell(html, 'data-status="submitted"', "submitted") == 2
    assert cell(html, 'data-status="conflict"', "conflict") == 1
    assert "2 applications have fewer than 2 submitted score sheets." in visible(
        (await client.get(f"{page}?lang=en")).text
    )

    (sheet, *_rest) = await fetch_rows(db, Assignment, Assignment.status == "submitted")
    assert f'action="{page}/reopen/{sheet.id}"' in html
    reopened = await post_form(
        client, f"{page}/reopen/{sheet.id}", {}, page=page, follow_redirects=False
    )
    assert reopened.status_code == 303
    (row,) = await fetch_rows(db, Assignment, Assignment.id == sheet.id)
    assert row.status == "declared" and row.submitted_at is None
    assert cell((await client.get(page)).text, 'data-status="submitted"', "submitted") == 1


# --- the ranking ---------------------------------------------------------------------------


async def test_ranking_in_order_with_divergence_explanations_and_recommendation(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await evaluated_call(client, session)
    await as_officer(client, setup)
    await assigned_by_form(client, setup)
    first, second, ineligible = setup["applications"]

    def scores(application: int, evaluator: int) -> dict[str, float]:
        if application == second:  # 86.67 from both
            return {"impact": 9, "feasibility": 4}
        # 100 and 20: the base is 60 (at the threshold), the evaluators 80 points apart
        return (
            {"impact": 10, "feasibility": 5} if evaluator == 0 else {"impact": 2, "feasibility": 1}
        )

    await score_everything(client, setup, scores)
    ranking = await client.get(f"{evaluation(setup)}/ranking?lang=en")
    assert ranking.status_code == 200
    assert table_rows(ranking.text, "ranking") == [second, first]  # the ineligible is not ranked
    rows = dict(re.findall(r'<tr data-application="(\d+)">(.*?)</tr>', ranking.text, re.S))
    assert "Scores differ by more than 30 points — discuss" in visible(rows[str(first)])
    assert 'data-testid="divergent"' not in rows[str(second)]
    assert "<details>" in rows[str(first)]
    assert "Base score: 60,00 of 100." in visible(rows[str(first)])
    assert "Base score: 86,67 of 100." in visible(rows[str(second)])
    assert "80,000.00 UAH" in visible(rows[str(first)])  # the requested amount, in English
    assert str(ineligible) not in rows

    stored = await post_form(
        client,
        f"{evaluation(setup)}/recommendation",
        {},
        page=f"{evaluation(setup)}/ranking",
        follow_redirects=False,
    )
    assert stored.status_code == 303
    statuses = {a.id: a.status for a in await fetch_rows(db, Application)}
    assert statuses[first] == statuses[second] == "recommended"
    assert statuses[ineligible] == "ineligible"
    after = await client.get(f"{evaluation(setup)}/ranking")
    assert f'href="{evaluation(setup)}/applications/{first}"' in after.text


# --- what if ---------------------------------------------------------------------------------


async def test_what_if_changes_the_list_and_saves_nothing(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await scored_call(client, session)
    ids = setup["ids"]
    await as_officer(client, setup)
    (call_before,) = await fetch_rows(db, GrantCall)
    applications_before = [a.model_dump() for a in await fetch_rows(db, Application)]
    page = f"{evaluation(setup)}/what-if"

    own = await client.get(page)
    assert own.status_code == 200
    assert table_rows(own.text, "what-if-list") == [ids[n] for n in "ABCDE"]
    assert 'data-testid="no-change"' in own.text
    assert 'value="1000000"' in own.text  # the call's budget, in hryvnias

    form = {"budget": "800 000", "women_led_share_pct": "0", "threshold": "60"}
    form |= {"women_led_bonus": "10", "green_bonus": "10"}
    smaller = await client.get(page, params=form)
    assert smaller.status_code == 200
    assert table_rows(smaller.text, "what-if-list") == [ids[n] for n in "ABCD"]
    assert listed(smaller.text, "left") == [ids["E"]] and listed(smaller.text, "entered") == []
    assert "800 000,00 грн" in visible(smaller.text)

    reserved = await client.get(page, params={"women_led_share_pct": "20"})
    assert table_rows(reserved.text, "what-if-list") == [ids[n] for n in "ABCDW"]
    assert listed(reserved.text, "entered") == [ids["W"]]
    assert listed(reserved.text, "left") == [ids["E"]]
    assert "the reserved budget" in visible(
        (await client.get(page, params={"women_led_share_pct": "20", "lang": "en"})).text
    )

    strict = await client.get(page, params={"threshold": "90"})
    assert table_rows(strict.text, "what-if-list") == [ids["A"], ids["B"]]
    veterans = await client.get(page, params={"bonus_veteran_owned": "15"})
    assert table_rows(veterans.text, "what-if-list") == [ids[n] for n in "ABWCD"]  # 91.67
    assert listed(veterans.text, "entered") == [ids["W"]]

    # htmx asks for the result only (and gets each field's message out of band).
    fragment = await client.get(page, params=form, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="e-budget" hx-swap-oob="innerHTML"' in fragment.text
    assert "4 applications are recommended" in visible(
        (await client.get(page, params={**form, "lang": "en"}, headers={"HX-Request": "true"})).text
    )
    assert table_rows(fragment.text, "what-if-list") == [ids[n] for n in "ABCD"]

    (call_after,) = await fetch_rows(db, GrantCall)
    assert call_after.model_dump() == call_before.model_dump()
    assert [a.model_dump() for a in await fetch_rows(db, Application)] == applications_before


async def test_what_if_refuses_unusable_values_by_the_field(
    client: Client, session: AsyncSession
) -> None:
    setup = await scored_call(client, session)
    await as_officer(client, setup)
    page = f"{evaluation(setup)}/what-if"
    bad = {
        "budget": "0",
        "women_led_share_pct": "150",
        "threshold": "-5",
        "women_led_bonus": "ten",
        "green_bonus": "",
        "bonus_veteran_owned": "12,345",
        "lang": "en",
    }
    refused = await client.get(page, params=bad)
    assert refused.status_code == 422
    assert field_error(refused.text, "budget") == "The budget must be more than zero."
    for name in ("women_led_share_pct", "threshold", "women_led_bonus", "bonus_veteran_owned"):
        assert "from 0 to 100" in field_error(refused.text, name), name
    assert field_error(refused.text, "green_bonus") == "This field is required."
    assert 'data-testid="what-if-list"' not in refused.text
    letters = await client.get(page, params={"budget": "a lot", "lang": "en"})
    assert letters.status_code == 422
    assert "Enter an amount in hryvnias" in field_error(letters.text, "budget")
    huge = await client.get(page, params={"budget": "9" * 5000, "lang": "en"})
    assert (
        huge.status_code == 422 and field_error(huge.text, "budget") == "The budget is too large."
    )
    fragment = await client.get(page, params=bad, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert 'id="e-budget" hx-swap-oob="innerHTML">The budget must be' in fragment.text


# --- decisions ----------------------------------------------------------------------------


async def test_decisions_within_the_budget(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await scored_call(client, session)
    ids = setup["ids"]
    await as_officer(client, setup)
    ranking = f"{evaluation(setup)}/ranking"
    stored = await post_form(
        client, f"{evaluation(setup)}/recommendation", {}, page=ranking, follow_redirects=False
    )
    assert stored.status_code == 303

    page = f"{evaluation(setup)}/applications/{ids['A']}"
    summary = visible((await client.get(f"{page}?lang=en")).text)
    assert "Requested 200,000.00 UAH" in summary and "Rank 1" in summary
    assert "Final score 100,00" in summary and "Base score: 100,00 of 100." in summary
    assert "Budget of the call 1,000,000.00 UAH" in summary
    assert 'value="200000"' in (await client.get(page)).text  # the request by default

    above = await post_form(
        client, page, {"decision": "approved", "amount": "250 000", "reference": "№ 12"}
    )
    assert above.status_code == 422
    assert "200,000.00 UAH" in field_error(above.text, "amount")  # English is remembered
    no_reference = await post_form(client, page, {"decision": "approved", "amount": "150 000"})
    assert no_reference.status_code == 422 and field_error(no_reference.text, "reference")
    not_an_amount = await post_form(
        client, page, {"decision": "approved", "amount": "багато", "reference": "№ 12"}
    )
    assert not_an_amount.status_code == 422 and field_error(not_an_amount.text, "amount")

    approval = {"decision": "approved", "amount": "150 000", "reference": "Рішення № 12 від 01.12"}
    asked = await post_form(client, page, approval)  # an irreversible action asks first
    assert asked.status_code == 200 and 'data-testid="confirmation"' in asked.text
    assert f"Approve application No. {ids['A']} and award 150,000.00 UAH?" in visible(asked.text)
    assert 'name="confirm" value="yes"' in asked.text
    assert 'name="amount" value="150 000"' in asked.text  # the form is carried over
    assert f'href="{page}"' in asked.text  # the way back
    (row,) = await fetch_rows(db, Application, Application.id == ids["A"])
    assert row.status == "recommended" and row.decided_at is None
    approved = await post_form(client, page, {**approval, "confirm": "yes"}, follow_redirects=False)
    assert approved.status_code == 303, visible(approved.text)[:2000]
    (row,) = await fetch_rows(db, Application, Application.id == ids["A"])
    assert row.status in ("approved", "in_implementation") and row.awarded_kop == 15_000_000
    decided = await client.get(f"{page}?lang=en")
    shown = visible(decided.text)
    assert "Approved so far 150,000.00 UAH" in shown and "Remaining 850,000.00 UAH" in shown
    assert "Рішення № 12 від 01.12" in shown and 'name="decision"' not in decided.text
    after = await client.get(ranking)
    assert table_rows(after.text, "decided") == [ids["A"]]
    assert ids["A"] in table_rows(after.text, "ranking")  # a decision never reorders the ranking
    b_html = (await client.get(f"{evaluation(setup)}/applications/{ids['B']}")).text
    assert "Rank 2" in visible(b_html) and 'data-testid="rank-moved"' not in b_html

    # Other approvals have taken all but 50 000 UAH: 200 000 more is refused with what is left.
    await session.execute(
        update(GrantCall)
        .where(col(GrantCall.id) == setup["call_id"])
        .values(approved_kop=GrantCall.approved_kop + 80_000_000)
    )
    await session.commit()
    over = await post_form(
        client,
        f"{evaluation(setup)}/applications/{ids['B']}?lang=en",
        {"decision": "approved", "amount": "", "reference": "Рішення № 13", "confirm": "yes"},
    )
    assert over.status_code == 409
    refused = visible(over.text)
    assert "would exceed the call's budget: 50,000.00 UAH is left" in refused
    assert "Remaining 50,000.00 UAH" in refused
    (b,) = await fetch_rows(db, Application, Application.id == ids["B"])
    assert b.status == "recommended" and b.decided_at is None

    rejection = {"decision": "rejected", "amount": "", "reference": "Рішення № 14"}
    w_page = f"{evaluation(setup)}/applications/{ids['W']}"
    asked = await post_form(client, w_page, rejection)
    assert f"Reject application No. {ids['W']}?" in visible(asked.text)
    (w,) = await fetch_rows(db, Application, Application.id == ids["W"])
    assert w.decided_at is None
    rejected = await post_form(
        client, w_page, {**rejection, "confirm": "yes"}, follow_redirects=False
    )
    assert rejected.status_code == 303
    (w,) = await fetch_rows(db, Application, Application.id == ids["W"])
    assert w.status == "rejected" and w.awarded_kop is None


# --- tenancy and roles ---------------------------------------------------------------------


async def test_another_municipality_sees_nothing(client: Client, session: AsyncSession) -> None:
    setup = await scored_call(client, session)
    other = await other_municipality(client, session)
    base = evaluation(setup)
    application = f"{base}/applications/{setup['ids']['A']}"
    await login_page(client, f"officer{other['municipality'].id}@example.org")
    for path in (base, f"{base}/ranking", f"{base}/what-if", application):
        assert (await client.get(path)).status_code == 404, path
    own_page = f"/municipality/calls/{other['call_id']}"
    for path, data in (
        (f"{base}/assign", {}),
        (f"{base}/recommendation", {}),
        (application, {"decision": "rejected", "reference": "№ 1"}),
    ):
        refused = await post_form(client, path, data, page=own_page)
        assert refused.status_code == 404, path
    # The officer's own call does not open another call's application either.
    wrong_call = f"{evaluation(other)}/applications/{setup['ids']['A']}"
    assert (await client.get(wrong_call)).status_code == 404

    await login_page(client, f"staff{setup['municipality'].id}@example.org")
    assert (await client.get(base)).status_code == 403
