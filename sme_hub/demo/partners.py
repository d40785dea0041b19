"""Demo business infrastructure of Lviv and Vinnytsia: partners of every sector on the map,
and referrals in every state, made through the real use cases."""

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.config import Settings
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.demo.people import SYSTEM
from sme_hub.organisations.models import Municipality
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.models import Partner, Referral
from sme_hub.partners.schemas import PartnerCreate, ReferralChange, ReferralIn

LVIV, VINNYTSIA = "UA46060250000025047", "UA05020030000031457"

# name, kind, sector, services, community, address, website, latitude, longitude, about
PARTNERS: list[tuple[str, str, str, list[str], str, str, str, str, str, str]] = [
    (
        "Банк «Львівський кредит»",
        "bank",
        "private",
        ["Мікрокредит", "Лізинг обладнання", "Кредит на енергоефективність"],
        LVIV,
        "м. Львів, вул. Коперника, 9",
        "https://bank.example.org",
        "49.838300",
        "24.028100",
        "Кредити для малого бізнесу з пільгами для жінок-підприємиць.",
    ),
    (
        "Кредитна спілка «Громада»",
        "credit_union",
        "civil_society",
        ["Мікрокредит", "Фінансова консультація"],
        LVIV,
        "м. Львів, вул. Шевченка, 17",
        "https://spilka.example.org",
        "49.843500",
        "24.020900",
        "Невеликі позики членам спілки та консультації з фінансів.",
    ),
    (
        "Індустріальний парк «Захід»",
        "industrial_park",
        "public",
        ["Оренда виробничих приміщень", "Підключення до мереж"],
        LVIV,
        "м. Львів, вул. Промислова, 50",
        "https://park.example.org",
        "49.812700",
        "24.057300",
        "Земельні ділянки й приміщення з підведеними мережами.",
    ),
    (
        "Львівська політехніка: центр трансферу технологій",
        "university",
        "public",
        ["Технічна експертиза", "Менторство"],
        LVIV,
        "м. Львів, вул. С. Бандери, 12",
        "https://university.example.org",
        "49.835600",
        "24.014400",
        "Експертиза продуктів і доступ до лабораторій.",
    ),
    (
        "ГО «Жінки в бізнесі»",
        "ngo",
        "civil_society",
        ["Менторство", "Нетворкінг"],
        LVIV,
        "м. Львів, вул. Лисенка, 8",
        "",
        "",
        "",
        "Менторська програма для жінок, які починають власну справу.",
    ),
    (
        "Вінницький бізнес-інкубатор",
        "incubator",
        "public",
        ["Менторство", "Коворкінг", "Бухгалтерський супровід"],
        VINNYTSIA,
        "м. Вінниця, вул. Соборна, 70",
        "https://incubator.example.org",
        "49.233100",
        "28.468200",
        "Підтримка стартапів перші два роки.",
    ),
]


def _acting(
    user: User,
    role: Role,
    *,
    centre_id: int | None = None,
    municipality_id: int | None = None,
    partner_id: int | None = None,
) -> CurrentUser:
    assert user.id is not None
    return CurrentUser.acting(
        user.id,
        role,
        email=user.email,
        full_name=user.full_name,
        locale=user.locale,
        municipality_id=municipality_id,
        centre_id=centre_id,
        partner_id=partner_id,
    )


async def _user(session: AsyncSession, email: str) -> User:
    found = await session.scalar(select(User).where(col(User.email) == email))
    assert found is not None, email
    return found


async def ensure_demo_partners(session: AsyncSession) -> None:
    """Create the partners once (by name), then one referral in each state once."""
    by_code = {m.katottg: m.id for m in (await session.scalars(select(Municipality))).all()}
    for name, kind, sector, services, code, address, website, lat, lon, about in PARTNERS:
        if await session.scalar(select(col(Partner.id)).where(col(Partner.name) == name)):
            continue
        await partner_directory.create_partner(
            session,
            SYSTEM,
            PartnerCreate.model_validate(
                {
                    "name": name,
                    "kind": kind,
                    "sector": sector,
                    "services": services,
                    "municipality_ids": [by_code[code]],
                    "address": address,
                    "website": website or None,
                    "latitude": Decimal(lat) if lat else None,
                    "longitude": Decimal(lon) if lon else None,
                    "description_uk": about,
                }
            ),
        )
    if await session.scalar(select(col(Referral.id)).limit(1)):
        return
    settings = Settings()
    bank = await session.scalar(select(Partner).where(col(Partner.kind) == "bank"))
    incubator = await session.scalar(
        select(Partner).where(col(Partner.name) == "Львівський IT-інкубатор")
    )
    assert bank is not None and bank.id is not None and incubator is not None
    centre_user = await _user(session, "centre@demo.sme-hub.org")
    assignment = await session.scalar(
        select(RoleAssignment).where(col(RoleAssignment.user_id) == centre_user.id)
    )
    assert assignment is not None and assignment.centre_id is not None
    staff = _acting(
        centre_user,
        Role.CENTRE_STAFF,
        centre_id=assignment.centre_id,
        municipality_id=by_code[LVIV],
    )
    bakery = await _user(session, "bakery@demo.sme-hub.org")
    solar = await _user(session, "solar@demo.sme-hub.org")
    entrepreneur = await _user(session, "entrepreneur@demo.sme-hub.org")
    mentor = _acting(
        await _user(session, "partner@demo.sme-hub.org"), Role.PARTNER, partner_id=incubator.id
    )

    await partner_referrals.create_referral(
        session,
        staff,
        ReferralIn(
            entrepreneur_id=bakery.id,
            partner_id=bank.id,
            service="Лізинг обладнання",
            note="Друга піч: потрібне фінансування 400 000 грн.",
        ),
        settings=settings,
    )
    mentoring = await partner_referrals.create_referral(
        session,
        _acting(entrepreneur, Role.ENTREPRENEUR),
        ReferralIn(partner_id=incubator.id or 0, service="Менторство", note="Маркетинг випічки."),
        settings=settings,
    )
    await partner_referrals.move_referral(
        session, mentor, mentoring.id or 0, ReferralChange(status="accepted"), settings=settings
    )
    coworking = await partner_referrals.create_referral(
        session,
        staff,
        ReferralIn(entrepreneur_id=solar.id, partner_id=incubator.id or 0, service="Коворкінг"),
        settings=settings,
    )
    for change in (
        ReferralChange(status="accepted"),
        ReferralChange(status="completed", outcome_note="Робоче місце в коворкінгу на 6 місяців."),
    ):
        await partner_referrals.move_referral(
            session, mentor, coworking.id or 0, change, settings=settings
        )
