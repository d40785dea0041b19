"""Grant calls over the API (product.md §7): created by officers with the product's defaults,
validated field by field, published, amended with a logged reason, closed by the officer or
by the clock; other municipalities' officers and the public see only what they may."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.grants import calls
from sme_hub.grants.models import CallAmendment, GrantCall
from tests.factories import (
    Client,
    count_rows,
    error_keys,
    fetch_rows,
    make_centre,
    make_municipality,
    make_user,
    token_headers,
)
from tests.grants_setup import (
    LVIV,
    call_body,
    officer_and_call,
    other_municipality,
    programme_row,
    set_call_times,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


def assert_invalid(response: Any, key: str) -> None:
    """Invalid input: 400 (the body's schema) or 422 (a service rule), naming the field."""
    assert response.status_code in (400, 422), response.text
    assert key in error_keys(response), response.text


async def officer(client: Client, session: AsyncSession) -> dict[str, Any]:
    lviv = await make_municipality(session, katottg=LVIV)
    await make_user(session, Role.MUNICIPAL_OFFICER, lviv.id, email="officer@example.org")
    return {"municipality": lviv, "headers": await token_headers(client, "officer@example.org")}


async def audit_actions(db: Database, call_id: int) -> list[str]:
    rows = await fetch_rows(
        db,
        AuditEntry,
        col(AuditEntry.object_type) == "grant_call",
        col(AuditEntry.object_id) == str(call_id),
    )
    return [row.action for row in rows]


async def test_officer_creates_a_draft_call_with_the_products_defaults(
    client: Client, session: AsyncSession, db: Database
) -> None:
    me = await officer(client, session)
    body = call_body()
    del body["threshold"]
    response = await client.post("/api/v1/calls", headers=me["headers"], json=body)
    assert response.status_code == 201, response.text
    call = response.json()
    assert call["status"] == "draft"
    assert call["municipality_id"] == me["municipality"].id
    assert call["evaluators_per_application"] == 2
    priorities = call["priorities"]
    assert Decimal(str(priorities["women_led_bonus"])) == 10
    assert Decimal(str(priorities["green_bonus"])) == 10
    assert Decimal(str(priorities["women_led_budget_share"])) == 0
    assert Decimal(str(priorities["women_led_thresholds"]["ownership_pct"])) == 51
    assert Decimal(str(priorities["women_led_thresholds"]["with_head_pct"])) == 25
    assert priorities["group_bonuses"] == {}
    assert call["blind_review"] is False
    assert call["published_at"] is None
    assert [c["key"] for c in call["criteria"]] == ["impact", "feasibility"]
    assert await audit_actions(db, call["id"]) == ["created"]


NOW = datetime.now(UTC)
INVALID_CALLS: dict[str, tuple[dict[str, Any], str]] = {
    "min above max": ({"min_grant_kop": 30_000_000}, "max_grant_kop"),
    "max above budget": ({"max_grant_kop": 200_000_000}, "max_grant_kop"),
    "closes before opens": (
        {"closes_at": (NOW - timedelta(days=2)).isoformat()},
        "closes_at",
    ),
    "closes when opens": ({"closes_at": "OPENS"}, "closes_at"),
    "naive time": ({"opens_at": "2027-01-01T10:00:00"}, "opens_at"),
    "duplicate criteria": (
        {
            "criteria": [
                {"key": "impact", "name": "Вплив", "weight": 1, "max_score": 5},
                {"key": "impact", "name": "Вплив 2", "weight": 1, "max_score": 5},
            ]
        },
        "criteria",
    ),
    "duplicate questions": (
        {
            "questions": [
                {"key": "q", "label_uk": "Питання"},
                {"key": "q", "label_uk": "Питання 2"},
            ]
        },
        "questions",
    ),
    "no criteria": ({"criteria": []}, "criteria"),
    "unknown legal form": ({"eligibility": {"legal_forms": ["plc"]}}, "eligibility.legal_forms.0"),
    "zero weight": (
        {"criteria": [{"key": "a", "name": "Вплив", "weight": 0, "max_score": 5}]},
        "criteria.0.weight",
    ),
    "negative weight": (
        {"criteria": [{"key": "a", "name": "Вплив", "weight": -1, "max_score": 5}]},
        "criteria.0.weight",
    ),
    "share over 1": ({"priorities": {"women_led_budget_share": 1.5}}, "priorities"),
    "age range": (
        {"eligibility": {"min_business_age_months": 24, "max_business_age_months": 12}},
        "eligibility",
    ),
    "bad kved": ({"eligibility": {"excluded_kved": ["XYZ"]}}, "eligibility.excluded_kved"),
    "zero budget": ({"budget_kop": 0}, "budget_kop"),
    "evaluators": ({"evaluators_per_application": 0}, "evaluators_per_application"),
    "contribution over 100": ({"own_contribution_pct": 101}, "own_contribution_pct"),
    "unknown field": ({"surprise": 1}, "surprise"),
}


async def test_invalid_calls_are_refused_naming_the_field(
    client: Client, session: AsyncSession, db: Database
) -> None:
    me = await officer(client, session)
    for case, (overrides, key) in INVALID_CALLS.items():
        body = call_body(**overrides)
        if body["closes_at"] == "OPENS":
            body["closes_at"] = body["opens_at"]
        response = await client.post("/api/v1/calls", headers=me["headers"], json=body)
        assert response.status_code in (400, 422), (case, response.text)
        keys = error_keys(response)
        assert key in keys or any(k.startswith(f"{key}.") for k in keys), (case, response.text)
    assert await count_rows(db, GrantCall) == 0


async def test_only_officers_create_calls(client: Client, session: AsyncSession) -> None:
    lviv = await make_municipality(session, katottg=LVIV)
    centre = await make_centre(session, lviv)
    await make_user(session, Role.ENTREPRENEUR, email="e@example.org")
    await make_user(session, Role.CENTRE_STAFF, centre.id, email="s@example.org")
    await make_user(session, Role.EVALUATOR, lviv.id, email="ev@example.org")
    assert (await client.post("/api/v1/calls", json=call_body())).status_code == 401
    for email in ("e@example.org", "s@example.org", "ev@example.org"):
        headers = await token_headers(client, email)
        response = await client.post("/api/v1/calls", headers=headers, json=call_body())
        assert response.status_code == 403, (email, response.text)


async def test_another_municipalitys_officer_gets_404_everywhere(
    client: Client, session: AsyncSession, db: Database
) -> None:
    lviv = await officer_and_call(client, session)
    kyiv = await other_municipality(client, session)
    draft = await client.post("/api/v1/calls", headers=lviv["officer"], json=call_body())
    draft_id = draft.json()["id"]
    intruder = kyiv["officer"]
    assert (await client.get(f"/api/v1/calls/{draft_id}", headers=intruder)).status_code == 404
    patched = await client.patch(
        f"/api/v1/calls/{draft_id}", headers=intruder, json={"title_uk": "Чужий конкурс"}
    )
    assert patched.status_code == 404
    for action in ("publish", "close"):
        response = await client.post(f"/api/v1/calls/{draft_id}/{action}", headers=intruder)
        assert response.status_code == 404, (action, response.text)
    # The published call is public, but still not theirs to change.
    published = lviv["call_id"]
    assert (await client.get(f"/api/v1/calls/{published}", headers=intruder)).status_code == 200
    amended = await client.patch(
        f"/api/v1/calls/{published}",
        headers=intruder,
        json={"title_uk": "Чужий конкурс", "amendment_reason": "Просто так"},
    )
    assert amended.status_code == 404
    closed = await client.post(f"/api/v1/calls/{published}/close", headers=intruder)
    assert closed.status_code == 404
    # Nothing changed.
    (row,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == published)
    assert row.status == "published" and row.title_uk == call_body()["title_uk"]
    # Their own list does not show Lviv's draft.
    listed = await client.get("/api/v1/calls", headers=intruder)
    assert draft_id not in [c["id"] for c in listed.json()["items"]]


async def test_the_public_sees_published_calls_not_drafts(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(client, session)
    draft = await client.post("/api/v1/calls", headers=setup["officer"], json=call_body())
    draft_id = draft.json()["id"]
    assert (await client.get(f"/api/v1/calls/{draft_id}")).status_code == 404
    assert (await client.get(f"/api/v1/calls/{setup['call_id']}")).status_code == 200
    public = await client.get("/api/v1/calls")
    assert public.status_code == 200
    assert [c["id"] for c in public.json()["items"]] == [setup["call_id"]]
    assert public.json()["total"] == 1
    assert (await client.get(f"/api/v1/calls/{draft_id}/amendments")).status_code == 404
    mine = await client.get("/api/v1/calls", headers=setup["officer"])
    assert {c["id"] for c in mine.json()["items"]} == {setup["call_id"], draft_id}
    only_drafts = await client.get("/api/v1/calls?status=draft")
    assert only_drafts.json()["items"] == []


async def test_publish_and_close_follow_the_workflow(
    client: Client, session: AsyncSession, db: Database
) -> None:
    me = await officer(client, session)
    headers = me["headers"]
    call_id = (await client.post("/api/v1/calls", headers=headers, json=call_body())).json()["id"]
    base = f"/api/v1/calls/{call_id}"
    assert (await client.post(f"{base}/close", headers=headers)).status_code == 409
    published = await client.post(f"{base}/publish", headers=headers)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    assert (await client.post(f"{base}/publish", headers=headers)).status_code == 409
    closed = await client.post(f"{base}/close", headers=headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    for action in ("publish", "close"):
        assert (await client.post(f"{base}/{action}", headers=headers)).status_code == 409
    assert (await client.post(f"{base}/teleport", headers=headers)).status_code in (404, 409)
    # A closed call can no longer be edited.
    edit = await client.patch(
        base, headers=headers, json={"title_uk": "Новий", "amendment_reason": "Виправлення"}
    )
    assert edit.status_code == 409
    assert await audit_actions(db, call_id) == ["created", "publish", "close"]


async def test_a_call_whose_closing_time_passed_cannot_be_published(
    client: Client, session: AsyncSession
) -> None:
    me = await officer(client, session)
    call_id = (await client.post("/api/v1/calls", headers=me["headers"], json=call_body())).json()[
        "id"
    ]
    await set_call_times(
        session,
        call_id,
        opens_at=NOW - timedelta(days=3),
        closes_at=NOW - timedelta(days=1),
    )
    response = await client.post(f"/api/v1/calls/{call_id}/publish", headers=me["headers"])
    assert response.status_code == 409


async def test_a_draft_is_edited_freely(
    client: Client, session: AsyncSession, db: Database
) -> None:
    me = await officer(client, session)
    call_id = (await client.post("/api/v1/calls", headers=me["headers"], json=call_body())).json()[
        "id"
    ]
    response = await client.patch(
        f"/api/v1/calls/{call_id}",
        headers=me["headers"],
        json={"title_uk": "Нова назва", "max_grant_kop": 30_000_000},
    )
    assert response.status_code == 200, response.text
    assert response.json()["title_uk"] == "Нова назва"
    assert response.json()["max_grant_kop"] == 30_000_000
    assert await count_rows(db, CallAmendment) == 0
    # A partial change is checked against the stored values.
    bad = await client.patch(
        f"/api/v1/calls/{call_id}", headers=me["headers"], json={"min_grant_kop": 40_000_000}
    )
    assert_invalid(bad, "max_grant_kop")
    naive = await client.patch(
        f"/api/v1/calls/{call_id}", headers=me["headers"], json={"closes_at": "2027-01-01T10:00"}
    )
    assert_invalid(naive, "closes_at")
    (row,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == call_id)
    assert row.min_grant_kop == 1_000_000 and row.max_grant_kop == 30_000_000
    assert await audit_actions(db, call_id) == ["created", "updated"]


async def test_a_published_call_changes_only_by_a_logged_amendment(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id, headers = setup["call_id"], setup["officer"]
    url = f"/api/v1/calls/{call_id}"
    refused = await client.patch(url, headers=headers, json={"max_grant_kop": 25_000_000})
    assert refused.status_code == 422, refused.text
    assert "amendment_reason" in error_keys(refused)
    (row,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == call_id)
    assert row.max_grant_kop == 20_000_000
    assert await count_rows(db, CallAmendment) == 0

    reason = "Збільшено максимальний грант за рішенням сесії."
    amended = await client.patch(
        url, headers=headers, json={"max_grant_kop": 25_000_000, "amendment_reason": reason}
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["max_grant_kop"] == 25_000_000
    assert amended.json()["status"] == "published"
    listed = await client.get(f"{url}/amendments")
    assert listed.status_code == 200
    (amendment,) = listed.json()
    assert amendment["reason"] == reason
    assert amendment["changes"] == {"max_grant_kop": {"before": 20_000_000, "after": 25_000_000}}
    entries = await fetch_rows(
        db,
        AuditEntry,
        col(AuditEntry.object_type) == "grant_call",
        col(AuditEntry.action) == "amended",
    )
    assert len(entries) == 1
    assert entries[0].after == {"max_grant_kop": 25_000_000, "reason": reason}
    assert entries[0].before == {"max_grant_kop": 20_000_000}
    assert entries[0].municipality_id == setup["municipality"].id

    # The closing time of a published call can move, but not into the past.
    past = await client.patch(
        url,
        headers=headers,
        json={
            "closes_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "amendment_reason": "Закриваємо раніше",
        },
    )
    assert_invalid(past, "closes_at")
    too_short = await client.patch(
        url, headers=headers, json={"title_uk": "Нова назва", "amendment_reason": "ok"}
    )
    assert_invalid(too_short, "amendment_reason")
    assert await count_rows(db, CallAmendment) == 1


async def test_status_published_lists_only_calls_open_now(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    headers = setup["officer"]
    late = (await client.post("/api/v1/calls", headers=headers, json=call_body())).json()["id"]
    assert (await client.post(f"/api/v1/calls/{late}/publish", headers=headers)).status_code == 200
    shut = (await client.post("/api/v1/calls", headers=headers, json=call_body())).json()["id"]
    await client.post(f"/api/v1/calls/{shut}/publish", headers=headers)
    await client.post(f"/api/v1/calls/{shut}/close", headers=headers)
    await client.post("/api/v1/calls", headers=headers, json=call_body())  # a draft
    # `late` passes its closing time without anyone closing it.
    await set_call_times(
        session, late, opens_at=NOW - timedelta(days=5), closes_at=NOW - timedelta(minutes=1)
    )

    open_now = await client.get("/api/v1/calls?status=published")
    assert [c["id"] for c in open_now.json()["items"]] == [setup["call_id"]]
    assert open_now.json()["total"] == 1
    closed = await client.get("/api/v1/calls?status=closed")
    assert {c["id"] for c in closed.json()["items"]} == {late, shut}
    shown = (await client.get(f"/api/v1/calls/{late}")).json()
    assert shown["status"] == "closed"
    assert shown["closed_at"] is None  # not stored yet

    async with db.sessionmaker() as fresh, fresh.begin():
        closed_ids = await calls.close_due_calls(fresh)
    assert closed_ids == [late]
    (row,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == late)
    assert row.status == "closed"
    assert row.closed_at == row.closes_at
    assert (await audit_actions(db, late))[-1] == "close"
    (entry,) = await fetch_rows(
        db,
        AuditEntry,
        col(AuditEntry.object_id) == str(late),
        col(AuditEntry.action) == "close",
    )
    assert entry.actor_id is None and entry.municipality_id == setup["municipality"].id
    # Running it again changes nothing.
    async with db.sessionmaker() as fresh, fresh.begin():
        assert await calls.close_due_calls(fresh) == []
    (still_open,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == setup["call_id"])
    assert still_open.status == "published"


async def test_required_programme_must_belong_to_the_municipality(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    kyiv = await other_municipality(client, session)
    ours = await programme_row(session, setup["centre"])
    theirs = await programme_row(session, kyiv["centre"])
    headers = setup["officer"]

    refused = await client.post(
        "/api/v1/calls",
        headers=headers,
        json=call_body(eligibility={"required_programme_id": theirs}),
    )
    assert_invalid(refused, "eligibility.required_programme_id")
    missing = await client.post(
        "/api/v1/calls",
        headers=headers,
        json=call_body(eligibility={"required_programme_id": 999_999}),
    )
    assert_invalid(missing, "eligibility.required_programme_id")
    created = await client.post(
        "/api/v1/calls",
        headers=headers,
        json=call_body(eligibility={"required_programme_id": ours}),
    )
    assert created.status_code == 201, created.text
    patched = await client.patch(
        f"/api/v1/calls/{created.json()['id']}",
        headers=headers,
        json={"eligibility": {"required_programme_id": theirs}},
    )
    assert_invalid(patched, "eligibility.required_programme_id")
    (row,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == created.json()["id"])
    assert row.eligibility["required_programme_id"] == ours
