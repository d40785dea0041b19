"""Demo data: every role has a login, businesses are assessed, and a second run adds nothing."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import User
from sme_hub.core.auth import Role
from sme_hub.demo import seed_demo
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.organisations.models import Municipality


async def test_seed_demo_is_complete_and_idempotent(session: AsyncSession) -> None:
    logins = await seed_demo(session)
    await session.commit()
    assert {login.role for login in logins} == set(Role)
    counts = [
        await session.scalar(select(func.count()).select_from(table))
        for table in (User, Municipality, BusinessProfile)
    ]
    await seed_demo(session)
    await session.commit()
    again = [
        await session.scalar(select(func.count()).select_from(table))
        for table in (User, Municipality, BusinessProfile)
    ]
    assert counts == again
    katottg = set((await session.scalars(select(Municipality.katottg))).all())
    assert katottg == {"UA46060250000025047", "UA05020030000031457"}
    levels = set((await session.scalars(select(BusinessProfile.green_level))).all())
    assert levels == {"none", "basic", "advanced"}
