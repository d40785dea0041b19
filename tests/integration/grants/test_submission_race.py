"""No submission lands after the close: many applicants submit at once through a real server
with several worker processes while the officer closes the call. The call's row lock
(submission.py `locked_call_for_submission`) and the database's clock decide."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.mail import EmailOutbox
from sme_hub.db import Database
from sme_hub.grants.models import Application, GrantCall
from tests.factories import Client, bulk_entrepreneurs, count_rows, fetch_rows
from tests.grants_setup import TAX_IDS, application_body, officer_and_call, profile
from tests.servers import running_server

WORKERS = 2
PEOPLE = 20
SPREAD = 1.0  # seconds over which the racing submissions set off


pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(
        database_url, tmp_path_factory.mktemp("submission-race"), workers=WORKERS
    ) as url:
        yield url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=PEOPLE + 5, max_keepalive_connections=PEOPLE + 5)
    async with httpx.AsyncClient(base_url=server, limits=limits, timeout=60) as client:
        yield client


async def applicants_with_drafts(
    http: httpx.AsyncClient, session: AsyncSession, call_id: int, n: int
) -> list[dict[str, Any]]:
    """`n` entrepreneurs with a Lviv business and a complete draft in the call (prepared
    side by side through the server)."""
    people = await bulk_entrepreneurs(session, n)

    async def prepare(person: dict[str, Any], tax_id: str) -> None:
        headers = person["headers"]
        saved = await http.put("/api/v1/me/business", headers=headers, json=profile(tax_id=tax_id))
        assert saved.status_code == 200, saved.text
        created = await http.post(f"/api/v1/calls/{call_id}/applications", headers=headers)
        assert created.status_code == 201, created.text
        person["application_id"] = created.json()["id"]
        patched = await http.patch(
            f"/api/v1/applications/{person['application_id']}",
            headers=headers,
            json=application_body(),
        )
        assert patched.status_code == 200, patched.text

    await asyncio.gather(*(prepare(p, t) for p, t in zip(people, TAX_IDS, strict=True)))
    return people


async def test_no_submission_lands_after_the_close(
    http: httpx.AsyncClient, client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    people = await applicants_with_drafts(http, session, call_id, PEOPLE)

    async def submit(person: dict[str, Any], delay: float) -> httpx.Response:
        await asyncio.sleep(delay)
        return await http.post(
            f"/api/v1/applications/{person['application_id']}/submit", headers=person["headers"]
        )

    async def close_call() -> httpx.Response:
        await asyncio.sleep(SPREAD / 2)
        return await http.post(f"/api/v1/calls/{call_id}/close", headers=setup["officer"])

    # The first is through before anything else starts; the others set off one after another
    # over SPREAD seconds while the officer closes the call half-way; the last one waits for
    # the close to be answered. Those in between race it.
    first = await submit(people[0], 0)
    middle = people[1:-1]
    *raced, close = await asyncio.gather(
        *(submit(p, SPREAD * i / len(middle)) for i, p in enumerate(middle)), close_call()
    )
    last = await submit(people[-1], 0)
    responses = [first, *raced, last]
    assert first.status_code == 200, first.text
    assert last.status_code == 409, last.text
    assert close.status_code == 200, close.text
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 409}, [r.text for r in responses if r.status_code not in (200, 409)]
    assert 200 in codes
    (call,) = await fetch_rows(db, GrantCall, col(GrantCall.id) == call_id)
    assert call.status == "closed" and call.closed_at is not None
    rows = {a.id: a for a in await fetch_rows(db, Application, col(Application.call_id) == call_id)}
    for person, response in zip(people, responses, strict=True):
        row = rows[person["application_id"]]
        if response.status_code == 200:
            assert row.status == "submitted"
            assert row.submitted_at is not None
            assert row.submitted_at <= call.closed_at, (row.submitted_at, call.closed_at)
        else:
            assert row.status == "draft" and row.submitted_at is None and row.snapshot is None
    # Nothing submitted after the close, and an email for each submission only.
    submitted_rows = [r for r in rows.values() if r.status == "submitted"]
    assert len(submitted_rows) == codes.count(200)
    assert await count_rows(db, EmailOutbox) == codes.count(200)
    # Afterwards everyone is refused.
    late = people[codes.index(409)] if 409 in codes else None
    if late is not None:
        again = await http.post(
            f"/api/v1/applications/{late['application_id']}/submit", headers=late["headers"]
        )
        assert again.status_code == 409


async def test_one_draft_and_one_submission_per_applicant_under_concurrency(
    http: httpx.AsyncClient, client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    (person,) = await bulk_entrepreneurs(session, 1)
    saved = await client.put(
        "/api/v1/me/business", headers=person["headers"], json=profile(tax_id=TAX_IDS[0])
    )
    assert saved.status_code == 200, saved.text

    url = f"/api/v1/calls/{call_id}/applications"
    responses = await asyncio.gather(*(http.post(url, headers=person["headers"]) for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    more = await asyncio.gather(*(http.post(url, headers=person["headers"]) for _ in range(8)))
    assert [r.status_code for r in more] == [409] * 8
    assert await count_rows(db, Application, col(Application.applicant_id) == person["id"]) == 1

    # A double (or tenfold) click on "submit" submits once.
    (created,) = [r for r in responses if r.status_code == 201]
    application_id = created.json()["id"]
    patched = await http.patch(
        f"/api/v1/applications/{application_id}", headers=person["headers"], json=application_body()
    )
    assert patched.status_code == 200, patched.text
    submits = await asyncio.gather(
        *(
            http.post(f"/api/v1/applications/{application_id}/submit", headers=person["headers"])
            for _ in range(10)
        )
    )
    assert sorted(r.status_code for r in submits) == [200] + [409] * 9
    assert await count_rows(db, EmailOutbox) == 1
