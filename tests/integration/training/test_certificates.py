"""Certificates: the PDF for its owner and the centre's staff only, 409 before completion, the
public verification page, English on request, and the cohort's batch run by the job worker."""

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.config import Settings
from sme_hub.core.errors import Conflict
from sme_hub.core.jobs import run_worker
from sme_hub.core.roles import Role
from sme_hub.db import Database, scratch_database
from sme_hub.training import certificates
from sme_hub.training.certificate_models import CertificateBatch
from sme_hub.training.models import Cohort, Enrolment, Programme, TrainingSession
from tests.factories import (
    Client,
    fetch_rows,
    job_settings,
    login_page,
    make_centre,
    make_municipality,
    make_user,
    pdf_text,
    text_of,
    token_headers,
)

OWNER_NAME = "Олена Коваленко"
PROGRAMME_TITLE = "Цифровий маркетинг для малого бізнесу"
CODE_FORMAT = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@dataclass
class Training:
    cohort_id: int
    centre_id: int
    completed_id: int  # the owner's completed enrolment
    unfinished_id: int  # another entrepreneur's, still 'enrolled'
    owner: str
    other: str
    staff: str
    foreign_staff: str
    admin: str


async def arrange_cohort(
    session: AsyncSession, *, completed: int = 1, prefix: str | None = None
) -> Training:
    """A finished cohort of 3 sessions (5.5 h) with `completed` completed enrolments (the
    first is the owner's) and one unfinished one; staff of its centre and of another."""
    prefix = prefix or uuid.uuid4().hex[:6]
    municipality = await make_municipality(session, name_uk="Житомирська громада")
    centre = await make_centre(session, municipality, name="Центр підтримки бізнесу Житомира")
    other_centre = await make_centre(session, municipality)
    assert municipality.id and centre.id and other_centre.id
    owner = await make_user(session, email=f"{prefix}-owner@example.org", full_name=OWNER_NAME)
    other = await make_user(session, email=f"{prefix}-other@example.org", full_name="Інша Особа")
    staff = await make_user(session, Role.CENTRE_STAFF, centre.id, email=f"{prefix}-s@example.org")
    foreign = await make_user(
        session, Role.CENTRE_STAFF, other_centre.id, email=f"{prefix}-f@example.org"
    )
    admin = await make_user(session, Role.ADMIN, email=f"{prefix}-admin@example.org")
    programme = Programme(
        centre_id=centre.id, municipality_id=municipality.id, title=PROGRAMME_TITLE
    )
    session.add(programme)
    await session.flush()
    assert programme.id
    cohort = Cohort(
        programme_id=programme.id,
        centre_id=centre.id,
        municipality_id=municipality.id,
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 11, 20),
        enrolment_deadline=date(2026, 9, 25),
        capacity=completed + 5,
        status="finished",
    )
    session.add(cohort)
    await session.flush()
    assert cohort.id
    start = datetime(2026, 10, 1, 9, tzinfo=UTC)
    for day, minutes in enumerate((120, 120, 90)):
        session.add(
            TrainingSession(
                cohort_id=cohort.id,
                starts_at=start + timedelta(days=day),
                duration_minutes=minutes,
                topic=f"Тема {day + 1}",
            )
        )
    people = [owner]
    for n in range(completed - 1):
        people.append(await make_user(session, email=f"{prefix}-p{n}@example.org"))
    enrolments = [
        Enrolment(
            cohort_id=cohort.id,
            user_id=person.id,
            municipality_id=municipality.id,
            status="completed",
        )
        for person in people
    ]
    unfinished = Enrolment(
        cohort_id=cohort.id, user_id=other.id, municipality_id=municipality.id, status="enrolled"
    )
    session.add_all([*enrolments, unfinished])
    await session.commit()
    assert enrolments[0].id and unfinished.id
    return Training(
        cohort_id=cohort.id,
        centre_id=centre.id,
        completed_id=enrolments[0].id,
        unfinished_id=unfinished.id,
        owner=owner.email,
        other=other.email,
        staff=staff.email,
        foreign_staff=foreign.email,
        admin=admin.email,
    )


@pytest.fixture
async def training(session: AsyncSession) -> Training:
    return await arrange_cohort(session)


def api_path(enrolment_id: int) -> str:
    return f"/api/v1/enrolments/{enrolment_id}/certificate.pdf"


# --- codes ----------------------------------------------------------------------------------


def test_codes_are_short_grouped_and_random() -> None:
    codes = {certificates.certificate_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(CODE_FORMAT.match(code) for code in codes)
    assert certificates.normalise_code(" k7qm 3xrt-9bwe ") == "K7QM-3XRT-9BWE"
    assert certificates.normalise_code("K7QM-3XRT-9BW0") is None  # 0 is never used
    assert certificates.normalise_code("nonsense") is None


async def test_issuing_is_idempotent_and_needs_completion(
    training: Training, session: AsyncSession
) -> None:
    first = await certificates.issue_certificate(session, training.completed_id)
    second = await certificates.issue_certificate(session, training.completed_id)
    await session.commit()
    assert first == second and CODE_FORMAT.match(first)
    with pytest.raises(Conflict):
        await certificates.issue_certificate(session, training.unfinished_id)


# --- the PDF --------------------------------------------------------------------------------


async def test_the_owner_downloads_the_certificate_in_ukrainian(
    training: Training, client: Client, db: Database
) -> None:
    headers = await token_headers(client, training.owner)

    response = await client.get(api_path(training.completed_id), headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    (enrolment,) = await fetch_rows(db, Enrolment, col(Enrolment.id) == training.completed_id)
    assert enrolment.certificate_code and CODE_FORMAT.match(enrolment.certificate_code)
    content = pdf_text(response.content)
    assert OWNER_NAME in content
    assert PROGRAMME_TITLE in content
    assert "Центр підтримки бізнесу Житомира" in content
    assert "1 жовтня 2026" in content and "20 листопада 2026" in content
    assert "5,5" in content  # 120 + 120 + 90 minutes
    assert enrolment.certificate_code in content
    assert f"/certificates/{enrolment.certificate_code}" in content

    again = await client.get(api_path(training.completed_id), headers=headers)
    (same,) = await fetch_rows(db, Enrolment, col(Enrolment.id) == training.completed_id)
    assert again.status_code == 200 and same.certificate_code == enrolment.certificate_code


async def test_the_certificate_in_english(training: Training, client: Client) -> None:
    headers = await token_headers(client, training.owner)

    response = await client.get(f"{api_path(training.completed_id)}?lang=en", headers=headers)

    assert response.status_code == 200
    content = pdf_text(response.content)
    assert "This certificate is awarded to" in content
    assert "October 1, 2026" in content and "November 20, 2026" in content
    assert "5.5 h" in content
    assert OWNER_NAME in content


@pytest.mark.parametrize(
    ("who", "status"),
    [("other", 404), ("staff", 200), ("foreign_staff", 404), ("admin", 200)],
)
async def test_who_may_download(training: Training, client: Client, who: str, status: int) -> None:
    headers = await token_headers(client, getattr(training, who))

    response = await client.get(api_path(training.completed_id), headers=headers)

    assert response.status_code == status, response.text
    if status == 200:
        assert response.content.startswith(b"%PDF")


async def test_no_certificate_before_completion(training: Training, client: Client) -> None:
    headers = await token_headers(client, training.other)

    response = await client.get(f"{api_path(training.unfinished_id)}?lang=en", headers=headers)

    assert response.status_code == 409
    assert "completed" in response.json()["detail"]


async def test_unknown_enrolment_and_anonymous_callers(training: Training, client: Client) -> None:
    headers = await token_headers(client, training.owner)
    assert (await client.get(api_path(999_999), headers=headers)).status_code == 404
    assert (await client.get(api_path(training.completed_id))).status_code == 401


async def test_the_certificate_from_the_cabinet(training: Training, client: Client) -> None:
    path = f"/me/enrolments/{training.completed_id}/certificate.pdf"
    anonymous = await client.get(path, follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]

    await login_page(client, training.owner)
    response = await client.get(path)

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# --- verification ---------------------------------------------------------------------------


async def test_the_public_page_verifies_a_code(
    training: Training, client: Client, session: AsyncSession
) -> None:
    code = await certificates.issue_certificate(session, training.completed_id)
    await session.commit()

    response = await client.get(f"/certificates/{code}")

    assert response.status_code == 200
    page = text_of(response.text)
    assert 'data-testid="certificate-valid"' in response.text
    assert OWNER_NAME in page and PROGRAMME_TITLE in page
    assert "Центр підтримки бізнесу Житомира" in page and "Житомирська громада" in page
    assert "1 жовтня 2026" in page and "5,5" in page
    # Typed by hand: lower case, without dashes.
    typed = await client.get(f"/certificates/{code.replace('-', '').lower()}")
    assert typed.status_code == 200 and OWNER_NAME in text_of(typed.text)


async def test_an_unknown_code_is_not_found(training: Training, client: Client) -> None:
    for code in ("ABCD-EFGH-JKLM", "not-a-code"):
        response = await client.get(f"/certificates/{code}?lang=en")
        assert response.status_code == 404
        assert 'data-testid="certificate-unknown"' in response.text
        assert OWNER_NAME not in response.text


# --- the batch ------------------------------------------------------------------------------


async def test_progress_fragment_polls_while_running(
    training: Training, client: Client, session: AsyncSession
) -> None:
    path = f"/centre/cohorts/{training.cohort_id}/certificates/progress"
    await login_page(client, training.staff)
    nothing = await client.get(path)
    assert nothing.status_code == 200 and "hx-trigger" not in nothing.text

    session.add(CertificateBatch(cohort_id=training.cohort_id, total=3, done=1, status="running"))
    await session.commit()
    running = await client.get(path, headers={"HX-Request": "true"})
    assert running.status_code == 200
    assert 'hx-trigger="every 1s"' in running.text and f'hx-get="{path}"' in running.text
    assert '<progress id="certificate-progress-bar' in running.text
    assert 'value="1" max="3"' in running.text
    assert "1 of 3" in text_of(running.text) or "1 з 3" in text_of(running.text)

    batch = await session.get(CertificateBatch, training.cohort_id, populate_existing=True)
    assert batch is not None
    batch.done, batch.status = 3, "done"
    await session.commit()
    done = await client.get(path)
    assert "hx-trigger" not in done.text and 'value="3" max="3"' in done.text


async def test_progress_is_for_the_cohorts_centre_only(training: Training, client: Client) -> None:
    path = f"/centre/cohorts/{training.cohort_id}/certificates/progress"
    await login_page(client, training.foreign_staff)
    assert (await client.get(path)).status_code == 404


@pytest.fixture(scope="module")
def batch_database_url(server_url: str) -> Iterator[str]:
    """A database of its own: a `sme-hub serve` of the browser tests runs a job worker on the
    shared one, and it could take the job first."""
    with scratch_database(server_url, "sme_hub_certs") as url:
        yield url


@pytest.fixture(scope="module")
async def batch_settings(
    batch_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await job_settings(
        batch_database_url, tmp_path_factory.mktemp("cert-data"), base_url="https://sme-hub.test"
    )


@pytest.fixture(scope="module")
async def batch_db(batch_settings: Settings) -> AsyncIterator[Database]:
    database = Database.connect(batch_settings, pool_size=2)
    yield database
    await database.engine.dispose()


async def test_the_batch_job_issues_every_certificate(
    batch_db: Database, batch_settings: Settings
) -> None:
    async with batch_db.sessionmaker() as session:
        training = await arrange_cohort(session, completed=4)
    async with batch_db.sessionmaker() as session, session.begin():
        await certificates.queue_cohort_certificates(session, training.cohort_id)
    (queued,) = await fetch_rows(batch_db, CertificateBatch)
    assert (queued.status, queued.done, queued.total) == ("queued", 0, 4)

    await run_worker(batch_settings, wait=False, listen_notify=False, install_signal_handlers=False)

    (batch,) = await fetch_rows(batch_db, CertificateBatch)
    assert (batch.status, batch.done, batch.total, batch.error) == ("done", 4, 4, None)
    enrolments = await fetch_rows(
        batch_db, Enrolment, col(Enrolment.cohort_id) == training.cohort_id
    )
    completed = [e for e in enrolments if e.status == "completed"]
    assert len(completed) == 4
    assert all(e.certificate_code and CODE_FORMAT.match(e.certificate_code) for e in completed)
    assert len({e.certificate_code for e in completed}) == 4
    assert [e.certificate_code for e in enrolments if e.status != "completed"] == [None]
    async with batch_db.engine.connect() as conn:
        statuses = (
            await conn.execute(
                text(
                    "SELECT status FROM procrastinate_jobs "
                    "WHERE task_name = 'generate_cohort_certificates'"
                )
            )
        ).scalars()
        assert list(statuses) == ["succeeded"]
