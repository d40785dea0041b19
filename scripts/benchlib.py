"""What the benchmarks share: the PostgreSQL server to measure on, and percentiles."""

import os
from pathlib import Path

from sme_hub.db import start_embedded_postgres


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
