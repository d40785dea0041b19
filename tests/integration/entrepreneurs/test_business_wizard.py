"""The profile wizard's pages: three steps, inline checks, errors in the user's language."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import Role
from sme_hub.entrepreneurs.models import BusinessProfile
from tests.factories import Client, login_page, make_user, post_form, text_of
from tests.grants_setup import EDRPOU, LVIV

DETAILS = {
    "legal_form": "llc",
    "name": "ТОВ «Пекарня Олени»",
    "tax_id": EDRPOU,
    "kved": "10.71",
    "katottg": LVIV,
    "registered_on": "2019-05-01",
    "employees_total": "8",
    "employees_women": "5",
    "revenue_band": "up_to_1m",
}


async def logged_in(client: Client, session: AsyncSession) -> None:
    await make_user(session, Role.ENTREPRENEUR, email="olena@example.org")
    assert (await login_page(client, "olena@example.org")).status_code == 303


async def test_three_steps_build_the_profile(client: Client, session: AsyncSession) -> None:
    await logged_in(client, session)
    first = await client.get("/me/business", follow_redirects=False)
    assert first.headers["location"] == "/me/business/details"

    step1 = await post_form(client, "/me/business/details", DETAILS, follow_redirects=False)
    assert step1.status_code == 303 and step1.headers["location"] == "/me/business/ownership"

    step2 = await post_form(
        client,
        "/me/business/ownership",
        {
            "owner_gender": ["female", "male", "female"],
            "owner_share": ["70", "30", ""],
            "leader_role": ["head", ""],
            "leader_gender": ["female", "male"],
            "declared_groups": ["idp_owned"],
        },
        follow_redirects=False,
    )
    assert step2.status_code == 303 and step2.headers["location"] == "/me/business/green"

    step3 = await post_form(
        client,
        "/me/business/green",
        {
            "green": [
                "energy_efficiency",
                "renewable_energy",
                "green_product",
                "local_supply",
                "waste_sorting",
                "circular_materials",
                "eco_certification",
                "water_saving",
            ]
        },
        follow_redirects=False,
    )
    assert step3.status_code == 303 and step3.headers["location"] == "/me/business"

    stored = await session.scalar(select(BusinessProfile))
    assert stored is not None
    assert stored.version == 3 and stored.women_led and stored.green_level == "advanced"
    assert stored.owners == [
        {"gender": "female", "share_pct": "70"},
        {"gender": "male", "share_pct": "30"},
    ]
    assert stored.declared_groups == ["idp_owned"]

    overview = text_of((await client.get("/me/business")).text)
    assert "ТОВ «Пекарня Олени»" in overview
    assert "70" in overview and "74" in overview


async def test_errors_are_shown_beside_fields_and_nothing_is_saved(
    client: Client, session: AsyncSession
) -> None:
    await logged_in(client, session)
    response = await post_form(
        client,
        "/me/business/details",
        {**DETAILS, "tax_id": "32855962", "employees_women": "9", "name": ""},
    )
    assert response.status_code == 422
    page = text_of(response.text)
    assert "EDRPOU" in page or "ЄДРПОУ" in page
    assert "Це поле обов'язкове." in page
    assert 'aria-invalid="true"' in response.text
    assert 'value="ТОВ' not in response.text  # the empty name stays empty
    assert await session.scalar(select(func.count()).select_from(BusinessProfile)) == 0


async def test_ownership_needs_the_business_first(client: Client, session: AsyncSession) -> None:
    await logged_in(client, session)
    response = await post_form(
        client, "/me/business/ownership", {"owner_gender": "female", "owner_share": "100"}
    )
    assert response.status_code == 409


async def test_shares_must_add_up(client: Client, session: AsyncSession) -> None:
    await logged_in(client, session)
    await post_form(client, "/me/business/details", DETAILS)
    response = await post_form(
        client,
        "/me/business/ownership",
        {"owner_gender": ["female", "male"], "owner_share": ["70", "20"]},
    )
    assert response.status_code == 422
    assert "100 %" in text_of(response.text)


async def test_inline_check_answers_one_field(client: Client, session: AsyncSession) -> None:
    await logged_in(client, session)
    await client.get("/me/business/details")
    token = client.cookies["csrftoken"]
    bad = await client.post(
        "/me/business/details/check?field=tax_id",
        data={**DETAILS, "tax_id": "32855962"},
        headers={"x-csrftoken": token, "HX-Request": "true"},
    )
    assert bad.status_code == 200
    assert 'id="e-tax_id"' in bad.text and ("EDRPOU" in bad.text or "ЄДРПОУ" in bad.text)
    good = await client.post(
        "/me/business/details/check?field=tax_id",
        data=DETAILS,
        headers={"x-csrftoken": token, "HX-Request": "true"},
    )
    assert text_of(good.text).strip() == ""


async def test_dashboard_and_data_download(client: Client, session: AsyncSession) -> None:
    await logged_in(client, session)
    dashboard = await client.get("/me")
    assert dashboard.status_code == 200
    assert "/me/business/details" in dashboard.text
    await post_form(client, "/me/business/details", DETAILS)
    download = await client.get("/me/data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert download.json()["business_profile"]["name"] == DETAILS["name"]
