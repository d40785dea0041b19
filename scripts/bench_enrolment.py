"""Benchmark: simultaneous enrolments in one cohort through the real server.

Starts `sme-hub serve --workers 2` on a fresh database (on TEST_DATABASE_URL or DATABASE_URL,
else an embedded PostgreSQL), creates N entrepreneurs with bearer tokens (bulk, no logins)
and, per round, a 100-seat cohort; then every entrepreneur enrols at once, with at most 50
and then 200 requests in flight. Every enrolment in a cohort queues on the cohort's row lock,
so this measures the serialised path. Prints figures side by side; asserts nothing.
Usage: .venv/bin/python scripts/bench_enrolment.py [N]
"""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from benchlib import bench_server, percentile
from sqlalchemy import func, insert, select
from sqlmodel import col

from sme_hub.accounts import user_admin as accounts
from sme_hub.accounts.models import ApiToken, RoleAssignment, User
from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
from sme_hub.config import Settings
from sme_hub.core.auth import hash_password, new_token
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.db import Database, scratch_database
from sme_hub.organisations import service as organisations
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate
from sme_hub.training.models import Cohort, Enrolment

REPO_ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "benchmark-secret-key-0123456789-abcdefghijklmnop"
PASSWORD = "correct horse battery staple"
SYSTEM = CurrentUser(id=0, email="system", full_name="bench", locale="uk", email_confirmed=True)
WORKERS = 2
SEATS = 100
CONCURRENCY = (50, 200)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(database_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SME_HUB_DATA_DIR": str(data_dir),
        "SME_HUB_SECRET_KEY": SECRET_KEY,
        "SME_HUB_ENV": "development",
    }
    sme_hub = str(Path(sys.executable).parent / "sme-hub")
    command = [sme_hub, "serve", "--port", str(port), "--workers", str(WORKERS)]
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        command,
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return process, url
        except (urllib.error.URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise SystemExit(f"the server did not start; see {data_dir / 'server.log'}")
        time.sleep(0.2)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """The server and its worker processes share a process group: end them all."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


async def arrange(db: Database, n: int) -> tuple[str, list[dict[str, str]]]:
    """A centre with a staff member (their email) and `n` entrepreneurs' auth headers."""
    async with db.sessionmaker() as session:
        municipality = await organisations.create_municipality(
            session,
            SYSTEM,
            MunicipalityCreate(
                name_uk="Громада",
                name_en="Community",
                katottg="UA46060250000025047",
                oblast="UA46000000000026241",
            ),
        )
        assert municipality.id is not None
        centre = await organisations.create_centre(
            session,
            SYSTEM,
            CentreCreate(municipality_id=municipality.id, name="Центр", address="вул. Тестова, 1"),
        )
        staff = await accounts.create_user(
            session,
            SYSTEM,
            AdminUserCreate(
                email="staff@example.org",
                full_name="Персонал",
                password=PASSWORD,
                roles=[GrantRequest(role=Role.CENTRE_STAFF, organisation_id=centre.id)],
            ),
        )
        now = datetime.now(UTC)
        password_hash = hash_password(PASSWORD)  # one argon2 hash for everybody
        ids = (
            await session.scalars(
                insert(User).returning(col(User.id), sort_by_parameter_order=True),
                [
                    {
                        "email": f"bench{i}@example.org",
                        "full_name": f"Підприємець {i}",
                        "password_hash": password_hash,
                        "email_confirmed_at": now,
                        "consent_at": now,
                        "consent_version": "bench",
                    }
                    for i in range(n)
                ],
            )
        ).all()
        await session.execute(
            insert(RoleAssignment), [{"user_id": i, "role": Role.ENTREPRENEUR.value} for i in ids]
        )
        tokens = [new_token() for _ in ids]
        await session.execute(
            insert(ApiToken),
            [
                {"user_id": i, "token_hash": token_hash, "expires_at": now + timedelta(hours=2)}
                for i, (_token, token_hash) in zip(ids, tokens, strict=True)
            ],
        )
        await session.commit()
    return staff.email, [{"Authorization": f"Bearer {token}"} for token, _hash in tokens]


async def new_cohort(client: httpx.AsyncClient, staff_headers: dict[str, str]) -> int:
    programme = await client.post(
        "/api/v1/programmes", headers=staff_headers, json={"title": "Бенчмарк"}
    )
    programme.raise_for_status()
    today = datetime.now(UTC).date()
    cohort = await client.post(
        f"/api/v1/programmes/{programme.json()['id']}/cohorts",
        headers=staff_headers,
        json={
            "starts_on": str(today + timedelta(days=30)),
            "ends_on": str(today + timedelta(days=40)),
            "enrolment_deadline": str(today + timedelta(days=20)),
            "capacity": SEATS,
            "open": True,
        },
    )
    cohort.raise_for_status()
    cohort_id: int = cohort.json()["id"]
    return cohort_id


async def enrol_everyone(
    url: str, cohort_id: int, people: list[dict[str, str]], concurrency: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: list[int] = []

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:

        async def one(headers: dict[str, str]) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.post(
                    f"/api/v1/cohorts/{cohort_id}/enrolments", headers=headers
                )
                latencies.append((time.perf_counter() - started) * 1000)
                statuses.append(response.status_code)

        await client.get("/health")  # not timed: the first connection
        started = time.perf_counter()
        await asyncio.gather(*(one(headers) for headers in people))
        wall = time.perf_counter() - started
    return {
        "requests": len(people),
        "wall": wall,
        "rate": statuses.count(201) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "errors": len(statuses) - statuses.count(201),
    }


async def final_counts(db: Database, cohort_id: int) -> dict[str, int]:
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(col(Enrolment.status), func.count())
            .where(col(Enrolment.cohort_id) == cohort_id)
            .group_by(col(Enrolment.status))
        )
        counts: dict[str, int] = dict(rows.all())  # type: ignore[arg-type]
        cohort = await session.get(Cohort, cohort_id)
        assert cohort is not None
        counts["enrolled_count"] = cohort.enrolled_count
        return counts


async def run(n: int, database_url: str, data_dir: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=data_dir, secret_key=SECRET_KEY)
    db = Database.connect(settings, pool_size=2)
    process, url = start_server(database_url, data_dir)
    try:
        staff_email, people = await arrange(db, n)
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            login = await client.post(
                "/api/v1/auth/token", json={"email": staff_email, "password": PASSWORD}
            )
            login.raise_for_status()
            staff_headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            cohorts = [await new_cohort(client, staff_headers) for _ in CONCURRENCY]
        rounds = []
        for cohort_id, concurrency in zip(cohorts, CONCURRENCY, strict=True):
            figures = await enrol_everyone(url, cohort_id, people, concurrency)
            rounds.append((concurrency, figures, await final_counts(db, cohort_id)))
    finally:
        stop_server(process)
        await db.engine.dispose()

    print(f"POST /api/v1/cohorts/{{id}}/enrolments — {WORKERS} server workers, {SEATS} seats")
    print(f"{'':<22}" + "".join(f"{f'concurrency {c}':>18}" for c, _f, _n in rounds))
    lines = [
        ("requests", lambda f, c: f"{f['requests']}"),
        ("non-201 answers", lambda f, c: f"{f['errors']}"),
        ("wall time s", lambda f, c: f"{f['wall']:.2f}"),
        ("enrolments/s", lambda f, c: f"{f['rate']:.0f}"),
        ("p50 latency ms", lambda f, c: f"{f['p50']:.1f}"),
        ("p95 latency ms", lambda f, c: f"{f['p95']:.1f}"),
        (
            "enrolled / waitlisted",
            lambda f, c: f"{c.get('enrolled', 0)} / {c.get('waitlisted', 0)}",
        ),
        ("cohort.enrolled_count", lambda f, c: f"{c['enrolled_count']}"),
    ]
    for name, show in lines:
        print(f"{name:<22}" + "".join(f"{show(f, c):>18}" for _c, f, c in rounds))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    data_dir = Path(tempfile.mkdtemp(prefix="sme-bench-enrol-"))
    server = bench_server(data_dir)
    with scratch_database(server, "sme_hub_bench") as url:
        asyncio.run(run(n, url, data_dir))


if __name__ == "__main__":
    main()
