"""Benchmark: how long a business-profile save takes (PUT /api/v1/me/business), in process.

Runs the real app (ASGI, no network) against a fresh database on TEST_DATABASE_URL or
DATABASE_URL (else an embedded PostgreSQL) and prints p50/p95 for saving the whole profile
and for reading it back, side by side. Usage: .venv/bin/python scripts/bench_profile.py [N]
"""

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import bench_server, percentile
from litestar.testing import AsyncTestClient

from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.db import scratch_database

PROFILE = {
    "legal_form": "llc",
    "tax_id": "32855961",
    "name": "ТОВ «Бенчмарк»",
    "kved": "62.01",
    "katottg": "UA46060250000025047",
    "registered_on": "2020-03-15",
    "employees_total": 10,
    "employees_women": 6,
    "owners": [{"gender": "female", "share_pct": "60"}, {"gender": "male", "share_pct": "40"}],
    "leaders": [{"role": "head", "gender": "female"}],
    "green": {"answers": {"energy_efficiency": True, "renewable_energy": True}},
}


async def run(n: int, database_url: str, data_dir: Path) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key="benchmark-secret-key-0123456789-abcdef",
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        await client.post(
            "/api/v1/auth/register",
            json={
                "email": "bench@example.org",
                "password": "correct horse battery staple",
                "full_name": "Бенчмарк",
                "consent": True,
            },
        )
        token = (
            await client.post(
                "/api/v1/auth/token",
                json={"email": "bench@example.org", "password": "correct horse battery staple"},
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        saves, reads = [], []
        for i in range(n):
            started = time.perf_counter()
            response = await client.put(
                "/api/v1/me/business",
                headers=headers,
                json={**PROFILE, "employees_total": 10 + i % 5},
            )
            saves.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            started = time.perf_counter()
            await client.get("/api/v1/me/business", headers=headers)
            reads.append((time.perf_counter() - started) * 1000)
    print(f"{'operation':<28}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}   (n={n})")
    for name, values in (("save profile (PUT)", saves), ("read profile (GET)", reads)):
        print(
            f"{name:<28}{percentile(values, 50):>10.1f}{percentile(values, 95):>10.1f}"
            f"{statistics.mean(values):>10.1f}"
        )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    data_dir = Path(tempfile.mkdtemp(prefix="sme-bench-"))
    server = bench_server(data_dir)
    with scratch_database(server, "sme_hub_bench") as url:
        asyncio.run(run(n, url, data_dir))


if __name__ == "__main__":
    main()
