"""Evaluation over the API: a committee, balanced assignments with conflicts replaced,
scores in halves that become final, and the ranking computed by the exact rules."""

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import Role
from tests.factories import Client, error_keys, make_user
from tests.grants_setup import (
    assign_whole_committee,
    evaluated_call,
    other_municipality,
)


async def test_committee_assignment_conflicts_scores_and_ranking(
    client: Client, session: AsyncSession
) -> None:
    setup = await evaluated_call(client, session)
    call_id, officer = setup["call_id"], setup["officer"]
    assigned = await assign_whole_committee(client, setup)
    pairs = {(a["application_id"], a["evaluator_id"]) for a in assigned}
    eligible = setup["applications"][:2]
    assert len(pairs) == 4 and {a for a, _e in pairs} == set(eligible)
    again = await client.post(f"/api/v1/calls/{call_id}/assignments", headers=officer)
    assert len(again.json()) == 4  # idempotent
    call = await client.get(f"/api/v1/calls/{call_id}")
    assert call.json()["status"] == "in_evaluation"

    # The first evaluator: nothing is visible before the declaration; scoring is refused.
    first = setup["evaluators"][0]
    mine = (await client.get("/api/v1/me/assignments", headers=first["headers"])).json()
    assert mine and all(a["project_title"] is None for a in mine)
    assignment = mine[0]["id"]
    early = await client.put(
        f"/api/v1/assignments/{assignment}/scores",
        headers=first["headers"],
        json={"scores": {"impact": 8}},
    )
    assert early.status_code == 403
    declared = await client.post(
        f"/api/v1/assignments/{assignment}/conflict",
        headers=first["headers"],
        json={"has_conflict": False},
    )
    assert declared.status_code == 200
    seen = (await client.get("/api/v1/me/assignments", headers=first["headers"])).json()[0]
    assert seen["project_title"] and seen["applicant_name"] is None  # blind review
    bad = await client.put(
        f"/api/v1/assignments/{assignment}/scores",
        headers=first["headers"],
        json={"scores": {"impact": 10.5, "nope": 1, "feasibility": 2.25}},
    )
    assert bad.status_code == 422
    assert error_keys(bad) == {"scores.impact", "scores.nope", "scores.feasibility"}
    partial = await client.put(
        f"/api/v1/assignments/{assignment}/scores",
        headers=first["headers"],
        json={"scores": {"impact": 8}, "comments": {"impact": "Сильний вплив"}},
    )
    assert partial.status_code == 200
    incomplete = await client.post(
        f"/api/v1/assignments/{assignment}/submit", headers=first["headers"]
    )
    assert incomplete.status_code == 422 and error_keys(incomplete) == {"scores.feasibility"}

    # A conflict takes an evaluator off and brings the free one in.
    second = setup["evaluators"][1]
    theirs = (await client.get("/api/v1/me/assignments", headers=second["headers"])).json()
    conflict = await client.post(
        f"/api/v1/assignments/{theirs[0]['id']}/conflict",
        headers=second["headers"],
        json={"has_conflict": True, "note": "Родичка заявниці"},
    )
    assert conflict.status_code == 200
    replaced = (await client.post(f"/api/v1/calls/{call_id}/assignments", headers=officer)).json()
    active = [a for a in replaced if a["status"] != "conflict"]
    assert len(active) == 4 and len(replaced) == 5

    # Everyone scores what they have; the ranking follows the rules.
    for evaluator in setup["evaluators"]:
        for a in (await client.get("/api/v1/me/assignments", headers=evaluator["headers"])).json():
            if a["status"] == "conflict":
                continue
            path = f"/api/v1/assignments/{a['id']}"
            await client.post(
                f"{path}/conflict", headers=evaluator["headers"], json={"has_conflict": False}
            )
            top = a["application_id"] == eligible[0]
            saved = await client.put(
                f"{path}/scores",
                headers=evaluator["headers"],
                json={"scores": {"impact": 9 if top else 6.5, "feasibility": 5 if top else 3}},
            )
            assert saved.status_code == 200, saved.text
            done = await client.post(f"{path}/submit", headers=evaluator["headers"])
            assert done.status_code == 200, done.text
    ranking = await client.get(f"/api/v1/calls/{call_id}/ranking", headers=officer)
    assert ranking.status_code == 200, ranking.text
    body = ranking.json()
    items = {item["application_id"]: item for item in body["items"]}
    # impact weight 2 of 10, feasibility weight 1 of 5: 100 × (2 × 0.9 + 1) / 3 = 93.33
    assert items[eligible[0]]["base"] == "93.33" and items[eligible[0]]["rank"] == 1
    # 100 × (2 × 0.65 + 0.6) / 3 = 63.33
    assert items[eligible[1]]["base"] == "63.33"
    assert items[eligible[0]]["outcome"] == "recommended"
    assert any(
        "Base score" in line or "Базова" in line for line in items[eligible[0]]["explanation"]
    )
    assert setup["applications"][2] not in items  # not eligible: not ranked
    assert body["budget_kop"] == 100_000_000


async def test_other_municipalities_and_bad_committees(
    client: Client, session: AsyncSession
) -> None:
    setup = await evaluated_call(client, session)
    other = await other_municipality(client, session)
    call_id = setup["call_id"]
    for path, method in (
        (f"/api/v1/calls/{call_id}/ranking", "get"),
        (f"/api/v1/calls/{call_id}/assignments", "post"),
    ):
        response = await getattr(client, method)(path, headers=other["officer"])
        assert response.status_code == 404, path
    outsider = await make_user(
        session, Role.EVALUATOR, other["municipality"].id, email="far@example.org"
    )
    refused = await client.put(
        f"/api/v1/calls/{call_id}/committee",
        headers=setup["officer"],
        json={"evaluator_ids": [outsider.id]},
    )
    assert refused.status_code == 422 and error_keys(refused) == {"evaluator_ids"}
    small = await client.put(
        f"/api/v1/calls/{call_id}/committee",
        headers=setup["officer"],
        json={"evaluator_ids": [setup["evaluators"][0]["id"]]},
    )
    assert small.status_code == 200
    too_few = await client.post(f"/api/v1/calls/{call_id}/assignments", headers=setup["officer"])
    assert too_few.status_code == 409


async def test_an_assigned_evaluator_reads_the_application_blind_after_declaring(
    client: Client, session: AsyncSession
) -> None:
    setup = await evaluated_call(client, session)  # a blind-review call
    await assign_whole_committee(client, setup)
    first = setup["evaluators"][0]["headers"]
    assignment = (await client.get("/api/v1/me/assignments", headers=first)).json()[0]
    path = f"/api/v1/applications/{assignment['application_id']}"
    assert (await client.get(path, headers=first)).status_code == 404  # not declared yet
    await client.post(
        f"/api/v1/assignments/{assignment['id']}/conflict",
        headers=first,
        json={"has_conflict": False},
    )
    shown = await client.get(path, headers=first)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["project_title"] and body["budget_lines"]
    assert (body["snapshot"], body["iban"], body["contact_phone"], body["applicant_id"]) == (
        None,
        "",
        "",
        0,
    )
    copy = await client.get(f"{path}/pdf", headers=first)
    assert copy.status_code == 403  # the copy names the applicant
    unassigned = [a for a in setup["applications"] if a != assignment["application_id"]][-1]
    other = await client.get(f"/api/v1/applications/{unassigned}", headers=first)
    assert other.status_code == 404


async def test_a_comment_over_2000_characters_is_refused(
    client: Client, session: AsyncSession
) -> None:
    setup = await evaluated_call(client, session)
    await assign_whole_committee(client, setup)
    first = setup["evaluators"][0]["headers"]
    assignment = (await client.get("/api/v1/me/assignments", headers=first)).json()[0]
    await client.post(
        f"/api/v1/assignments/{assignment['id']}/conflict",
        headers=first,
        json={"has_conflict": False},
    )
    long = await client.put(
        f"/api/v1/assignments/{assignment['id']}/scores",
        headers=first,
        json={"scores": {"impact": 8}, "comments": {"impact": "x" * 2001}},
    )
    assert long.status_code == 400
    mine = (await client.get("/api/v1/me/assignments", headers=first)).json()[0]
    assert mine["scores"] == {}
