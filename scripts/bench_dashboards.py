"""Benchmark: dashboards over a large installation.

Builds, in PostgreSQL, an oblast of 20 municipalities; the first has N applications (default
100,000) in 10 calls and the others 2,000 each, with awarded grants, progress reports,
enrolments (business profiles for half the people) and referrals. Then times, end to end
through the service (the SQL aggregates and the figures), a municipality's dashboard, a
call's and the oblast's roll-up: best and worst of five runs each, side by side.
Usage: .venv/bin/python scripts/bench_dashboards.py [N]
"""

import resource
import time
from pathlib import Path

from benchlib import run_on_scratch_database
from sqlalchemy import text

from sme_hub.config import Settings
from sme_hub.core.roles import CurrentUser, Grant, Role
from sme_hub.db import Database
from sme_hub.reporting import rules, service
from sme_hub.reporting.schemas import Figures

OBLAST = "UA46000000000026241"
OTHERS = 2_000  # applications of each of the 19 other municipalities

SEED = """
INSERT INTO municipality (id, name_uk, name_en, katottg, oblast, created_at)
SELECT m, 'Громада ' || m, 'Community ' || m, 'UA460602500000' || lpad(m::text, 5, '0'),
  :oblast, now()
FROM generate_series(1, 20) AS m;
INSERT INTO support_centre (id, municipality_id, name, address, created_at)
SELECT m, m, 'Центр ' || m, 'вул. Центральна, 1', now() FROM generate_series(1, 20) AS m;
INSERT INTO user_account (id, email, full_name, locale, password_hash, is_active, created_at)
SELECT g, 'u' || g || '@example.org', 'Особа ' || g, 'uk', 'x', true, now()
FROM generate_series(1, :people) AS g;
INSERT INTO business_profile (user_id, municipality_id, legal_form, name, kved, katottg,
  employees_total, employees_women, owners, leaders, declared_groups, green_answers,
  green_version, women_led, women_led_reasons, green_score, green_level, green_reasons, version)
SELECT g, 1 + g % 20, 'fop', 'ФОП ' || g, '62.01', 'UA46060250000025047', 1, 0, '[]',
  jsonb_build_array(jsonb_build_object('role', 'head',
    'gender', CASE WHEN g % 4 = 0 THEN 'male' ELSE 'female' END)),
  '[]', '{}', 1, g % 4 <> 0, '[]', 0, 'none', '[]', 1
FROM generate_series(1, :people, 2) AS g;
INSERT INTO grant_call (id, municipality_id, title_uk, title_en, description_uk, description_en,
  budget_kop, min_grant_kop, max_grant_kop, own_contribution_pct, opens_at, closes_at,
  threshold, evaluators_per_application, blind_review, criteria, priorities, eligibility,
  questions, status, approved_kop, created_at, updated_at)
SELECT c, 1 + (c - 1) / 10, 'Конкурс ' || c, '', '', '', 900000000000, 100000, 30000000, 0,
  now() - interval '60 days', now() - interval '10 days', 60, 2, false, '[]', '{}', '{}', '[]',
  'decided', 0, now(), now()
FROM generate_series(1, 200) AS c;
INSERT INTO application (id, call_id, municipality_id, applicant_id, status, project_title,
  summary, description, requested_amount_kop, own_contribution_kop, budget_lines, jobs_total,
  jobs_women, environmental_effect, screening, mitigation, answers, iban, contact_phone,
  business_address, phone_key, address_key, women_led, green_level, submitted_at,
  eligibility_reason, awarded_kop, scheduled_kop, paid_kop, created_at, updated_at)
SELECT g, call_id, municipality_id, 1 + g % :people, status, 'Проєкт ' || g, '', '',
  requested, 0, '[]', 3, g % 3, '', '{}', '', '{}', '', '', '', '', '', g % 3 = 0,
  (ARRAY['none', 'basic', 'advanced'])[1 + g % 3], now() - interval '20 days', '',
  CASE WHEN awarded THEN requested END, CASE WHEN awarded THEN requested ELSE 0 END,
  CASE WHEN awarded THEN requested / 2 ELSE 0 END, now(), now()
FROM (
  SELECT g, m AS municipality_id, (m - 1) * 10 + 1 + (g / 10) % 10 AS call_id,
    1000000 + (g * 7919) % 29000000 AS requested,
    (ARRAY['draft', 'submitted', 'eligible', 'ineligible', 'not_selected', 'rejected',
      'withdrawn', 'approved', 'in_implementation', 'completed'])[1 + g % 10] AS status,
    g % 10 >= 7 AS awarded
  FROM (SELECT g, CASE WHEN g <= :n THEN 1 ELSE 2 + (g - :n - 1) / :others END AS m
        FROM generate_series(1, :n + 19 * :others) AS g) AS s
) AS a;
INSERT INTO progress_report (application_id, municipality_id, kind, period, jobs_created,
  women_employed, spending, spent_kop, environmental_results, narrative, receipts, status,
  review_note, submitted_at)
SELECT a.id, a.municipality_id, 'interim', 'Q' || q, q, q % 2, '[]', 0, '', '', '[]',
  CASE WHEN q < 3 THEN 'accepted' ELSE 'submitted' END, '', now() - (4 - q) * interval '30 days'
FROM application AS a, generate_series(1, 3) AS q
WHERE a.status IN ('approved', 'in_implementation', 'completed');
INSERT INTO programme (id, centre_id, municipality_id, title, description, topics, target_group,
  language, format, completion_threshold_pct, created_at)
SELECT m, m, m, 'Основи бізнесу', '', '[]', 'all', 'uk', 'in_person', 80, now()
FROM generate_series(1, 20) AS m;
INSERT INTO cohort (id, programme_id, centre_id, municipality_id, starts_on, ends_on,
  enrolment_deadline, capacity, reserved_women_seats, enrolled_count, women_enrolled_count,
  place, status, created_at)
SELECT m, m, m, m, current_date - 60, current_date - 30, current_date - 61, 5000, 0, 0, 0, '',
  'finished', now()
FROM generate_series(1, 20) AS m;
INSERT INTO enrolment (cohort_id, user_id, municipality_id, status, women_led, created_at)
SELECT 1 + g % 20, g, 1 + g % 20,
  (ARRAY['completed', 'not_completed', 'completed', 'cancelled'])[1 + g % 4], g % 2 = 0, now()
FROM generate_series(1, :people / 2) AS g;
INSERT INTO partner (id, name, kind, sector, services, is_active, description_uk,
  description_en, created_at, updated_at)
VALUES (1, 'Банк', 'bank', 'private', '["Кредити"]', true, '', '', now(), now());
INSERT INTO referral (entrepreneur_id, partner_id, service, note, status, outcome_note, source,
  created_by, municipality_id, created_at, updated_at)
SELECT g, 1, 'Кредити ' || g, '', (ARRAY['sent', 'accepted', 'declined', 'completed'])[1 + g % 4],
  CASE WHEN g % 4 = 3 THEN 'Кредит видано' ELSE '' END, 'self', g, 1 + g % 20, now(), now()
FROM generate_series(1, :people / 4) AS g;
ANALYZE
"""


async def run(n: int, database_url: str, data_dir: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=data_dir, secret_key="b" * 40)
    db = Database.connect(settings)
    people = n + 19 * OTHERS  # one application each (one live application per call and person)
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        for statement in SEED.split(";\n"):
            if statement.strip():
                await conn.execute(
                    text(statement),
                    {"n": n, "others": OTHERS, "people": people, "oblast": OBLAST},
                )
    total = n + 19 * OTHERS
    print(
        f"built {total:,} applications ({n:,} in the first municipality), {people // 2:,} "
        f"enrolments, {people // 4:,} referrals in {time.perf_counter() - started:.1f} s"
    )
    officer = CurrentUser(
        id=1,
        email="officer@example.org",
        full_name="Officer",
        locale="uk",
        email_confirmed=True,
        grants=(
            Grant(Role.MUNICIPAL_OFFICER, municipality_id=1),
            Grant(Role.REGIONAL_OBSERVER, oblast=OBLAST),
        ),
    )

    async def municipality() -> int:
        async with db.sessionmaker() as session:
            _m, counts = await service.municipality_counts(session, officer, 1)
            return Figures.of(counts).applicants

    async def call() -> int:
        async with db.sessionmaker() as session:
            _c, _m, counts = await service.call_counts(session, officer, 1)
            return Figures.of(counts, training=False).applicants

    async def oblast() -> int:
        async with db.sessionmaker() as session:
            rows = await service.oblast_counts(session, officer, OBLAST)
            return Figures.of(rules.total(c for _m, c in rows)).applicants

    print(f"{'dashboard (SQL and figures, end to end)':<44}{'best ms':>9}{'worst ms':>10}")
    for label, work in (
        (f"municipality ({n:,} applications)", municipality),
        (f"call ({n // 10:,} applications)", call),
        (f"oblast of 20 municipalities ({total:,})", oblast),
    ):
        timings, applicants = [], 0
        for _attempt in range(5):
            started = time.perf_counter()
            applicants = await work()
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{label:<44}{min(timings):>9.1f}{max(timings):>10.1f}   applicants {applicants:,}")
    await db.engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {rss:.0f} MiB")


def main() -> None:
    run_on_scratch_database(run, default_n=100_000)


if __name__ == "__main__":
    main()
