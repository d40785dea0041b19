"""Benchmark: streaming the screening list of a large call as CSV and XLSX.

Builds, in PostgreSQL, a call with N submitted applications (default 100,000), then runs the
export exactly as the API does (the list's statement, a server-side cursor in batches, the
CSV or constant-memory XLSX writer) and reports the time, the file's size, the peak Python
allocations (tracemalloc, in a separate run: tracing slows Python down) and the peak
resident memory of the process. Usage: .venv/bin/python scripts/bench_exports.py [N]
"""

import resource
import time
import tracemalloc
from pathlib import Path

from benchlib import run_on_scratch_database
from sqlalchemy import text

from sme_hub.config import Settings
from sme_hub.core.exports import stream_body
from sme_hub.core.roles import CurrentUser, Grant, Role
from sme_hub.db import Database
from sme_hub.grants import screening

SEED = """
INSERT INTO municipality (id, name_uk, name_en, katottg, oblast, contact_email, created_at)
VALUES (1, 'Громада', 'Community', 'UA46060250000025047', 'UA46000000000026241', '', now());
INSERT INTO user_account (id, email, full_name, locale, password_hash, is_active, created_at)
SELECT g, 'u' || g || '@example.org', 'Особа ' || g, 'uk', 'x', true, now()
FROM generate_series(1, :n) AS g;
INSERT INTO grant_call (id, municipality_id, title_uk, title_en, description_uk, description_en,
  budget_kop, min_grant_kop, max_grant_kop, own_contribution_pct, opens_at, closes_at,
  threshold, evaluators_per_application, blind_review, criteria, priorities, eligibility,
  questions, status, created_at, updated_at)
VALUES (1, 1, 'Бенчмарк', '', '', '', 50000000000, 100000, 30000000, 0, now() - interval '30 days',
  now() - interval '1 day', 45, 3, false, '[]', '{}', '{}', '[]', 'closed', now(), now());
INSERT INTO application (id, call_id, municipality_id, applicant_id, status, project_title,
  summary, description, requested_amount_kop, own_contribution_kop, budget_lines,
  environmental_effect, screening, mitigation, answers, iban, contact_phone,
  business_address, phone_key, address_key, snapshot, women_led, green_level,
  environmental_category, submitted_at, eligibility_reason, created_at, updated_at)
SELECT g, 1, 1, g, 'submitted', 'Проєкт розвитку виробництва № ' || g, '', '',
  1000000 + (g * 7919) % 29000000, 0, '[]', '', '{}', '', '{}',
  CASE WHEN g % 50 = 0 THEN 'UA21322313000002600723356' || lpad((g % 7)::text, 4, '0')
       ELSE 'UA21322313000002600' || lpad(g::text, 10, '0') END,
  '', '', '', 'вул. Зелена, ' || g,
  jsonb_build_object('name', 'ФОП Підприємиця ' || g),
  g % 3 = 0, (ARRAY['none', 'basic', 'advanced'])[1 + g % 3], 'C',
  now() - interval '2 days' + g * interval '1 second', '', now(), now()
FROM generate_series(1, :n) AS g;
ANALYZE
"""

STAFF = CurrentUser(
    id=1,
    email="staff@example.org",
    full_name="Staff",
    locale="uk",
    email_confirmed=True,
    grants=(Grant(Role.MUNICIPAL_OFFICER, municipality_id=1),),
)


async def export_once(db: Database, fmt: str) -> tuple[float, int, int]:
    """Seconds, bytes and chunks of one export of the whole list."""
    started = time.perf_counter()
    async with db.sessionmaker() as session:
        export = await screening.applications_export(
            session, STAFF, 1, screening.ScreeningFilters()
        )
    size = chunks = 0
    async for chunk in stream_body(db, export, fmt):
        size += len(chunk)  # counted and dropped, as a socket would
        chunks += 1
    return time.perf_counter() - started, size, chunks


async def run(n: int, database_url: str, data_dir: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=data_dir, secret_key="b" * 40)
    db = Database.connect(settings)
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        for statement in SEED.split(";\n"):
            if statement.strip():
                await conn.execute(text(statement), {"n": n})
    print(f"built {n:,} submitted applications in {time.perf_counter() - started:.1f} s")
    await export_once(db, "csv")  # warm: imports, statement cache, catalogs
    print(f"{'export':<8}{'seconds':>9}{'MB':>8}{'chunks':>8}{'rows/s':>10}{'peak MiB':>10}")
    for fmt in ("csv", "xlsx"):
        seconds, size, chunks = await export_once(db, fmt)
        tracemalloc.start()
        await export_once(db, fmt)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{fmt:<8}{seconds:>9.2f}{size / 1e6:>8.1f}{chunks:>8}{n / seconds:>10,.0f}"
            f"{peak / 1024 / 1024:>10.1f}"
        )
    await db.engine.dispose()
    print("peak: Python allocations during one export (tracemalloc)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {rss:.0f} MiB")


def main() -> None:
    run_on_scratch_database(run, default_n=100_000)


if __name__ == "__main__":
    main()
