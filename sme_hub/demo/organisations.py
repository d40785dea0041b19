"""Demo places: two real communities, a support centre in each and Lviv's IT incubator."""

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.demo.people import SYSTEM
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate
from sme_hub.partners import directory as partner_directory
from sme_hub.partners.models import Partner
from sme_hub.partners.schemas import PartnerCreate

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


async def ensure_organisations(
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
