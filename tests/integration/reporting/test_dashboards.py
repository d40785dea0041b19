"""Dashboards of a municipality, a call and an oblast: the figures PostgreSQL counts, who may
read them (officers their own municipality, observers their oblast, admins all; another
tenant is 404), and the pages with a chart and a table of the same numbers."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.roles import Role
from sme_hub.grants.models import GrantCall
from sme_hub.implementation.models import ProgressReport
from sme_hub.partners.models import Referral
from sme_hub.training.models import Cohort, Enrolment, Programme
from tests.factories import Client, login_page, make_user, token_headers
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    approved_grant,
    other_municipality,
    set_application,
    submitted,
    user_id_of,
)

LVIV_OBLAST = "UA46000000000026241"


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def lviv_with_figures(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Lviv with one approved grant (women-led, advanced green, 500 000 requested), another
    submitted application (not women-led, no green), reports, enrolments and referrals."""
    setup = await approved_grant(client, session)
    grant_id = setup["grant_id"]
    await set_application(
        session,
        grant_id,
        women_led=True,
        green_level="advanced",
        jobs_total=4,
        jobs_women=3,
        paid_kop=30_000_00,  # within the tranches the approval planned
    )
    other = await applicant(
        client, session, "second@example.org", tax_id=TAX_IDS[1], name="ТОВ «Друга»"
    )
    await _call_status(session, setup["call_id"], "published")  # a late second applicant
    second = await submitted(client, setup["call_id"], other)
    await _call_status(session, setup["call_id"], "in_evaluation")
    await set_application(session, second, women_led=False, green_level="none")

    mid = setup["municipality"].id
    grantee_id = await user_id_of(session, "grantee@example.org")
    second_id = await user_id_of(session, "second@example.org")
    now = datetime.now(UTC)
    # Reports state jobs so far: only the latest accepted one counts.
    for days, jobs, women, status in (
        (60, 1, 1, "accepted"),
        (30, 3, 2, "accepted"),
        (1, 10, 5, "submitted"),
    ):
        session.add(
            ProgressReport(
                application_id=grant_id,
                municipality_id=mid,
                period=f"{days}",
                jobs_created=jobs,
                women_employed=women,
                status=status,
                submitted_at=now - timedelta(days=days),
            )
        )
    programme = Programme(centre_id=setup["centre"].id, municipality_id=mid, title="Основи бізнесу")
    session.add(programme)
    await session.flush()
    today = now.date()
    cohort = Cohort(
        programme_id=programme.id or 0,
        centre_id=setup["centre"].id,
        municipality_id=mid,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=30),
        enrolment_deadline=today - timedelta(days=61),
        capacity=10,
        status="finished",
    )
    session.add(cohort)
    await session.flush()
    # The grantee's business is headed by a man (the test profile), the second's too: make
    # the second an unknown (no profile) by enrolling a third person without one.
    third = await make_user(session, Role.ENTREPRENEUR, email="third@example.org")
    for user_id, status in (
        (grantee_id, "completed"),
        (second_id, "not_completed"),
        (third.id, "completed"),
    ):
        session.add(
            Enrolment(
                cohort_id=cohort.id or 0, user_id=user_id or 0, municipality_id=mid, status=status
            )
        )
    partner_id = await _partner(session)
    for status, note in (("completed", "Кредит 200 000 грн"), ("declined", ""), ("sent", "")):
        session.add(
            Referral(
                entrepreneur_id=grantee_id,
                partner_id=partner_id,
                service=f"Послуга {status}",
                status=status,
                outcome_note=note,
                created_by=grantee_id,
                municipality_id=mid,
                application_id=grant_id if status == "completed" else None,
            )
        )
    await session.commit()
    return {**setup, "second_id": second}


async def status(client: Client, path: str, headers: dict[str, str] | None = None) -> int:
    return (await client.get(path, headers=headers)).status_code


async def _call_status(session: AsyncSession, call_id: int, status: str) -> None:
    await session.execute(
        update(GrantCall).where(col(GrantCall.id) == call_id).values(status=status)
    )
    await session.commit()


async def _partner(session: AsyncSession) -> int:
    from tests.factories import make_partner

    partner = await make_partner(session, services=["Кредити"])
    return partner.id


async def test_a_municipality_dashboard_counts_everything_in_sql(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_figures(client, session)
    mid = setup["municipality"].id
    response = await client.get(f"/api/v1/reports/municipalities/{mid}", headers=setup["officer"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["municipality"]["katottg"] == "UA46060250000025047"
    f = body["figures"]
    assert f["applications_by_status"] == {"approved": 1, "submitted": 1}
    assert (f["applicants"], f["awarded"]) == (2, 1)
    shares = {s["group"]: s for s in f["shares"]}
    assert shares["women_led"] == {
        "group": "women_led",
        "applicants": 1,
        "applicants_pct": "50.0",
        "awarded": 1,
        "awarded_pct": "100.0",
    }
    assert shares["green_advanced"]["applicants_pct"] == "50.0"
    assert shares["green_none"]["awarded"] == 0
    awarded_kop = await _awarded(session, setup["grant_id"])
    assert f["money"]["approved_kop"] == awarded_kop
    assert f["money"]["paid_kop"] == 30_000_00
    assert f["money"]["budget_kop"] > 0
    assert f["money"]["requested_kop"] >= awarded_kop
    assert f["jobs"] == {"planned": 4, "planned_women": 3, "created": 3, "created_women": 2}
    training = f["training"]
    assert training["by_status"]["completed"] == 2
    assert training["by_status"]["not_completed"] == 1
    assert training["completion_rate_pct"] == "66.7"
    assert training["by_gender"]["male"]["enrolments"] == 2
    assert training["by_gender"]["unknown"] == {
        "enrolments": 1,
        "completed": 1,
        "not_completed": 0,
        "completion_rate_pct": "100.0",
    }
    assert f["referrals_by_status"] == {"sent": 1, "accepted": 0, "declined": 1, "completed": 1}


async def _awarded(session: AsyncSession, application_id: int) -> int:
    from sme_hub.grants.models import Application

    application = await session.get(Application, application_id)
    assert application is not None and application.awarded_kop is not None
    await session.refresh(application)
    return application.awarded_kop


async def test_a_call_dashboard_counts_only_that_call(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_figures(client, session)
    response = await client.get(
        f"/api/v1/reports/calls/{setup['call_id']}", headers=setup["officer"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["call"]["id"] == setup["call_id"]
    f = body["figures"]
    assert (f["applicants"], f["awarded"]) == (2, 1)
    assert f["training"] is None  # training belongs to no call
    # only the referral offered from this call's grant
    assert f["referrals_by_status"] == {"sent": 0, "accepted": 0, "declined": 0, "completed": 1}


async def test_another_tenant_never_sees_the_figures(client: Client, session: AsyncSession) -> None:
    setup = await lviv_with_figures(client, session)
    mid = setup["municipality"].id
    kyiv = await other_municipality(client, session)
    paths = [
        f"/api/v1/reports/municipalities/{mid}",
        f"/api/v1/reports/calls/{setup['call_id']}",
        f"/api/v1/reports/oblasts/{LVIV_OBLAST}",
    ]
    for path in paths:
        assert await status(client, path, kyiv["officer"]) == 404, path
        assert (await client.get(path)).status_code == 401, path
        assert await status(client, path, setup["staff"]) == 403, path
    assert await status(client, "/api/v1/reports/municipalities/999999", setup["officer"]) == 404
    # and Kyiv's own dashboard shows none of Lviv's applications
    own = await client.get(
        f"/api/v1/reports/municipalities/{kyiv['municipality'].id}", headers=kyiv["officer"]
    )
    assert own.status_code == 200
    assert own.json()["figures"]["applicants"] == 0


async def test_a_regional_observer_sees_the_oblast_and_its_municipalities(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_figures(client, session)
    kyiv = await other_municipality(client, session)  # same default oblast in the factories
    await make_user(
        session, Role.REGIONAL_OBSERVER, email="observer@example.org", oblast=LVIV_OBLAST
    )
    await make_user(
        session, Role.REGIONAL_OBSERVER, email="far@example.org", oblast="UA05000000000010236"
    )
    observer = await token_headers(client, "observer@example.org")
    far = await token_headers(client, "far@example.org")

    response = await client.get(f"/api/v1/reports/oblasts/{LVIV_OBLAST}", headers=observer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["municipality"]["id"] for m in body["municipalities"]] == sorted(
        [setup["municipality"].id, kyiv["municipality"].id],
        key={setup["municipality"].id: "Львівська громада", kyiv["municipality"].id: "Київ"}.get,
    )
    assert body["totals"]["applicants"] == 2
    assert body["totals"]["jobs"]["created"] == 3
    mid = setup["municipality"].id
    assert await status(client, f"/api/v1/reports/municipalities/{mid}", observer) == 200
    assert await status(client, f"/api/v1/reports/oblasts/{LVIV_OBLAST}", far) == 404
    assert await status(client, f"/api/v1/reports/municipalities/{mid}", far) == 404


async def test_dashboard_pages_draw_charts_with_their_numbers(
    client: Client, session: AsyncSession
) -> None:
    setup = await lviv_with_figures(client, session)
    mid = setup["municipality"].id
    await login_page(client, f"officer{mid}@example.org")
    index = await client.get("/reports", follow_redirects=False)
    assert index.status_code in (302, 303)
    assert index.headers["location"] == f"/reports/municipalities/{mid}"

    page = await client.get(f"/reports/municipalities/{mid}")
    assert page.status_code == 200
    html = page.text
    assert "Львівська громада" in html
    assert html.count("<svg") >= 6
    assert 'role="img"' in html
    assert "<table" in html
    assert "50,0\u00a0%" in html  # women-led among applicants, in the chart and its table
    assert "Жінки" in html or "жінк" in html.lower()
    assert f'href="/reports/calls/{setup["call_id"]}"' in html

    call_page = await client.get(f"/reports/calls/{setup['call_id']}?lang=en")
    assert call_page.status_code == 200
    assert "Call dashboard" in call_page.text
    assert "Among the awarded" in call_page.text

    kyiv = await other_municipality(client, session)
    assert await status(client, f"/reports/municipalities/{kyiv['municipality'].id}") == 404


async def test_the_oblast_page_lists_each_municipality(
    client: Client, session: AsyncSession
) -> None:
    await lviv_with_figures(client, session)
    await make_user(
        session, Role.REGIONAL_OBSERVER, email="observer@example.org", oblast=LVIV_OBLAST
    )
    await login_page(client, "observer@example.org")
    index = await client.get("/reports", follow_redirects=False)
    assert index.headers["location"] == f"/reports/oblasts/{LVIV_OBLAST}"
    page = await client.get(f"/reports/oblasts/{LVIV_OBLAST}")
    assert page.status_code == 200
    assert "Львівська громада" in page.text
    assert "Регіональний огляд" in page.text
