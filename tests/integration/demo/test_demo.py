"""Demo data: every role has a login, businesses are assessed, and a second run adds nothing."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import User
from sme_hub.config import Settings
from sme_hub.core.roles import Role
from sme_hub.demo import EVALUATION_CALL_TITLE, seed_demo
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.evaluation.models import Assignment
from sme_hub.grants.models import Application, GrantCall
from sme_hub.implementation.models import ProgressReport
from sme_hub.organisations.models import Municipality
from tests.factories import TEST_SECRET_KEY


async def test_seed_demo_is_complete_and_idempotent(
    session: AsyncSession, settings: Settings
) -> None:
    logins = await seed_demo(session, settings)
    await session.commit()
    assert {login.role for login in logins} == set(Role)
    counts = [
        await session.scalar(select(func.count()).select_from(table))
        for table in (User, Municipality, BusinessProfile)
    ]
    await seed_demo(session, settings)
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


async def test_the_demo_takes_a_call_through_evaluation_decision_and_implementation(
    session: AsyncSession,
    settings: Settings,
) -> None:
    await seed_demo(session, settings)
    await session.commit()
    call = await session.scalar(
        select(GrantCall).where(GrantCall.title_uk == EVALUATION_CALL_TITLE)
    )
    assert call is not None and call.status == "in_evaluation"
    statuses = sorted(
        (
            await session.scalars(select(Application.status).where(Application.call_id == call.id))
        ).all()
    )
    assert "in_implementation" in statuses and len(statuses) == 3
    sheets = (
        await session.scalars(select(Assignment.status).where(Assignment.call_id == call.id))
    ).all()
    assert sorted(sheets) == ["declared"] + ["submitted"] * 5  # one sheet in progress
    grant = await session.scalar(
        select(Application).where(
            Application.call_id == call.id, Application.status == "in_implementation"
        )
    )
    assert grant is not None and grant.paid_kop > 0 and grant.explanation
    reports = await session.scalar(
        select(func.count()).where(ProgressReport.application_id == grant.id)
    )
    assert reports == 1


async def test_the_demo_has_a_directory_and_referrals_in_every_state(
    session: AsyncSession,
    settings: Settings,
) -> None:
    from sme_hub.partners.models import Partner, Referral

    await seed_demo(session, settings)
    await session.commit()
    sectors = set((await session.scalars(select(Partner.sector))).all())
    assert sectors == {"public", "private", "civil_society"}
    located = await session.scalar(
        select(func.count()).where(Partner.latitude.is_not(None))  # type: ignore[union-attr]
    )
    assert (located or 0) >= 5
    states = sorted((await session.scalars(select(Referral.status))).all())
    assert states == ["accepted", "completed", "sent"]
    await seed_demo(session, settings)
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(Referral)) == 3


async def test_demo_admin_and_officer_have_two_factor_with_their_fixed_secrets(
    session: AsyncSession,
    settings: Settings,
) -> None:
    from sme_hub.core import crypto
    from sme_hub.demo import DEMO_TOTP_SECRETS, format_logins

    logins = await seed_demo(session, settings)
    await session.commit()

    for email, secret in DEMO_TOTP_SECRETS.items():
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        assert user.totp_enabled_at is not None
        assert crypto.decrypt(TEST_SECRET_KEY, user.totp_secret or "") == secret
    printed = format_logins(logins, "http://127.0.0.1:8000")
    assert all(secret in printed for secret in DEMO_TOTP_SECRETS.values())
    assert "sme-hub totp-code EMAIL" in printed


def test_the_totp_code_command_refuses_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from sme_hub import cli

    monkeypatch.setenv("SME_HUB_ENV", "production")
    monkeypatch.setenv("SME_HUB_SECRET_KEY", "x" * 40)
    with pytest.raises(SystemExit, match="demo and development installations only"):
        cli.main(["totp-code", "officer@demo.sme-hub.org"])
