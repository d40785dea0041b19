"""Benchmark: certificate PDFs, in process, against a fresh database.

Prints
1. the median (and p95) ms per certificate PDF over N single renders (`certificate_pdf`:
   the query, the QR code, the HTML and WeasyPrint), after one warm-up render;
2. PDFs per second of the cohort batch job (`run_cohort_batch`) over a cohort of B completed
   enrolments: codes issued, each PDF rendered once, progress counted;
3. the median latency of GET /health from the same app, first alone, then while that batch
   runs in another thread — to show the PDFs do not block the event loop of web requests.

Uses TEST_DATABASE_URL or DATABASE_URL (else an embedded PostgreSQL).
Usage: .venv/bin/python scripts/bench_certificates.py [N=30] [B=100]
"""

import asyncio
import logging
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchlib import bench_server, percentile
from litestar.testing import AsyncTestClient

from sme_hub.accounts.models import User
from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core.roles import CurrentUser, Grant, Role
from sme_hub.db import Database, scratch_database
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.training import certificates
from sme_hub.training.models import Cohort, Enrolment, Programme, TrainingSession

ADMIN = CurrentUser(
    id=0,
    email="bench@example.org",
    full_name="Bench",
    locale="uk",
    email_confirmed=True,
    grants=(Grant(role=Role.ADMIN),),
)


async def arrange(db: Database, people: int) -> tuple[int, list[int]]:
    """A finished cohort of 8 sessions with `people` completed enrolments."""
    async with db.sessionmaker() as session, session.begin():
        municipality = Municipality(
            name_uk="Житомирська міська територіальна громада",
            name_en="Zhytomyr urban territorial community",
            katottg="UA18040470000018290",
            oblast="UA18000000000041385",
        )
        session.add(municipality)
        await session.flush()
        assert municipality.id
        centre = SupportCentre(
            municipality_id=municipality.id,
            name="Центр підтримки підприємництва Житомира",
            address="вул. Київська, 1",
        )
        session.add(centre)
        await session.flush()
        assert centre.id
        programme = Programme(
            centre_id=centre.id,
            municipality_id=municipality.id,
            title="Цифровий маркетинг для малого бізнесу: від стратегії до перших продажів",
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
            capacity=people,
            status="finished",
        )
        session.add(cohort)
        await session.flush()
        assert cohort.id
        start = datetime(2026, 10, 1, 9, tzinfo=UTC)
        for day in range(8):
            session.add(
                TrainingSession(
                    cohort_id=cohort.id, starts_at=start + timedelta(days=7 * day), topic="Тема"
                )
            )
        users = [
            User(
                email=f"person{n}@example.org",
                full_name=f"Олена Коваленко {n}",
                locale="en" if n % 4 == 0 else "uk",
                password_hash="not-a-real-hash",
            )
            for n in range(people)
        ]
        session.add_all(users)
        await session.flush()
        enrolments = [
            Enrolment(
                cohort_id=cohort.id,
                user_id=user.id,
                municipality_id=municipality.id,
                status="completed",
            )
            for user in users
            if user.id
        ]
        session.add_all(enrolments)
        await session.flush()
        return cohort.id, [e.id for e in enrolments if e.id]


def run_batch_in_thread(settings: Settings, cohort_id: int, result: dict[str, float]) -> None:
    """The batch on an event loop of its own, as a worker process would run it."""

    async def batch() -> None:
        db = Database.connect(settings, pool_size=2)
        try:
            started = time.perf_counter()
            finished = await certificates.run_cohort_batch(db, settings, cohort_id)
            result["seconds"] = time.perf_counter() - started
            result["done"] = finished.done
        finally:
            await db.engine.dispose()

    asyncio.run(batch())


async def health_latencies(client: AsyncTestClient, until: threading.Event | int) -> list[float]:
    latencies: list[float] = []
    while (len(latencies) < until) if isinstance(until, int) else not until.is_set():
        started = time.perf_counter()
        response = await client.get("/health")
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        await asyncio.sleep(0.01)
    return latencies


async def run(n: int, batch_size: int, settings: Settings) -> None:
    db = Database.connect(settings, pool_size=2)
    try:
        cohort_id, enrolment_ids = await arrange(db, batch_size)

        # 1. Single certificates, as a user downloads them.
        async with db.sessionmaker() as session, session.begin():
            started = time.perf_counter()
            await certificates.certificate_pdf(
                session, ADMIN, enrolment_ids[0], "uk", base_url=settings.base_url
            )
            cold = (time.perf_counter() - started) * 1000
        singles: list[float] = []
        size = 0
        for i in range(n):
            async with db.sessionmaker() as session, session.begin():
                started = time.perf_counter()
                pdf = await certificates.certificate_pdf(
                    session,
                    ADMIN,
                    enrolment_ids[i % len(enrolment_ids)],
                    "uk" if i % 2 else "en",
                    base_url=settings.base_url,
                )
                singles.append((time.perf_counter() - started) * 1000)
                size = len(pdf)
    finally:
        await db.engine.dispose()

    # 2 and 3. The batch in another thread while the app answers /health.
    async with AsyncTestClient(app=create_app(settings)) as client:
        alone = await health_latencies(client, 100)
        result: dict[str, float] = {}
        stop = threading.Event()
        thread = threading.Thread(
            target=lambda: (run_batch_in_thread(settings, cohort_id, result), stop.set())
        )
        thread.start()
        during = await health_latencies(client, stop)
        thread.join()

    print(f"certificate PDF ({size / 1024:.0f} KiB, A4 landscape), n={n}:")
    print(f"  first render (fonts loaded)   {cold:8.1f} ms")
    print(f"  median per PDF                {statistics.median(singles):8.1f} ms")
    print(f"  p95 per PDF                   {percentile(singles, 95):8.1f} ms")
    print(f"batch job of {int(result['done'])} certificates (codes + one render each):")
    print(f"  elapsed                       {result['seconds']:8.2f} s")
    print(f"  throughput                    {result['done'] / result['seconds']:8.1f} PDFs/s")
    print("GET /health from the same app:")
    print(
        f"  alone          median {statistics.median(alone):6.1f} ms"
        f"   p95 {percentile(alone, 95):6.1f} ms   (n={len(alone)})"
    )
    print(
        f"  during batch   median {statistics.median(during):6.1f} ms"
        f"   p95 {percentile(during, 95):6.1f} ms   (n={len(during)})"
    )


def main() -> None:
    logging.disable(logging.INFO)  # request logs and WeasyPrint's progress would drown the figures
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    batch_size = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    data_dir = Path(tempfile.mkdtemp(prefix="sme-bench-"))
    server = bench_server(data_dir)
    with scratch_database(server, "sme_hub_bench") as url:
        settings = Settings(
            database_url=url,
            data_dir=data_dir,
            secret_key="benchmark-secret-key-0123456789-abcdef",
            base_url="https://sme-hub.example.ua",
        )
        asyncio.run(run(n, batch_size, settings))


if __name__ == "__main__":
    main()
