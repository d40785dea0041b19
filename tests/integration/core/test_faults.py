"""Faults: the database connection killed mid-request (a clean 503, nothing half-written, the
next request works), a job worker killed mid-job (another one finishes it, nothing issued
twice), and a full disk under an upload (507 in the user's language, no row, no file)."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlmodel import col

from sme_hub.app import create_app
from sme_hub.config import Settings, to_libpq_url
from sme_hub.core.jobs import ensure_job_schema
from sme_hub.core.roles import Role
from sme_hub.db import Database, scratch_database
from sme_hub.grants.models import Attachment
from sme_hub.partners.models import Partner
from sme_hub.training import certificates
from sme_hub.training.certificate_models import CertificateBatch
from sme_hub.training.models import Enrolment
from tests.factories import (
    Client,
    count_rows,
    fetch_rows,
    login_page,
    make_user,
    post_form,
    token_headers,
)
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    draft,
    officer_and_call,
    pdf_bytes,
)
from tests.integration.partners.test_partner_pages import partner_form
from tests.integration.training.test_certificates import arrange_cohort

SECRET = "fault-test-secret-key-that-is-long-enough-0123456"


pytestmark = pytest.mark.usefixtures("fast_passwords")


# --- the database connection killed mid-request ---------------------------------------------


@contextlib.asynccontextmanager
async def slow_audit(db: Database) -> AsyncIterator[None]:
    """Every audit entry written takes 30 s (a trigger sleeping), so a request stops between
    its own write and its audit entry, on its connection, for as long as the test needs."""
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION fault_test_sleep() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER fault_test_sleep BEFORE INSERT ON audit_entry "
                "FOR EACH ROW EXECUTE FUNCTION fault_test_sleep()"
            )
        )
    try:
        yield
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER fault_test_sleep ON audit_entry"))
            await conn.execute(text("DROP FUNCTION fault_test_sleep()"))


@contextlib.contextmanager
def killer(database_url: str) -> Iterator[list[int]]:
    """A thread that waits for a backend to sleep in the trigger, then terminates it (the
    test client blocks the test's event loop while a request runs, so not a task); the pids
    it terminated."""
    killed: list[int] = []
    query = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()"
    )

    def watch() -> None:
        with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
            for _ in range(400):
                row = conn.execute(query).fetchone()
                if row is not None:
                    conn.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    killed.append(int(row[0]))
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield killed
    finally:
        thread.join(timeout=30)


async def test_a_killed_connection_answers_503_and_writes_nothing(
    client: Client, session: Any, db: Database, settings: Settings
) -> None:
    admin = await make_user(session, Role.ADMIN)
    headers = await token_headers(client, admin.email)
    body = {"name": "Бізнес-інкубатор «Старт»", "kind": "incubator", "sector": "private"}
    async with slow_audit(db):
        with killer(settings.database_url or "") as killed:
            response = await client.post("/api/v1/admin/partners", json=body, headers=headers)
    assert len(killed) == 1
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "status_code": 503,
        "detail": "На мить зникло з'єднання з базою даних. Нічого не збережено: спробуйте ще раз.",
    }
    # The partner row was written before the audit entry: it went with the transaction.
    assert await count_rows(db, Partner) == 0
    # The pool threw the dead connection away: the same request now works.
    again = await client.post("/api/v1/admin/partners", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert await count_rows(db, Partner) == 1


async def test_a_killed_connection_on_a_form_shows_a_page_not_a_trace(
    client: Client, session: Any, db: Database, settings: Settings
) -> None:
    admin = await make_user(session, Role.ADMIN)
    await login_page(client, admin.email)
    await client.get("/admin/partners/new")
    async with slow_audit(db):
        with killer(settings.database_url or "") as killed:
            response = await post_form(
                client,
                "/admin/partners/new?lang=en",
                partner_form(),
                page="/admin/partners/new",
                follow_redirects=False,
            )
    assert len(killed) == 1
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in response.text
    assert "Nothing was saved: please try again." in response.text
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()
    assert await count_rows(db, Partner) == 0
    assert (await client.get("/admin/partners")).status_code == 200


# --- a job worker killed mid-job ------------------------------------------------------------


@pytest.fixture(scope="module")
def jobs_database_url(server_url: str) -> Iterator[str]:
    """Its own database: no other worker (a test server's) may take the job."""
    with scratch_database(server_url, "sme_hub_faults") as url:
        yield url


def start_worker(database_url: str, data_dir: Path, log: Path) -> "subprocess.Popen[bytes]":
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SME_HUB_DATA_DIR": str(data_dir),
        "SME_HUB_SECRET_KEY": SECRET,
        # Heartbeats every second; a worker silent for 3 s is dead.
        "SME_HUB_JOB_STALLED_SECONDS": "3",
    }
    command = [str(Path(sys.executable).parent / "sme-hub"), "worker", "--no-migrate"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


async def wait_for(check: Any, seconds: float, what: str, log: Path) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} within {seconds} s; worker log:\n{read(log)}")


def read(path: Path) -> str:
    return path.read_text(errors="replace")


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


async def test_a_worker_killed_mid_job_is_replaced_and_the_job_finishes_once(
    jobs_database_url: str, tmp_path: Path
) -> None:
    await ensure_job_schema(jobs_database_url)
    settings = Settings(database_url=jobs_database_url, data_dir=tmp_path, secret_key=SECRET)
    db = Database.connect(settings, pool_size=2)
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        async with db.sessionmaker() as session:
            training = await arrange_cohort(session, completed=40)
        async with db.sessionmaker() as session, session.begin():
            await certificates.queue_cohort_certificates(session, training.cohort_id)

        async def progress() -> CertificateBatch | None:
            (batch,) = await fetch_rows(db, CertificateBatch)
            return batch if batch.status == "running" and batch.done >= 3 else None

        workers.append(start_worker(jobs_database_url, tmp_path, log))
        await wait_for(progress, 120, "the first worker made no progress", log)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        completed = col(Enrolment.status) == "completed"
        issued_before = {
            e.id: e.certificate_code
            for e in await fetch_rows(db, Enrolment, completed)
            if e.certificate_code
        }
        (interrupted,) = await fetch_rows(db, CertificateBatch)
        assert interrupted.status == "running" and 3 <= interrupted.done < 40
        assert 3 <= len(issued_before) < 40

        workers.append(start_worker(jobs_database_url, tmp_path, log))

        async def finished() -> CertificateBatch | None:
            (batch,) = await fetch_rows(db, CertificateBatch)
            return batch if batch.status == "done" else None

        batch = await wait_for(finished, 120, "the job was not finished by the new worker", log)
        assert (batch.done, batch.total, batch.error) == (40, 40, None)
        enrolments = await fetch_rows(db, Enrolment, completed)
        codes = {e.id: e.certificate_code for e in enrolments}
        assert all(codes.values()) and len(set(codes.values())) == 40
        # Certificates issued before the kill kept their codes: none was issued twice.
        assert {k: codes[k] for k in issued_before} == issued_before
        async with db.engine.connect() as conn:
            jobs = (
                await conn.execute(
                    text(
                        "SELECT status::text, attempts FROM procrastinate_jobs "
                        "WHERE task_name = 'generate_cohort_certificates'"
                    )
                )
            ).all()
        # One job, run twice: the killed attempt and the one that finished.
        assert [tuple(job) for job in jobs] == [("succeeded", 2)]
        assert "retried 1 job(s) of a worker that stopped" in read(log)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
        await db.engine.dispose()


# --- the disk full under an upload ----------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs as the data folder (root may mount one here)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


async def test_a_full_disk_answers_507_and_keeps_nothing(
    full_disk: Path, settings: Settings, session: Any, db: Database
) -> None:
    app = create_app(Settings(**{**settings.__dict__, "data_dir": full_disk}))
    big = pdf_bytes(200_000)  # more than the 64 KiB the disk has
    async with AsyncTestClient(app=app) as client:
        setup = await officer_and_call(client, session)
        olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
        application_id = await draft(client, setup["call_id"], olena)
        refused = await client.post(
            f"/api/v1/applications/{application_id}/attachments",
            headers=olena,
            files={"data": ("plan.pdf", big, "application/pdf")},
        )
        assert refused.status_code == 507
        assert refused.json()["detail"].startswith(
            "На сервері закінчилося місце для файлів. Нічого не збережено"
        )
        await login_page(client, "olena@example.org")
        page = f"/me/applications/{application_id}"
        shown = await post_form(
            client,
            f"/me/applications/{application_id}/files?lang=en",
            {},
            page=page,
            files={"file": ("plan.pdf", big, "application/pdf")},
        )
        assert shown.status_code == 507
        assert "The server has no room left to store files. Nothing was saved" in shown.text
        assert "plan.pdf" not in shown.text  # the form lists no file that was not kept
    assert await count_rows(db, Attachment) == 0
    assert files_under(full_disk) == [], "a half-written file was left behind"
