"""The load benchmark's installation, built with set-based SQL in a few seconds: two
municipalities with centres, 10,000 entrepreneurs with business profiles and bearer tokens,
50 calls, 20,000 applications in every state, awarded grants with tranches and obligations,
partners, programmes and cohorts, and three staff members with a known password."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sme_hub.config import Settings
from sme_hub.core import crypto
from sme_hub.core.auth import hash_password
from sme_hub.db import Database
from sme_hub.grants import calls
from sme_hub.grants.schemas import CallCreate

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the officer's and admin's authenticator
ENTREPRENEURS = 10_000
APPLICATIONS = 20_000  # two per entrepreneur, in two calls of their municipality
CALLS = 50  # odd ids in municipality 1, even in 2; 1..40 open, 41..45 in evaluation, 46..50 decided
STAFF = {"centre": "centre_staff", "officer": "municipal_officer", "admin": "admin"}


@dataclass(frozen=True)
class Installation:
    tokens: dict[int, str]  # entrepreneur id -> bearer token
    drafts: list[tuple[int, int]]  # (application id, applicant id) of drafts in open calls
    staff_tokens: dict[str, str]  # "centre" / "officer" / "admin" -> bearer token
    staff_emails: dict[str, str]
    screening_call_id: int  # a call of municipality 1 with submitted applications


def token_of(salt: str, user_id: int) -> str:
    """The bearer token the seed gives a user (the SQL computes its SHA-256 the same way)."""
    return f"bench-{salt}-{user_id}"


def _prototype_call() -> dict[str, object]:
    """A valid call's stored fields, made by the app's own schema (every clone shares them)."""
    now = datetime.now(UTC)
    data = CallCreate.model_validate(
        {
            "title_uk": "Гранти для малого бізнесу",
            "title_en": "Small business grants",
            "description_uk": "Підтримка місцевих підприємців: обладнання, ремонт, навчання.",
            "description_en": "Support for local entrepreneurs: equipment, repairs, training.",
            "budget_kop": 90_000_000_000,
            "min_grant_kop": 1_000_000,
            "max_grant_kop": 30_000_000,
            "own_contribution_pct": 20,
            "opens_at": now - timedelta(days=20),
            "closes_at": now + timedelta(days=30),
            "threshold": 60,
            "criteria": [
                {
                    "key": "impact",
                    "name_uk": "Вплив",
                    "name_en": "Impact",
                    "weight": 2,
                    "max_score": 10,
                },
                {
                    "key": "feasibility",
                    "name_uk": "Реалістичність",
                    "name_en": "Feasibility",
                    "weight": 1,
                    "max_score": 5,
                },
            ],
            "eligibility": {"in_municipality": True},
            "questions": [{"key": "market", "label_uk": "Хто ваші клієнти?", "required": True}],
        }
    )
    return calls._rules_json(data)


SEED = """
INSERT INTO municipality (id, name_uk, name_en, katottg, oblast, created_at) VALUES
  (1, 'Львівська міська громада', 'Lviv', 'UA46060250010015970', 'UA46000000000026241', now()),
  (2, 'Жовківська міська громада', 'Zhovkva', 'UA46060090010043596', 'UA46000000000026241', now());
INSERT INTO support_centre (id, municipality_id, name, address, created_at) VALUES
  (1, 1, 'Центр підтримки бізнесу Львова', 'вул. Городоцька, 10', now()),
  (2, 2, 'Центр підтримки бізнесу Жовкви', 'пл. Вічева, 1', now());
INSERT INTO user_account (id, email, full_name, locale, password_hash, is_active,
  email_confirmed_at, consent_at, consent_version, created_at)
SELECT g, 'e' || g || '@bench.example.org', 'Підприємиця ' || g, 'uk', :hash, true, now(),
  now(), 'bench', now()
FROM generate_series(1, :people) AS g;
INSERT INTO user_account (id, email, full_name, locale, password_hash, is_active,
  email_confirmed_at, created_at) VALUES
  (:people + 1, 'centre@bench.example.org', 'Центр', 'uk', :hash, true, now(), now()),
  (:people + 2, 'officer@bench.example.org', 'Посадовиця', 'uk', :hash, true, now(), now()),
  (:people + 3, 'admin@bench.example.org', 'Адмін', 'uk', :hash, true, now(), now());
INSERT INTO role_assignment (user_id, role, created_at)
SELECT g, 'entrepreneur', now() FROM generate_series(1, :people) AS g;
INSERT INTO role_assignment (user_id, role, municipality_id, centre_id, created_at) VALUES
  (:people + 1, 'centre_staff', 1, 1, now()),
  (:people + 2, 'municipal_officer', 1, NULL, now()),
  (:people + 3, 'admin', NULL, NULL, now());
INSERT INTO api_token (user_id, token_hash, expires_at, created_at)
SELECT g, encode(sha256(convert_to('bench-' || :salt || '-' || g, 'UTF8')), 'hex'),
  now() + interval '1 day', now()
FROM generate_series(1, :people + 3) AS g;
INSERT INTO business_profile (user_id, municipality_id, legal_form, tax_id, tax_id_kind, name,
  kved, katottg, registered_on, employees_total, employees_women, owners, leaders,
  declared_groups, green_answers, green_version, women_led, women_led_reasons, green_score,
  green_level, green_reasons, version, created_at, updated_at)
SELECT g, 1 + g % 2, 'fop', (3000000000 + g)::text, 'rnokpp', 'ФОП Підприємиця ' || g,
  (ARRAY['62.01', '56.10', '47.91', '10.71', '01.13'])[1 + g % 5],
  CASE WHEN g % 2 = 0 THEN 'UA46060250010015970' ELSE 'UA46060090010043596' END,
  date '2020-01-01' + g % 1500, 1 + g % 9, g % 2,
  jsonb_build_array(jsonb_build_object('gender', 'female', 'share_pct', 100)),
  jsonb_build_array(jsonb_build_object('role', 'head',
    'gender', CASE WHEN g % 4 = 0 THEN 'male' ELSE 'female' END)),
  '[]', '{}', 1, g % 4 <> 0, '[]', (g * 7) % 100,
  (ARRAY['none', 'basic', 'advanced'])[1 + g % 3], '[]', 1, now(), now()
FROM generate_series(1, :people) AS g;
INSERT INTO grant_call (id, municipality_id, created_by, title_uk, title_en, description_uk,
  description_en, budget_kop, min_grant_kop, max_grant_kop, own_contribution_pct, opens_at,
  closes_at, threshold, evaluators_per_application, blind_review, criteria, priorities,
  eligibility, questions, status, approved_kop, published_at, created_at, updated_at)
SELECT c, 2 - c % 2, :people + 2, p.title_uk || ' №' || c, p.title_en || ' #' || c,
  p.description_uk, p.description_en, p.budget_kop, p.min_grant_kop, p.max_grant_kop,
  p.own_contribution_pct,
  CASE WHEN c <= 40 THEN now() - interval '20 days' ELSE now() - interval '120 days' END,
  CASE WHEN c <= 40 THEN now() + (c || ' days')::interval ELSE now() - interval '60 days' END,
  p.threshold, p.evaluators_per_application, p.blind_review, p.criteria, p.priorities,
  p.eligibility, p.questions,
  CASE WHEN c <= 40 THEN 'published' WHEN c <= 45 THEN 'in_evaluation' ELSE 'decided' END,
  0, now() - interval '20 days', now(), now()
FROM (SELECT CAST(:title_uk AS varchar) AS title_uk, CAST(:title_en AS varchar) AS title_en,
        CAST(:description_uk AS varchar) AS description_uk,
        CAST(:description_en AS varchar) AS description_en,
        CAST(:budget_kop AS bigint) AS budget_kop, CAST(:min_grant_kop AS bigint) AS min_grant_kop,
        CAST(:max_grant_kop AS bigint) AS max_grant_kop,
        CAST(:own_contribution_pct AS numeric) AS own_contribution_pct,
        CAST(:threshold AS numeric) AS threshold,
        CAST(:evaluators_per_application AS int) AS evaluators_per_application,
        CAST(:blind_review AS boolean) AS blind_review, CAST(:criteria AS jsonb) AS criteria,
        CAST(:priorities AS jsonb) AS priorities, CAST(:eligibility AS jsonb) AS eligibility,
        CAST(:questions AS jsonb) AS questions) AS p,
  generate_series(1, :calls) AS c;
INSERT INTO application (id, call_id, municipality_id, applicant_id, status, project_title,
  summary, description, requested_amount_kop, own_contribution_kop, budget_lines, jobs_total,
  jobs_women, environmental_effect, screening, mitigation, environmental_category, answers, iban,
  contact_phone, business_address, phone_key, address_key, snapshot, women_led, green_level,
  submitted_at, eligibility_reason, awarded_kop, scheduled_kop, paid_kop, decided_at,
  decision_reference, decision_note, created_at, updated_at)
SELECT i, call_id, m, g, status, 'Проєкт розвитку ' || i, 'Обладнання для виробництва.',
  'Купуємо обладнання і наймаємо працівників.', requested, requested / 4,
  jsonb_build_array(
    jsonb_build_object('item', 'Обладнання', 'amount_kop', requested + requested / 4)),
  2, 1, 'Менше відходів.', '{}', '', 'C', jsonb_build_object('market', 'Місцеві крамниці'),
  'UA213223130000026007233566001', '+380 67 ' || lpad(g::text, 7, '0'),
  'вул. Зелена, ' || g, '38067' || lpad(g::text, 7, '0'), 'вул зелена ' || g,
  CASE WHEN status = 'draft' THEN NULL ELSE jsonb_build_object('name', 'ФОП Підприємиця ' || g,
    'legal_form', 'fop', 'tax_id', (3000000000 + g)::text, 'tax_id_kind', 'rnokpp',
    'katottg', CASE WHEN m = 1 THEN 'UA46060250010015970' ELSE 'UA46060090010043596' END,
    'municipality_id', m, 'profile_id', g, 'women_led', g % 4 <> 0) END,
  g % 4 <> 0, (ARRAY['none', 'basic', 'advanced'])[1 + g % 3],
  CASE WHEN status = 'draft' THEN NULL ELSE now() - interval '10 days' END, '',
  CASE WHEN awarded THEN requested END, CASE WHEN awarded THEN requested ELSE 0 END,
  CASE WHEN awarded AND status <> 'approved' THEN requested * 7 / 10 ELSE 0 END,
  CASE WHEN call_id > 45 THEN now() - interval '40 days' END,
  CASE WHEN call_id > 45 THEN 'Рішення № ' || call_id ELSE '' END, '', now(), now()
FROM (
  SELECT i, g, m, call_id, 1000000 + (i * 7919) % 29000000 AS requested,
    CASE
      WHEN call_id <= 40 THEN (ARRAY['draft', 'submitted', 'submitted', 'eligible',
        'ineligible', 'withdrawn', 'draft', 'submitted'])[1 + i % 8]
      WHEN call_id <= 45 THEN (ARRAY['submitted', 'eligible', 'under_evaluation',
        'ineligible'])[1 + i % 4]
      ELSE (ARRAY['approved', 'in_implementation', 'in_implementation', 'completed', 'rejected',
        'not_selected', 'reserve', 'ineligible'])[1 + i % 8]
    END AS status,
    call_id > 45 AND i % 8 < 4 AS awarded
  FROM (
    SELECT i, g, m,
      -- the applicant's two calls: different ones, both of their municipality
      2 * ((g / 2 + ((i - 1) / :people) * 7) % (:calls / 2)) + m AS call_id
    FROM (SELECT i, 1 + (i - 1) % :people AS g, 1 + (1 + (i - 1) % :people) % 2 AS m
          FROM generate_series(1, :applications) AS i) AS s
  ) AS t
) AS a;
UPDATE grant_call AS c SET approved_kop = s.total
FROM (SELECT call_id, sum(awarded_kop) AS total FROM application
      WHERE awarded_kop IS NOT NULL GROUP BY call_id) AS s
WHERE s.call_id = c.id;
INSERT INTO grant_tranche (application_id, municipality_id, number, amount_kop, planned_on,
  status, paid_on, paid_iban, created_at)
SELECT a.id, a.municipality_id, n,
  CASE WHEN n = 1 THEN a.awarded_kop * 7 / 10 ELSE a.awarded_kop - a.awarded_kop * 7 / 10 END,
  current_date - 26 + (n - 1) * 180,
  CASE WHEN n = 1 AND a.paid_kop > 0 THEN 'paid' ELSE 'planned' END,
  CASE WHEN n = 1 AND a.paid_kop > 0 THEN current_date - 25 END,
  CASE WHEN n = 1 AND a.paid_kop > 0 THEN a.iban ELSE '' END, now()
FROM application AS a, generate_series(1, 2) AS n WHERE a.awarded_kop IS NOT NULL;
INSERT INTO grant_obligation (application_id, municipality_id, kind, jobs, due_on, status,
  created_at)
SELECT a.id, a.municipality_id, k.kind, CASE WHEN k.kind = 'keep_jobs' THEN 2 ELSE 0 END,
  current_date - 40 + k.days, 'open', now()
FROM application AS a,
  (VALUES ('report', 90), ('report', 180), ('report', 270), ('final_report', 365),
          ('keep_jobs', 365)) AS k(kind, days)
WHERE a.awarded_kop IS NOT NULL;
INSERT INTO partner (id, name, kind, sector, services, address, website, is_active,
  description_uk, description_en, latitude, longitude, created_at, updated_at)
SELECT p, 'Партнер ' || p,
  (ARRAY['bank', 'incubator', 'coworking', 'ngo', 'university', 'credit_union'])[1 + p % 6],
  (ARRAY['private', 'public', 'civil_society'])[1 + p % 3],
  '["Кредити", "Менторство", "Консультації"]', 'вул. Партнерська, ' || p,
  'https://partner' || p || '.example.org', true, 'Допомагаємо малому бізнесу.',
  'We help small businesses.', 49.8 + p / 1000.0, 24.0 + p / 1000.0, now(), now()
FROM generate_series(1, 40) AS p;
INSERT INTO partner_municipality (partner_id, municipality_id)
SELECT p, m FROM generate_series(1, 40) AS p, generate_series(1, 2) AS m WHERE p % 3 <> 0 OR m = 1;
INSERT INTO programme (id, centre_id, municipality_id, title, description, topics, target_group,
  language, format, completion_threshold_pct, created_at)
SELECT p, 2 - p % 2, 2 - p % 2, 'Програма ' || p, 'Основи бізнесу, фінанси, маркетинг.',
  '["finance", "marketing"]', 'all', 'uk',
  (ARRAY['in_person', 'online', 'hybrid'])[1 + p % 3], 80, now()
FROM generate_series(1, 10) AS p;
INSERT INTO cohort (id, programme_id, centre_id, municipality_id, starts_on, ends_on,
  enrolment_deadline, capacity, reserved_women_seats, enrolled_count, women_enrolled_count,
  place, status, created_at)
SELECT c, 1 + c % 10, 2 - (1 + c % 10) % 2, 2 - (1 + c % 10) % 2,
  current_date + 30 + c, current_date + 60 + c, current_date + 20 + c, 30, 5, 0, 0,
  'Зала ' || c, CASE WHEN c <= 30 THEN 'open' ELSE 'finished' END, now()
FROM generate_series(1, 40) AS c;
SELECT setval(pg_get_serial_sequence('user_account', 'id'), :people + 3);
SELECT setval(pg_get_serial_sequence('municipality', 'id'), 2);
SELECT setval(pg_get_serial_sequence('support_centre', 'id'), 2);
SELECT setval(pg_get_serial_sequence('grant_call', 'id'), :calls);
SELECT setval(pg_get_serial_sequence('application', 'id'), :applications);
SELECT setval(pg_get_serial_sequence('partner', 'id'), 40);
SELECT setval(pg_get_serial_sequence('programme', 'id'), 10);
SELECT setval(pg_get_serial_sequence('cohort', 'id'), 40);
ANALYZE
"""


async def seed(settings: Settings, salt: str) -> Installation:
    db = Database.connect(settings, pool_size=1, max_overflow=0)
    params: dict[str, object] = {
        **_prototype_call(),
        "people": ENTREPRENEURS,
        "applications": APPLICATIONS,
        "calls": CALLS,
        "hash": hash_password(PASSWORD),  # one argon2 hash for everybody
        "salt": salt,
    }
    for key in ("criteria", "priorities", "eligibility", "questions"):
        params[key] = json.dumps(params[key], ensure_ascii=False)
    try:
        async with db.engine.begin() as conn:
            for statement in SEED.split(";\n"):
                if statement.strip():
                    names = {k: v for k, v in params.items() if f":{k}" in statement}
                    await conn.execute(text(statement), names)
            # Officers and admins sign in with a second factor: a known secret for the bench.
            await conn.execute(
                text(
                    "UPDATE user_account SET totp_secret = :secret, totp_enabled_at = now()"
                    " WHERE email = ANY(:emails)"
                ),
                {
                    "secret": crypto.encrypt(settings.secret_key, TOTP_SECRET),
                    "emails": [f"{name}@bench.example.org" for name in ("officer", "admin")],
                },
            )
            drafts = (
                await conn.execute(
                    text(
                        "SELECT a.id, a.applicant_id FROM application AS a"
                        " JOIN grant_call AS c ON c.id = a.call_id"
                        " WHERE a.status = 'draft' AND c.status = 'published' ORDER BY a.id"
                    )
                )
            ).all()
    finally:
        await db.engine.dispose()
    staff_ids = {name: ENTREPRENEURS + n for n, name in enumerate(STAFF, start=1)}
    return Installation(
        tokens={g: token_of(salt, g) for g in range(1, ENTREPRENEURS + 1)},
        drafts=[(int(a), int(g)) for a, g in drafts],
        staff_tokens={name: token_of(salt, uid) for name, uid in staff_ids.items()},
        staff_emails={name: f"{name}@bench.example.org" for name in STAFF},
        screening_call_id=1,
    )
