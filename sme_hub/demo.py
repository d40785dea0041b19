"""Demo data: two real communities, a centre in each, one user of every role (idempotent)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts import service as accounts
from sme_hub.accounts.models import User
from sme_hub.accounts.rules import two_factor_required
from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
from sme_hub.core import crypto
from sme_hub.core.models import utcnow
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate
from sme_hub.partners import directory as partner_directory
from sme_hub.partners.models import Partner
from sme_hub.partners.schemas import PartnerCreate

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose: demo installations only
# Fixed TOTP secrets of the demo accounts whose roles require two-factor sign-in: printed with
# the logins, and `sme-hub totp-code EMAIL` prints their current code (never in production).
DEMO_TOTP_SECRETS = {
    "admin@demo.sme-hub.org": "DEMOADMINTOTPSECRETSMEHUBTWOFAAA",
    "officer@demo.sme-hub.org": "DEMOOFFICERTOTPSECRETSMEHUBTWOFA",
}
SYSTEM = CurrentUser(id=0, email="system", full_name="seed-demo", locale="uk", email_confirmed=True)

MUNICIPALITIES = [
    MunicipalityCreate(
        name_uk="Львівська міська територіальна громада",
        name_en="Lviv City Territorial Community",
        katottg="UA46060250000025047",
        oblast="UA46000000000026241",
        contact_email="business@lviv.example.org",
    ),
    MunicipalityCreate(
        name_uk="Вінницька міська територіальна громада",
        name_en="Vinnytsia City Territorial Community",
        katottg="UA05020030000031457",
        oblast="UA05000000000010236",
        contact_email="business@vinnytsia.example.org",
    ),
]
CENTRES = {
    "UA46060250000025047": ("Центр підтримки підприємців «Львів»", "м. Львів, пл. Ринок, 1"),
    "UA05020030000031457": ("Центр підтримки бізнесу «Вінниця»", "м. Вінниця, вул. Соборна, 59"),
}


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    full_name: str
    totp_secret: str | None = None


async def _ensure_demo_totp(session: AsyncSession, email: str, secret_key: str) -> str:
    """Two-factor sign-in on with the account's fixed secret, under this installation's key
    (re-encrypted when the key changed)."""
    secret = DEMO_TOTP_SECRETS[email]
    user = await session.scalar(select(User).where(col(User.email) == email))
    assert user is not None
    try:
        current = crypto.decrypt(secret_key, user.totp_secret) if user.totp_secret else None
    except crypto.InvalidToken:
        current = None
    if current != secret or user.totp_enabled_at is None:
        user.totp_secret = crypto.encrypt(secret_key, secret)
        user.totp_enabled_at = utcnow()
        user.totp_last_step = None
    return secret


async def _ensure_organisations(
    session: AsyncSession,
) -> tuple[Municipality, SupportCentre, Partner]:
    by_code = {m.katottg: m for m in (await session.scalars(select(Municipality))).all()}
    for data in MUNICIPALITIES:
        if data.katottg not in by_code:
            by_code[data.katottg] = await organisations.create_municipality(session, SYSTEM, data)
    centres: list[SupportCentre] = []
    for code, (name, address) in CENTRES.items():
        municipality = by_code[code]
        existing = await session.scalar(
            select(SupportCentre).where(col(SupportCentre.name) == name)
        )
        centres.append(
            existing
            or await organisations.create_centre(
                session,
                SYSTEM,
                CentreCreate(municipality_id=municipality.id or 0, name=name, address=address),
            )
        )
    partner = await session.scalar(
        select(Partner).where(col(Partner.name) == "Львівський IT-інкубатор")
    )
    if partner is None:
        created = await partner_directory.create_partner(
            session,
            SYSTEM,
            PartnerCreate(
                name="Львівський IT-інкубатор",
                kind="incubator",
                sector="private",
                services=["Менторство", "Коворкінг"],
                municipality_ids=[centres[0].municipality_id],
                address="м. Львів, вул. Городоцька, 36",
                website="https://it-incubator.example.org",
                latitude=Decimal("49.836400"),
                longitude=Decimal("24.005300"),
                description_uk="Менторство й коворкінг для технологічних стартапів Львова.",
                description_en="Mentoring and coworking for Lviv's technology start-ups.",
            ),
        )
        partner = await partner_directory.get_partner(session, created.id)
    assert partner is not None
    return by_code["UA46060250000025047"], centres[0], partner


async def seed_demo(session: AsyncSession, secret_key: str) -> list[DemoLogin]:
    """Create what is missing; never duplicates on a second run. `secret_key` (the app's
    SME_HUB_SECRET_KEY) encrypts the demo TOTP secrets."""
    lviv, centre, partner = await _ensure_organisations(session)
    people = [
        (Role.ADMIN, "admin@demo.sme-hub.org", "Олена Адміністраторка", None),
        (Role.MUNICIPAL_OFFICER, "officer@demo.sme-hub.org", "Ігор Посадовець", lviv.id),
        (Role.CENTRE_STAFF, "centre@demo.sme-hub.org", "Марія Консультантка", centre.id),
        (Role.EVALUATOR, "evaluator@demo.sme-hub.org", "Андрій Експерт", lviv.id),
        (Role.PARTNER, "partner@demo.sme-hub.org", "Софія Партнерка", partner.id),
        (Role.ENTREPRENEUR, "entrepreneur@demo.sme-hub.org", "Наталія Підприємиця", None),
    ]
    logins: list[DemoLogin] = []
    for role, email, name, organisation_id in people:
        if await session.scalar(select(col(User.id)).where(col(User.email) == email)) is None:
            await accounts.create_user(
                session,
                SYSTEM,
                AdminUserCreate(
                    email=email,
                    full_name=name,
                    password=DEMO_PASSWORD,
                    roles=[GrantRequest(role=role, organisation_id=organisation_id)],
                ),
            )
        secret = (
            await _ensure_demo_totp(session, email, secret_key)
            if two_factor_required({role})
            else None
        )
        logins.append(DemoLogin(role, email, name, secret))
    observer = "observer@demo.sme-hub.org"
    if await session.scalar(select(col(User.id)).where(col(User.email) == observer)) is None:
        await accounts.create_user(
            session,
            SYSTEM,
            AdminUserCreate(
                email=observer,
                full_name="Тарас Спостерігач",
                password=DEMO_PASSWORD,
                roles=[GrantRequest(role=Role.REGIONAL_OBSERVER, oblast=lviv.oblast)],
            ),
        )
    logins.append(DemoLogin(Role.REGIONAL_OBSERVER, observer, "Тарас Спостерігач"))
    await _ensure_demo_businesses(session)
    await _ensure_demo_call(session, lviv)
    await _ensure_demo_evaluation(session, lviv)
    from sme_hub.demo_partners import ensure_demo_partners

    await ensure_demo_partners(session)
    return logins


SOLAR_PRACTICES = (
    "energy_efficiency",
    "renewable_energy",
    "green_product",
    "waste_sorting",
    "circular_materials",
    "eco_certification",
    "environmental_policy",
    "local_supply",
)

# Demo entrepreneurs and their businesses (tax numbers pass the check digits; not real ones).
BUSINESSES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "entrepreneur@demo.sme-hub.org",
        "Наталія Підприємиця",
        {
            "legal_form": "fop",
            "tax_id": "3000000008",
            "name": "ФОП Наталія Підприємиця",
            "kved": "10.71",
            "katottg": "UA46060250000025047",
            "registered_on": "2019-05-01",
            "employees_total": 4,
            "employees_women": 3,
            "revenue_band": "up_to_1m",
            "leaders": [{"role": "head", "gender": "female"}],
            "green": {
                "answers": {
                    "energy_efficiency": True,
                    "local_supply": True,
                    "waste_sorting": True,
                    "green_product": True,
                    "building_insulation": True,
                }
            },
        },
    ),
    (
        "bakery@demo.sme-hub.org",
        "Петро Пекар",
        {
            "legal_form": "llc",
            "tax_id": "32855909",
            "name": "ТОВ «Львівська пекарня»",
            "kved": "10.71",
            "katottg": "UA46060250000025047",
            "registered_on": "2016-09-12",
            "employees_total": 18,
            "employees_women": 11,
            "revenue_band": "5m_to_20m",
            "owners": [
                {"gender": "male", "share_pct": "70"},
                {"gender": "female", "share_pct": "30"},
            ],
            "leaders": [{"role": "head", "gender": "female"}],
            "green": {"answers": {"energy_efficiency": True}},
        },
    ),
    (
        "solar@demo.sme-hub.org",
        "Ірина Сонячна",
        {
            "legal_form": "llc",
            "tax_id": "32855914",
            "name": "ТОВ «Сонячний дах»",
            "kved": "43.21",
            "katottg": "UA46060250000025047",
            "registered_on": "2021-02-01",
            "employees_total": 9,
            "employees_women": 4,
            "revenue_band": "1m_to_5m",
            "owners": [{"gender": "female", "share_pct": "100"}],
            "leaders": [{"role": "head", "gender": "female"}],
            "declared_groups": ["idp_owned"],
            "green": {"answers": dict.fromkeys(SOLAR_PRACTICES, True)},
        },
    ),
    (
        "farm@demo.sme-hub.org",
        "Василь Фермер",
        {
            "legal_form": "farm",
            "tax_id": "32855921",
            "name": "ФГ «Подільські ягоди»",
            "kved": "01.25",
            "katottg": "UA05020030000031457",
            "registered_on": "2012-04-20",
            "employees_total": 6,
            "employees_women": 2,
            "revenue_band": "1m_to_5m",
            "owners": [{"gender": "male", "share_pct": "100"}],
            "leaders": [{"role": "head", "gender": "male"}],
            "declared_groups": ["veteran_owned"],
            "green": {"answers": {"water_saving": True, "local_supply": True}},
        },
    ),
]


async def _ensure_demo_businesses(session: AsyncSession) -> None:
    from sme_hub.entrepreneurs import service as entrepreneurs
    from sme_hub.entrepreneurs.schemas import BusinessProfileIn

    for email, name, business in BUSINESSES:
        user_id = await session.scalar(select(col(User.id)).where(col(User.email) == email))
        if user_id is None:
            user = await accounts.create_user(
                session,
                SYSTEM,
                AdminUserCreate(
                    email=email,
                    full_name=name,
                    password=DEMO_PASSWORD,
                    roles=[GrantRequest(role=Role.ENTREPRENEUR)],
                ),
            )
            user_id = user.id
        assert user_id is not None
        if await entrepreneurs.get_profile(session, user_id) is None:
            owner = CurrentUser.acting(user_id, Role.ENTREPRENEUR, email=email, full_name=name)
            await entrepreneurs.save_profile(session, owner, BusinessProfileIn(**business))


async def _ensure_demo_evaluation(session: AsyncSession, lviv: Municipality) -> None:
    from datetime import UTC, timedelta

    from sme_hub.demo_grants import EVALUATION_CALL_TITLE, ensure_demo_evaluation

    now = datetime.now(UTC)
    body = demo_call_body(
        EVALUATION_CALL_TITLE,
        "Women's business in Lviv 2026: micro-grants",
        now + timedelta(days=1),
        now + timedelta(days=2),
    )
    await ensure_demo_evaluation(session, lviv, body)


def format_logins(logins: list[DemoLogin], base_url: str) -> str:
    lines = [f"Demo logins for {base_url} (password for all: {DEMO_PASSWORD}):"]
    lines += [
        f"  {login.role.value:<18} {login.email}"
        + (f"  (TOTP secret {login.totp_secret})" if login.totp_secret else "")
        for login in logins
    ]
    if any(login.totp_secret for login in logins):
        lines.append(
            "  Two-factor sign-in: add the secret to an authenticator app, "
            "or print the current code with `sme-hub totp-code EMAIL`."
        )
    return "\n".join(lines)


DEMO_CALL_TITLE = "Зелений старт 2027: гранти для малого бізнесу Львова"


def demo_call_body(
    title_uk: str, title_en: str, opens_at: datetime, closes_at: datetime
) -> dict[str, Any]:
    """A Lviv call with three criteria, women-led and green priorities and group bonuses."""
    return {
        "title_uk": title_uk,
        "title_en": title_en,
        "description_uk": (
            "Громада підтримує малий бізнес, що створює робочі місця та зменшує вплив "
            "на довкілля. Пріоритет — бізнесам, які очолюють жінки, і зеленим бізнесам."
        ),
        "description_en": (
            "The community supports small businesses that create jobs and reduce their "
            "environmental impact. Priority goes to women-led and green businesses."
        ),
        "budget_kop": 200_000_000,
        "min_grant_kop": 5_000_000,
        "max_grant_kop": 30_000_000,
        "own_contribution_pct": 20,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "threshold": 60,
        "criteria": [
            {
                "key": "impact",
                "name_uk": "Економічний ефект і робочі місця",
                "name_en": "Economic effect and jobs",
                "weight": 3,
                "max_score": 10,
            },
            {
                "key": "feasibility",
                "name_uk": "Реалістичність плану і бюджету",
                "name_en": "Feasibility of the plan and budget",
                "weight": 2,
                "max_score": 10,
            },
            {
                "key": "environment",
                "name_uk": "Вплив на довкілля",
                "name_en": "Environmental impact",
                "weight": 1,
                "max_score": 10,
            },
        ],
        "priorities": {
            "women_led_budget_share": "0.3",
            "group_bonuses": {"veteran_owned": 5, "idp_owned": 5},
        },
        "eligibility": {
            "in_municipality": True,
            "min_business_age_months": 12,
            "legal_forms": ["fop", "llc", "farm", "cooperative"],
            "excluded_kved": ["05", "06", "19"],
            "one_active_grant": True,
        },
        "questions": [
            {
                "key": "customers",
                "label_uk": "Хто ваші клієнти і як ви їх знайдете?",
                "label_en": "Who are your customers and how will you reach them?",
                "required": True,
            },
        ],
    }


async def _ensure_demo_call(session: AsyncSession, lviv: Municipality) -> None:
    """An open call of Lviv with one submitted application and one draft, so every role has
    something to look at."""
    from datetime import UTC, timedelta

    from sme_hub.entrepreneurs import service as entrepreneurs
    from sme_hub.grants import applications, calls, submission
    from sme_hub.grants.models import Application, GrantCall
    from sme_hub.grants.schemas import ApplicationIn, CallCreate

    if await session.scalar(
        select(col(GrantCall.id)).where(col(GrantCall.title_uk) == DEMO_CALL_TITLE)
    ):
        return
    assert lviv.id is not None
    officer = CurrentUser.acting(
        0, Role.MUNICIPAL_OFFICER, email="system", full_name="seed-demo", municipality_id=lviv.id
    )
    now = datetime.now(UTC)
    closes_at = (now + timedelta(days=45)).replace(hour=15, minute=0, second=0, microsecond=0)
    call = await calls.create_call(
        session,
        officer,
        CallCreate.model_validate(
            demo_call_body(
                DEMO_CALL_TITLE,
                "Green Start 2027: grants for small businesses of Lviv",
                now - timedelta(days=3),
                closes_at,
            )
        ),
    )
    call.status, call.published_at = "published", now
    solar = await session.scalar(
        select(col(User.id)).where(col(User.email) == "solar@demo.sme-hub.org")
    )
    bakery = await session.scalar(
        select(col(User.id)).where(col(User.email) == "bakery@demo.sme-hub.org")
    )
    assert solar is not None and bakery is not None and call.id is not None
    submitted = Application(call_id=call.id, municipality_id=lviv.id, applicant_id=solar)
    applications.apply_changes(
        submitted,
        ApplicationIn(
            project_title="Сонячні станції для дахів ОСББ",
            summary="Монтуємо сонячні станції на дахах багатоквартирних будинків.",
            description="Купуємо підйомник і інструменти, навчаємо двох монтажниць.",
            requested_amount_kop=24_000_000,
            own_contribution_kop=6_000_000,
            budget_lines=[
                {"item": "Автовишка (вживана)", "amount_kop": 21_000_000},
                {"item": "Інструменти та засоби безпеки", "amount_kop": 6_000_000},
                {"item": "Навчання монтажників", "amount_kop": 3_000_000},
            ],
            jobs_total=3,
            jobs_women=2,
            environmental_effect="Близько 400 МВт·год сонячної енергії на рік.",
            screening={
                "protected_area": False,
                "hazardous_waste": False,
                "new_construction": False,
                "emissions_or_discharges": False,
                "noise_or_traffic": False,
            },
            answers={"customers": "ОСББ Львова; знаходимо через асоціацію ОСББ."},
            iban="UA213223130000026007233566001",
            contact_phone="+380 67 000 11 22",
            business_address="м. Львів, вул. Сонячна, 5",
        ).model_dump(exclude_unset=True),
    )
    profile = await entrepreneurs.get_profile(session, solar)
    assert profile is not None
    submitted.snapshot = {**entrepreneurs.snapshot(profile), "profile_id": profile.id}
    submitted.women_led = submission.women_led_for_call(profile, call)
    submitted.green_level = profile.green_level
    submitted.status, submitted.submitted_at = "submitted", now - timedelta(days=1)
    session.add(
        Application(
            call_id=call.id,
            municipality_id=lviv.id,
            applicant_id=bakery,
            project_title="Піч на тепловому насосі",
        )
    )
    session.add(submitted)
    await session.flush()
    from sme_hub.core import audit

    for action in ("created", "submit"):
        await audit.record(
            session,
            actor_id=solar,
            object_type="application",
            object_id=submitted.id or 0,
            action=action,
            municipality_id=lviv.id,
        )
