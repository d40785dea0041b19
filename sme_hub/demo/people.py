"""Demo people: one user of every role with the shared password (two-factor on with fixed
secrets where the role requires it), and entrepreneurs with their business profiles."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.accounts.rules import two_factor_required
from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
from sme_hub.admin import users as accounts
from sme_hub.core import crypto
from sme_hub.core.models import utcnow
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.entrepreneurs.schemas import BusinessProfileIn
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.partners.models import Partner

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose: demo installations only
# Fixed TOTP secrets of the demo accounts whose roles require two-factor sign-in: printed with
# the logins, and `sme-hub totp-code EMAIL` prints their current code (never in production).
DEMO_TOTP_SECRETS = {
    "admin@demo.sme-hub.org": "DEMOADMINTOTPSECRETSMEHUBTWOFAAA",
    "officer@demo.sme-hub.org": "DEMOOFFICERTOTPSECRETSMEHUBTWOFA",
}
SYSTEM = CurrentUser(id=0, email="system", full_name="seed-demo", locale="uk", email_confirmed=True)


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


async def ensure_people(
    session: AsyncSession,
    secret_key: str,
    lviv: Municipality,
    centre: SupportCentre,
    partner: Partner,
) -> list[DemoLogin]:
    """One user of every role (the observer of Lviv's oblast last); `secret_key` encrypts the
    demo TOTP secrets."""
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
        await ensure_user(
            session, email, name, GrantRequest(role=role, organisation_id=organisation_id)
        )
        secret = (
            await _ensure_demo_totp(session, email, secret_key)
            if two_factor_required({role})
            else None
        )
        logins.append(DemoLogin(role, email, name, secret))
    observer = "observer@demo.sme-hub.org"
    await ensure_user(
        session,
        observer,
        "Тарас Спостерігач",
        GrantRequest(role=Role.REGIONAL_OBSERVER, oblast=lviv.oblast),
    )
    logins.append(DemoLogin(Role.REGIONAL_OBSERVER, observer, "Тарас Спостерігач"))
    return logins


async def ensure_user(session: AsyncSession, email: str, name: str, grant: GrantRequest) -> None:
    """A demo user with one role, unless the address already has an account (seeding again
    changes nothing)."""
    if await session.scalar(select(col(User.id)).where(col(User.email) == email)) is None:
        await accounts.create_user(
            session,
            SYSTEM,
            AdminUserCreate(email=email, full_name=name, password=DEMO_PASSWORD, roles=[grant]),
        )


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


async def ensure_demo_businesses(session: AsyncSession) -> None:
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
