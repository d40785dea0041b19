"""Benchmark: the applicant's and the screener's waits, in process (ASGI, no network).

On a fresh database (TEST_DATABASE_URL or DATABASE_URL, else an embedded PostgreSQL) with the
demo data, N entrepreneurs each fill in a draft and submit it; then centre staff list the
call's applications. Prints p50/p95 side by side for: an autosave (PATCH of one field), a
whole-form save, a submission (all rules, the snapshot, the PDF copy rendered off the event
loop and stored, the email queued), downloading the PDF copy, and the staff list of N
applications with and without the duplicate filter.
Usage: .venv/bin/python scripts/bench_applications.py [N]
"""

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from benchlib import bench_server, percentile
from litestar.testing import AsyncTestClient
from schwifty import IBAN
from sqlmodel import col, select
from stdnum.ua import edrpou

from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.db import Database, scratch_database
from sme_hub.demo import DEMO_CALL_TITLE, DEMO_PASSWORD, seed_demo
from sme_hub.grants.models import GrantCall

PASSWORD = "correct horse battery staple"
SCREENING = dict.fromkeys(
    ("protected_area", "hazardous_waste", "new_construction", "emissions_or_discharges"), False
)


def business(i: int) -> dict[str, Any]:
    stem = f"{4000000 + i:07d}"
    return {
        "legal_form": "llc",
        "tax_id": stem + edrpou.calc_check_digit(stem),
        "name": f"ТОВ «Бенчмарк {i}»",
        "kved": "10.71",
        "katottg": "UA46060250000025047",
        "registered_on": "2019-03-15",
        "employees_total": 5,
        "employees_women": 3,
        "owners": [{"gender": "female", "share_pct": "100"}],
        "leaders": [{"role": "head", "gender": "female"}],
    }


def application(i: int) -> dict[str, Any]:
    return {
        "project_title": f"Проєкт {i}",
        "summary": "Короткий опис проєкту.",
        "description": "Детальний опис проєкту. " * 40,
        "requested_amount_kop": 8_000_000,
        "own_contribution_kop": 2_000_000,
        "budget_lines": [
            {"item": "Обладнання", "amount_kop": 7_000_000},
            {"item": "Навчання", "amount_kop": 3_000_000},
        ],
        "jobs_total": 2,
        "jobs_women": 1,
        "environmental_effect": "Менше відходів.",
        "screening": {**SCREENING, "noise_or_traffic": False},
        "answers": {"customers": "Місцеві кав'ярні."},
        # Every tenth shares one account: the duplicates the staff list flags.
        "iban": str(
            IBAN.generate("UA", bank_code="322313", account_code=f"{0 if i % 10 == 0 else i:019d}")
        ),
        "contact_phone": f"+380 67 {1000000 + i:07d}",
        "business_address": f"м. Львів, вул. Бенчмаркова, {i}",
    }


async def timed(samples: list[float], request: Awaitable[Any]) -> Any:
    """Await `request` (a coroutine does nothing until awaited) and record how long it took."""
    started = time.perf_counter()
    result = await request
    samples.append((time.perf_counter() - started) * 1000)
    return result


async def run(n: int, database_url: str, data_dir: Path) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key="benchmark-secret-key-0123456789-abcdef",
    )
    db = Database.connect(settings)
    async with db.sessionmaker() as session, session.begin():
        await seed_demo(session, settings)
        call_id = await session.scalar(
            select(col(GrantCall.id)).where(col(GrantCall.title_uk) == DEMO_CALL_TITLE)
        )
    await db.engine.dispose()
    samples: dict[str, list[float]] = {
        name: []
        for name in (
            "autosave one field (PATCH)",
            "save whole form (PATCH)",
            "submit (rules, snapshot, PDF)",
            "download PDF copy",
            f"staff list of {n} (GET)",
            "staff list, duplicates only",
        )
    }
    names = list(samples)
    async with AsyncTestClient(app=create_app(settings)) as client:

        async def login(email: str, password: str) -> dict[str, str]:
            token = await client.post(
                "/api/v1/auth/token", json={"email": email, "password": password}
            )
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        for i in range(n):
            email = f"bench{i}@example.org"
            await client.post(
                "/api/v1/auth/register",
                json={"email": email, "password": PASSWORD, "full_name": f"Б {i}", "consent": True},
            )
            await _confirm(database_url, email)
            headers = await login(email, PASSWORD)
            saved = await client.put("/api/v1/me/business", headers=headers, json=business(i))
            assert saved.status_code == 200, saved.text
            draft = await client.post(f"/api/v1/calls/{call_id}/applications", headers=headers)
            assert draft.status_code == 201, draft.text
            path = f"/api/v1/applications/{draft.json()['id']}"
            for title in ("Сушар", "Сушарка для"):
                await timed(
                    samples[names[0]],
                    client.patch(path, headers=headers, json={"project_title": title}),
                )
            await timed(
                samples[names[1]],
                client.patch(path, headers=headers, json=application(i)),
            )
            response = await timed(
                samples[names[2]], client.post(f"{path}/submit", headers=headers)
            )
            assert response.status_code == 200, response.text
            pdf = await timed(samples[names[3]], client.get(f"{path}/pdf", headers=headers))
            assert pdf.content.startswith(b"%PDF")
        staff = await login("centre@demo.sme-hub.org", DEMO_PASSWORD)
        for _ in range(20):
            listed = await timed(
                samples[names[4]],
                client.get(f"/api/v1/calls/{call_id}/applications?limit=50", headers=staff),
            )
            assert listed.json()["total"] >= n
            await timed(
                samples[names[5]],
                client.get(f"/api/v1/calls/{call_id}/applications?duplicates=true", headers=staff),
            )
    print(f"{'operation':<34}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'n':>6}")
    for name, values in samples.items():
        print(
            f"{name:<34}{percentile(values, 50):>9.1f}{percentile(values, 95):>9.1f}"
            f"{statistics.mean(values):>9.1f}{len(values):>6}"
        )


async def _confirm(database_url: str, email: str) -> None:
    """Registration asks for email confirmation; the benchmark confirms directly."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE user_account SET email_confirmed_at = now() WHERE email = $1", email
        )
    finally:
        await conn.close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    data_dir = Path(tempfile.mkdtemp(prefix="sme-bench-"))
    server = bench_server(data_dir)
    with scratch_database(server, "sme_hub_bench") as url:
        asyncio.run(run(n, url, data_dir))


if __name__ == "__main__":
    main()
