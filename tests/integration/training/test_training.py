"""Training over the API: staff run their own centre's cohorts; enrolment, the waitlist,
the women-led reserve, attendance and completion."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.training.certificate_models import CertificateBatch
from sme_hub.training.models import Cohort, Enrolment
from tests.factories import (
    TODAY,
    Client,
    make_centre,
    make_municipality,
    make_user,
    move_cohort_back,
    token_headers,
)
from tests.grants_setup import profile


async def staff_setup(client: Client, session: AsyncSession) -> dict[str, Any]:
    lviv = await make_municipality(session, katottg="UA46060250000025047")
    centre = await make_centre(session, lviv)
    other = await make_centre(session, lviv)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    await make_user(session, Role.CENTRE_STAFF, other.id, email="other@example.org")
    staff = await token_headers(client, "staff@example.org")
    programme = await client.post(
        "/api/v1/programmes",
        headers=staff,
        json={"title": "Основи бізнесу", "topics": ["finance"], "target_group": "women"},
    )
    assert programme.status_code == 201, programme.text
    return {
        "staff": staff,
        "other": await token_headers(client, "other@example.org"),
        "programme_id": programme.json()["id"],
    }


async def new_cohort(client: Client, setup: dict[str, Any], **fields: Any) -> int:
    body = {
        "starts_on": str(TODAY + timedelta(days=10)),
        "ends_on": str(TODAY + timedelta(days=20)),
        "enrolment_deadline": str(TODAY + timedelta(days=5)),
        "capacity": 2,
        "open": True,
        **fields,
    }
    response = await client.post(
        f"/api/v1/programmes/{setup['programme_id']}/cohorts", headers=setup["staff"], json=body
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def entrepreneur(
    client: Client, session: AsyncSession, email: str, women_led: bool = False
) -> dict[str, str]:
    await make_user(session, Role.ENTREPRENEUR, email=email)
    headers = await token_headers(client, email)
    if women_led:
        tax = {"women0@example.org": "32855909", "women1@example.org": "32855914"}[email]
        response = await client.put(
            "/api/v1/me/business", headers=headers, json=profile(tax_id=tax)
        )
        assert response.json()["women_led"] is True
    return headers


async def enrol(client: Client, cohort_id: int, headers: dict[str, str]) -> Any:
    return await client.post(f"/api/v1/cohorts/{cohort_id}/enrolments", headers=headers)


async def test_staff_manage_only_their_centre(client: Client, session: AsyncSession) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup, open=False)
    other = setup["other"]
    assert (
        await client.post(
            f"/api/v1/programmes/{setup['programme_id']}/cohorts", headers=other, json={}
        )
    ).status_code in (400, 404)
    assert (
        await client.post(f"/api/v1/cohorts/{cohort_id}/open", headers=other)
    ).status_code == 404
    person = await entrepreneur(client, session, "anna@example.org")
    assert (
        await client.post("/api/v1/programmes", headers=person, json={"title": "Курс"})
    ).status_code == 403
    assert (await client.post(f"/api/v1/cohorts/{cohort_id}/open", headers=setup["staff"])).json()[
        "status"
    ] == "open"
    assert (
        await client.post(f"/api/v1/cohorts/{cohort_id}/finish", headers=setup["staff"])
    ).status_code == 409
    listed = await client.get("/api/v1/cohorts?status=open")
    assert [c["id"] for c in listed.json()["items"]] == [cohort_id]


async def test_bad_cohort_dates_are_refused(client: Client, session: AsyncSession) -> None:
    setup = await staff_setup(client, session)
    response = await client.post(
        f"/api/v1/programmes/{setup['programme_id']}/cohorts",
        headers=setup["staff"],
        json={
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
            "enrolment_deadline": "2026-12-20",
            "capacity": 0,
            "reserved_women_seats": 5,
        },
    )
    keys = {item["key"] for item in response.json()["extra"]}
    assert response.status_code == 400
    assert {"ends_on", "enrolment_deadline", "capacity"} <= keys


async def test_a_cohort_link_is_an_http_address(client: Client, session: AsyncSession) -> None:
    """The link is shown to people as a link: `javascript:` would run in their page. Refused
    like every invalid field of the API's bodies (400 naming the field, api.md)."""
    setup = await staff_setup(client, session)
    for link in ("javascript:alert(document.cookie)", "data:text/html,hi", "meet.example.org"):
        refused = await client.post(
            f"/api/v1/programmes/{setup['programme_id']}/cohorts",
            headers=setup["staff"],
            json={
                "starts_on": str(TODAY + timedelta(days=10)),
                "ends_on": str(TODAY + timedelta(days=20)),
                "enrolment_deadline": str(TODAY + timedelta(days=5)),
                "capacity": 2,
                "link": link,
            },
        )
        assert refused.status_code == 400, link
        [problem] = refused.json()["extra"]
        assert problem["key"] == "link"
        assert "https:// or http://" in problem["message"]
    cohort_id = await new_cohort(client, setup, link="https://meet.example.org/biznes")
    stored = await session.scalar(select(Cohort.link).where(Cohort.id == cohort_id))
    assert stored == "https://meet.example.org/biznes"


async def test_seats_then_waitlist_then_promotion(client: Client, session: AsyncSession) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup, capacity=2)
    people = [await entrepreneur(client, session, f"p{i}@example.org") for i in range(5)]
    results = [(await enrol(client, cohort_id, h)).json() for h in people]
    assert [r["status"] for r in results] == ["enrolled"] * 2 + ["waitlisted"] * 3
    assert [r["waitlist_position"] for r in results[2:]] == [1, 2, 3]
    assert (await enrol(client, cohort_id, people[0])).status_code == 409

    # Someone else's enrolment is not theirs to cancel.
    assert (
        await client.delete(f"/api/v1/enrolments/{results[0]['id']}", headers=people[1])
    ).status_code == 404
    # The owner cancels: the first waitlisted person takes the seat, the rest move up.
    cancelled = await client.delete(f"/api/v1/enrolments/{results[0]['id']}", headers=people[0])
    assert cancelled.json()["status"] == "cancelled"
    rows = {e.id: e for e in (await session.scalars(select(Enrolment))).all()}
    assert rows[results[2]["id"]].status == "enrolled"
    assert [rows[r["id"]].waitlist_position for r in results[3:]] == [1, 2]
    emails = (await session.scalars(select(EmailOutbox.template))).all()
    assert "waitlist_promoted" in emails

    # A waitlisted person leaving closes the gap; staff may cancel too.
    await client.delete(f"/api/v1/enrolments/{results[3]['id']}", headers=setup["staff"])
    await session.refresh(rows[results[4]["id"]])
    assert rows[results[4]["id"]].waitlist_position == 1
    # Cancelled people may enrol again, at the end of the queue.
    again = await enrol(client, cohort_id, people[0])
    assert again.status_code == 201 and again.json()["waitlist_position"] == 2


async def test_reserved_seats_wait_for_women_led_businesses(
    client: Client, session: AsyncSession
) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup, capacity=2, reserved_women_seats=1)
    first = await enrol(client, cohort_id, await entrepreneur(client, session, "m1@example.org"))
    second = await enrol(client, cohort_id, await entrepreneur(client, session, "m2@example.org"))
    woman = await enrol(
        client, cohort_id, await entrepreneur(client, session, "women0@example.org", women_led=True)
    )
    assert first.json()["status"] == "enrolled"
    assert second.json()["status"] == "waitlisted"  # the last seat is held
    assert woman.json()["status"] == "enrolled"


async def test_closed_cohorts_refuse_enrolment(client: Client, session: AsyncSession) -> None:
    setup = await staff_setup(client, session)
    person = await entrepreneur(client, session, "late@example.org")
    planned = await new_cohort(client, setup, open=False)
    assert (await enrol(client, planned, person)).status_code == 409
    past = await new_cohort(
        client,
        setup,
        starts_on=str(TODAY - timedelta(days=1)),
        enrolment_deadline=str(TODAY - timedelta(days=3)),
    )
    response = await enrol(client, past, person)
    assert response.status_code == 409 and response.json()["detail"]
    cancelled = await new_cohort(client, setup)
    await client.post(f"/api/v1/cohorts/{cancelled}/cancel", headers=setup["staff"])
    assert (await enrol(client, cancelled, person)).status_code == 409
    assert (await enrol(client, 999999, person)).status_code == 404
    assert (await enrol(client, planned, setup["staff"])).status_code == 403


async def test_attendance_decides_completion(client: Client, session: AsyncSession) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup, capacity=3)
    staff = setup["staff"]
    sessions = []
    for day in (11, 12, 13, 14, 15):
        created = await client.post(
            f"/api/v1/cohorts/{cohort_id}/sessions",
            headers=staff,
            json={
                "starts_at": f"{TODAY + timedelta(days=day)}T10:00:00+02:00",
                "topic": f"Заняття {day}",
            },
        )
        assert created.status_code == 201, created.text
        sessions.append(created.json()["id"])
    a, b = [
        (
            await enrol(client, cohort_id, await entrepreneur(client, session, f"s{i}@example.org"))
        ).json()["id"]
        for i in range(2)
    ]
    early = await client.post(f"/api/v1/cohorts/{cohort_id}/start", headers=staff)
    assert early.status_code == 409  # its first session is 11 days ahead
    await move_cohort_back(session, cohort_id, days=11)  # the first session's day
    started = await client.post(f"/api/v1/cohorts/{cohort_id}/start", headers=staff)
    assert started.status_code == 200, started.text
    for index, session_id in enumerate(sessions):
        present = [a, b] if index < 3 else [a]  # a: 5 of 5, b: 3 of 5 (60 % < 80 %)
        response = await client.put(
            f"/api/v1/sessions/{session_id}/attendance", headers=staff, json={"present": present}
        )
        assert response.status_code == 200 and response.json()["present"] == sorted(present)
    wrong = await client.put(
        f"/api/v1/sessions/{sessions[0]}/attendance", headers=staff, json={"present": [a, 999]}
    )
    assert wrong.status_code == 422
    other = await client.put(
        f"/api/v1/sessions/{sessions[0]}/attendance", headers=setup["other"], json={"present": []}
    )
    assert other.status_code == 404
    early = await client.post(f"/api/v1/cohorts/{cohort_id}/finish", headers=staff)
    assert early.status_code == 409  # its last session is 4 days ahead
    await move_cohort_back(session, cohort_id, days=4)
    finished = await client.post(f"/api/v1/cohorts/{cohort_id}/finish", headers=staff)
    assert finished.json()["status"] == "finished"
    statuses = {e.id: e.status for e in (await session.scalars(select(Enrolment))).all()}
    assert statuses == {a: "completed", b: "not_completed"}
    batch = await session.scalar(select(CertificateBatch))  # certificates follow by themselves
    assert batch is not None and batch.total == 1 and batch.status == "queued"
    late = await client.put(
        f"/api/v1/sessions/{sessions[0]}/attendance", headers=staff, json={"present": []}
    )
    assert late.status_code == 409


async def test_a_cohort_starts_and_finishes_only_on_its_days(
    client: Client, session: AsyncSession
) -> None:
    """Dated 14–18 of a month, it can be neither started nor finished on the 7th (the issue:
    certificates were issued a week early); the refusal names the day."""
    setup = await staff_setup(client, session)
    staff = setup["staff"]
    cohort_id = await new_cohort(
        client,
        setup,
        starts_on=str(TODAY + timedelta(days=7)),
        ends_on=str(TODAY + timedelta(days=11)),
    )
    first = TODAY + timedelta(days=7)
    refused = await client.post(f"/api/v1/cohorts/{cohort_id}/start", headers=staff)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert f"перший день, {first.day} " in detail and f"{first.year}" in detail
    await move_cohort_back(session, cohort_id, days=7)  # today is its first day
    assert (await client.post(f"/api/v1/cohorts/{cohort_id}/start", headers=staff)).json()[
        "status"
    ] == "running"
    refused = await client.post(f"/api/v1/cohorts/{cohort_id}/finish", headers=staff)
    assert refused.status_code == 409 and "не раніше" in refused.json()["detail"]
    session_day = TODAY + timedelta(days=2)  # a session before its last day moves nothing
    added = await client.post(
        f"/api/v1/cohorts/{cohort_id}/sessions",
        headers=staff,
        json={"starts_at": f"{session_day}T10:00:00+02:00", "topic": "Підсумки"},
    )
    assert added.status_code == 201
    assert (
        await client.post(f"/api/v1/cohorts/{cohort_id}/finish", headers=staff)
    ).status_code == 409
    await move_cohort_back(session, cohort_id, days=2)  # the last session's day, before ends_on
    finished = await client.post(f"/api/v1/cohorts/{cohort_id}/finish", headers=staff)
    assert finished.status_code == 200 and finished.json()["status"] == "finished"
