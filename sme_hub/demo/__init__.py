"""Demo data: two real communities, a centre in each, one user of every role, businesses,
calls with applications at every stage and partners with referrals (idempotent)."""

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.demo.grants import (
    DEMO_CALL_TITLE,
    EVALUATION_CALL_TITLE,
    demo_call_body,
    ensure_demo_call,
    ensure_demo_evaluation,
)
from sme_hub.demo.organisations import ensure_organisations
from sme_hub.demo.partners import ensure_demo_partners
from sme_hub.demo.people import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRETS,
    SYSTEM,
    DemoLogin,
    ensure_demo_businesses,
    ensure_people,
    format_logins,
)

__all__ = [
    "DEMO_CALL_TITLE",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRETS",
    "EVALUATION_CALL_TITLE",
    "SYSTEM",
    "DemoLogin",
    "demo_call_body",
    "format_logins",
    "seed_demo",
]


async def seed_demo(session: AsyncSession, settings: Settings) -> list[DemoLogin]:
    """Create what is missing; never duplicates on a second run. The app's secret key
    encrypts the demo TOTP secrets; submitted applications keep their PDF copies in the app's
    storage."""
    lviv, centre, partner = await ensure_organisations(session)
    logins = await ensure_people(session, settings.secret_key, lviv, centre, partner)
    await ensure_demo_businesses(session)
    await ensure_demo_call(session, lviv, settings)
    await ensure_demo_evaluation(session, lviv, settings)
    await ensure_demo_partners(session)
    return logins
