"""What the benchmarks share: the PostgreSQL server to measure on, and percentiles."""

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from sme_hub.db import scratch_database, start_embedded_postgres


def bench_server(data_dir: Path) -> str:
    """TEST_DATABASE_URL or DATABASE_URL if set, else an embedded PostgreSQL in `data_dir`."""
    return (
        os.environ.get("TEST_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or start_embedded_postgres(data_dir)
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def run_on_scratch_database(
    run: Callable[[int, str, Path], Awaitable[None]], *, default_n: int
) -> None:
    """`run(n, database_url, data_dir)` on a fresh database that is dropped afterwards; `n`
    is the command's first argument (or `default_n`)."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else default_n
    data_dir = Path(tempfile.mkdtemp(prefix="sme-bench-"))
    with scratch_database(bench_server(data_dir), "sme_hub_bench") as url:
        asyncio.run(run(n, url, data_dir))
