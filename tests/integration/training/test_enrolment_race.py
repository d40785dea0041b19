"""Seats are never overbooked: many simultaneous enrolments and cancellations through the
real HTTP stack (`sme-hub serve` with several worker processes) against the test database.

The cohort's row lock (training/service.py `locked_cohort`) is what serialises them; these
tests would catch a lost update, a doubled waitlist position or a gap in the queue."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.mail import EmailOutbox
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.training.models import Cohort, Enrolment
from tests.factories import (
    PASSWORD,
    bulk_entrepreneurs,
    count_rows,
    fetch_rows,
    make_centre,
    make_municipality,
    make_user,
)
from tests.servers import running_server

WORKERS = 3
SEATS = 15
PEOPLE = 110


@pytest.fixture(scope="module")
def multi_worker_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL of `sme-hub serve --workers 3` on the test database."""
    with running_server(
        database_url, tmp_path_factory.mktemp("race-server"), workers=WORKERS
    ) as url:
        yield url


@pytest.fixture
async def http(multi_worker_server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=PEOPLE, max_keepalive_connections=PEOPLE)
    async with httpx.AsyncClient(base_url=multi_worker_server, limits=limits, timeout=60) as client:
        yield client


async def open_cohort(http: httpx.AsyncClient, session: AsyncSession, capacity: int = SEATS) -> int:
    """A programme and an open cohort, created over HTTP by a member of the centre's staff."""
    municipality = await make_municipality(session)
    centre = await make_centre(session, municipality)
    staff = await make_user(session, Role.CENTRE_STAFF, centre.id)
    login = await http.post("/api/v1/auth/token", json={"email": staff.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    programme = await http.post(
        "/api/v1/programmes", headers=headers, json={"title": "Фінансова грамотність"}
    )
    assert programme.status_code == 201, programme.text
    today = datetime.now(UTC).date()
    cohort = await http.post(
        f"/api/v1/programmes/{programme.json()['id']}/cohorts",
        headers=headers,
        json={
            "starts_on": str(today + timedelta(days=30)),
            "ends_on": str(today + timedelta(days=40)),
            "enrolment_deadline": str(today + timedelta(days=20)),
            "capacity": capacity,
            "open": True,
        },
    )
    assert cohort.status_code == 201, cohort.text
    assert cohort.json()["status"] == "open"
    cohort_id: int = cohort.json()["id"]
    return cohort_id


async def test_simultaneous_enrolments_and_cancellations_never_overbook(
    http: httpx.AsyncClient, session: AsyncSession, db: Database
) -> None:
    people = await bulk_entrepreneurs(session, PEOPLE)
    cohort_id = await open_cohort(http, session)
    url = f"/api/v1/cohorts/{cohort_id}/enrolments"

    responses = await asyncio.gather(*(http.post(url, headers=p["headers"]) for p in people))

    assert [r.status_code for r in responses] == [201] * PEOPLE, {
        r.status_code: r.text for r in responses if r.status_code != 201
    }
    results = [r.json() for r in responses]
    enrolled = [r for r in results if r["status"] == "enrolled"]
    waitlisted = [r for r in results if r["status"] == "waitlisted"]
    assert len(enrolled) == SEATS
    assert len(waitlisted) == PEOPLE - SEATS
    assert all(r["waitlist_position"] is None for r in enrolled)
    assert sorted(r["waitlist_position"] for r in waitlisted) == list(range(1, PEOPLE - SEATS + 1))
    # The database agrees with what the clients were told.
    rows = {e.id: e for e in await fetch_rows(db, Enrolment, col(Enrolment.cohort_id) == cohort_id)}
    assert len(rows) == PEOPLE
    for r in results:
        assert (rows[r["id"]].status, rows[r["id"]].waitlist_position) == (
            r["status"],
            r["waitlist_position"],
        )
    (cohort,) = await fetch_rows(db, Cohort, col(Cohort.id) == cohort_id)
    assert cohort.enrolled_count == SEATS

    # Once in, twice refused.
    owner = {p["id"]: p for p in people}
    again = await http.post(url, headers=owner[enrolled[0]["user_id"]]["headers"])
    assert again.status_code == 409, again.text

    # Five seated people leave at once: the first five in the queue take their seats.
    leaving = enrolled[:5]
    position_before = {r["id"]: r["waitlist_position"] for r in waitlisted}
    cancels = await asyncio.gather(
        *(
            http.delete(f"/api/v1/enrolments/{r['id']}", headers=owner[r["user_id"]]["headers"])
            for r in leaving
        )
    )
    assert [c.status_code for c in cancels] == [200] * 5, [c.text for c in cancels]
    assert {c.json()["status"] for c in cancels} == {"cancelled"}

    after = await fetch_rows(db, Enrolment, col(Enrolment.cohort_id) == cohort_id)
    now_enrolled = {e.id for e in after if e.status == "enrolled"}
    still_waiting = [e for e in after if e.status == "waitlisted"]
    assert len(now_enrolled) == SEATS
    assert {e.id for e in after if e.status == "cancelled"} == {r["id"] for r in leaving}
    promoted = now_enrolled - {r["id"] for r in enrolled}
    assert sorted(position_before[i] for i in promoted) == [1, 2, 3, 4, 5]
    assert sorted(e.waitlist_position or 0 for e in still_waiting) == list(
        range(1, PEOPLE - SEATS - 5 + 1)
    )
    # Everyone else moved up exactly five places, keeping their order.
    assert all(e.waitlist_position == position_before[e.id] - 5 for e in still_waiting)
    (cohort,) = await fetch_rows(db, Cohort, col(Cohort.id) == cohort_id)
    assert cohort.enrolled_count == SEATS

    # Each promoted person is told by email (queued in the same transaction).
    promoted_emails = sorted(owner[rows[i].user_id]["email"] for i in promoted)
    outbox = await fetch_rows(db, EmailOutbox, col(EmailOutbox.template) == "waitlist_promoted")
    assert sorted(e.to_address for e in outbox) == promoted_emails


async def test_one_person_enrolling_twenty_times_at_once_gets_one_place(
    http: httpx.AsyncClient, session: AsyncSession, db: Database
) -> None:
    (person,) = await bulk_entrepreneurs(session, 1)
    cohort_id = await open_cohort(http, session)
    url = f"/api/v1/cohorts/{cohort_id}/enrolments"

    responses = await asyncio.gather(
        *(http.post(url, headers=person["headers"]) for _ in range(20))
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 19, [r.text for r in responses if r.status_code != 409]
    assert await count_rows(db, Enrolment, col(Enrolment.user_id) == person["id"]) == 1
    (cohort,) = await fetch_rows(db, Cohort, col(Cohort.id) == cohort_id)
    assert cohort.enrolled_count == 1
