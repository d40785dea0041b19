"""Benchmark: the full ranking and selection of a large call.

Builds, in PostgreSQL, a closed call with N applications (default 10,000) × 3 evaluators ×
6 criteria of submitted scores, then times `evaluation.service.ranking` end to end (two
queries, the exact rules in one pass, the explanations) and reports the peak memory of the
process. Usage: .venv/bin/python scripts/bench_ranking.py [N]
"""

import resource
import time
import tracemalloc
from pathlib import Path

from benchlib import run_on_scratch_database
from sqlalchemy import text

from sme_hub.config import Settings
from sme_hub.core.roles import CurrentUser, Grant, Role
from sme_hub.db import Database
from sme_hub.evaluation import service

CRITERIA = [
    {
        "key": f"c{i}",
        "name_uk": f"Критерій {i}",
        "name_en": f"Criterion {i}",
        "weight": str(1 + i % 3),
        "max_score": 10,
    }
    for i in range(1, 7)
]

SEED = """
INSERT INTO municipality (id, name_uk, name_en, katottg, oblast, contact_email, created_at)
VALUES (1, 'Громада', 'Community', 'UA46060250000025047', 'UA46000000000026241', '', now());
INSERT INTO user_account (id, email, full_name, locale, password_hash, is_active, created_at)
SELECT g, 'u' || g || '@example.org', 'Особа ' || g, 'uk', 'x', true, now()
FROM generate_series(1, :n + 3) AS g;
INSERT INTO grant_call (id, municipality_id, title_uk, title_en, description_uk, description_en,
  budget_kop, min_grant_kop, max_grant_kop, own_contribution_pct, opens_at, closes_at,
  threshold, evaluators_per_application, blind_review, criteria, priorities, eligibility,
  questions, status, created_at, updated_at)
VALUES (1, 1, 'Бенчмарк', '', '', '', 50000000000, 100000, 30000000, 0, now() - interval '30 days',
  now() - interval '1 day', 45, 3, false, CAST(:criteria AS jsonb),
  '{"women_led_bonus": "10", "green_bonus": "10", "women_led_budget_share": "0.3",
    "group_bonuses": {"idp_owned": "5"}}', '{}', '[]', 'in_evaluation', now(), now());
INSERT INTO application (id, call_id, municipality_id, applicant_id, status, project_title,
  summary, description, requested_amount_kop, own_contribution_kop, budget_lines,
  environmental_effect, screening, mitigation, answers, iban, contact_phone,
  business_address, phone_key, address_key, snapshot, women_led, green_level, submitted_at,
  eligibility_reason, created_at, updated_at)
SELECT g, 1, 1, g + 3, 'under_evaluation', 'Проєкт ' || g, '', '', 1000000 + (g * 7919) % 29000000,
  0, '[]', '', '{}', '', '{}', '', '', '', '', '',
  jsonb_build_object('declared_groups',
    CASE WHEN g % 7 = 0 THEN '["idp_owned"]'::jsonb ELSE '[]'::jsonb END),
  g % 3 = 0, (ARRAY['none', 'basic', 'advanced'])[1 + g % 3],
  now() - interval '2 days' + g * interval '1 second', '', now(), now()
FROM generate_series(1, :n) AS g;
INSERT INTO assignment (id, call_id, application_id, evaluator_id, municipality_id, status,
  conflict_note, submitted_at, created_at)
SELECT (a - 1) * 3 + e, 1, a, e, 1, 'submitted', '', now(), now()
FROM generate_series(1, :n) AS a, generate_series(1, 3) AS e;
INSERT INTO criterion_score (assignment_id, criterion_key, score, comment)
SELECT s.id, 'c' || c, ((s.id * 31 + c * 17) % 21) / 2.0, ''
FROM assignment AS s, generate_series(1, 6) AS c;
ANALYZE
"""


async def run(n: int, database_url: str, data_dir: Path) -> None:
    import json

    settings = Settings(database_url=database_url, data_dir=data_dir, secret_key="b" * 40)
    db = Database.connect(settings)
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        for statement in SEED.split(";\n"):
            if statement.strip():
                await conn.execute(text(statement), {"n": n, "criteria": json.dumps(CRITERIA)})
    built = time.perf_counter() - started
    print(f"built {n:,} applications × 3 evaluators × 6 criteria in {built:.1f} s")
    officer = CurrentUser(
        id=1,
        email="officer@example.org",
        full_name="Officer",
        locale="uk",
        email_confirmed=True,
        grants=(Grant(Role.MUNICIPAL_OFFICER, municipality_id=1),),
    )
    timings = []
    for _attempt in range(3):  # timed without tracing: tracemalloc slows Python down
        started = time.perf_counter()
        async with db.sessionmaker() as session:
            result = await service.ranking(session, officer, 1, limit=500)
        timings.append(time.perf_counter() - started)
    recommended = sum(1 for i in result.items if i.outcome == "recommended")
    print(
        f"ranked {result.total:,}; recommended {recommended:,} on the first page of 500; "
        f"{result.recommended_kop / 100:,.2f} UAH of {result.budget_kop / 100:,.2f}"
    )
    tracemalloc.start()
    async with db.sessionmaker() as session:
        await service.ranking(session, officer, 1, limit=500)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"Python allocations during one ranking: peak {peak / 1024 / 1024:.1f} MiB")
    await db.engine.dispose()
    print(f"{'ranking and selection, end to end':<40}{'best s':>8}{'worst s':>9}")
    print(f"{'(queries, rules, explanations)':<40}{min(timings):>8.2f}{max(timings):>9.2f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {rss:.0f} MiB")


def main() -> None:
    run_on_scratch_database(run, default_n=10_000)


if __name__ == "__main__":
    main()
