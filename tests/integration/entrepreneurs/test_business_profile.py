"""The business profile over the API: validation, assessment, versions, uniqueness, rights."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.entrepreneurs.models import BusinessProfile, BusinessProfileVersion
from tests.factories import Client, make_municipality, make_user, token_headers
from tests.grants_setup import FEMALE_RNOKPP, profile

LVIV = "UA46060250000025047"


async def entrepreneur(
    client: Client, session: AsyncSession, email: str = "olena@example.org"
) -> dict[str, str]:
    await make_user(session, Role.ENTREPRENEUR, email=email)
    return await token_headers(client, email)


async def test_profile_is_saved_assessed_and_versioned(
    client: Client, session: AsyncSession
) -> None:
    headers = await entrepreneur(client, session)
    response = await client.put("/api/v1/me/business", json=profile(), headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["women_led"] is True
    assert any("60" in reason for reason in body["women_led_reasons"])
    assert body["green_score"] == 10 + 12 + 8 + 14
    assert body["green_level"] == "basic"
    assert body["version"] == 1
    again = await client.put(
        "/api/v1/me/business", json=profile(name="Нова назва"), headers=headers
    )
    assert again.json()["version"] == 2
    fetched = await client.get("/api/v1/me/business", headers=headers)
    assert fetched.json()["name"] == "Нова назва"
    versions = await session.scalar(select(func.count()).select_from(BusinessProfileVersion))
    assert versions == 2


async def test_reasons_follow_the_language(client: Client, session: AsyncSession) -> None:
    headers = await entrepreneur(client, session)
    await client.put("/api/v1/me/business", json=profile(), headers=headers)
    uk = await client.get("/api/v1/me/business", headers=headers)
    en = await client.get("/api/v1/me/business?lang=en", headers=headers)
    assert uk.json()["women_led_reasons"] != en.json()["women_led_reasons"]
    assert "жінкам належить 60 %" in uk.json()["women_led_reasons"][0]
    assert "women own 60 %" in en.json()["women_led_reasons"][0]


async def test_female_fop_by_rnokpp_is_women_led(client: Client, session: AsyncSession) -> None:
    headers = await entrepreneur(client, session)
    response = await client.put(
        "/api/v1/me/business",
        headers=headers,
        json=profile(legal_form="fop", tax_id=FEMALE_RNOKPP, owners=[], leaders=[]),
    )
    assert response.status_code == 200, response.text
    assert response.json()["women_led"] is True
    assert response.json()["tax_id_kind"] == "rnokpp"


async def test_profile_links_to_the_municipality_of_its_community(
    client: Client, session: AsyncSession
) -> None:
    lviv = await make_municipality(session, katottg=LVIV)
    headers = await entrepreneur(client, session)
    response = await client.put("/api/v1/me/business", json=profile(), headers=headers)
    assert response.json()["municipality_id"] == lviv.id


async def test_bad_input_names_the_field_and_stores_nothing(
    client: Client, session: AsyncSession
) -> None:
    headers = await entrepreneur(client, session)
    cases = [
        (profile(tax_id="32855962"), 400, "tax_id"),  # wrong check digit
        (profile(legal_form="fop", tax_id="1234567890"), 400, "tax_id"),
        (
            profile(
                owners=[
                    {"gender": "female", "share_pct": "50"},
                    {"gender": "male", "share_pct": "40"},
                ]
            ),
            400,
            "owners",
        ),
        (profile(employees_total=3, employees_women=4), 400, "employees_women"),
        (profile(registered_on="2999-01-01"), 400, "registered_on"),
        (profile(registered_on="1990-01-01"), 400, "registered_on"),
        (profile(green={"answers": {"flying_cars": True}}), 400, "green.answers"),
        (profile(colour="green"), 400, "colour"),
        (profile(kved="99.99"), 422, "kved"),
        (profile(katottg="UA99999999999999999"), 422, "katottg"),
    ]
    for body, status, field in cases:
        response = await client.put("/api/v1/me/business", json=body, headers=headers)
        assert response.status_code == status, (field, response.text)
        keys = [item.get("key") for item in response.json().get("extra", [])]
        assert any(key and key.startswith(field) for key in keys), (field, response.json())
    assert await session.scalar(select(func.count()).select_from(BusinessProfile)) == 0


async def test_a_tax_number_belongs_to_one_profile(client: Client, session: AsyncSession) -> None:
    first = await entrepreneur(client, session, "first@example.org")
    second = await entrepreneur(client, session, "second@example.org")
    assert (
        await client.put("/api/v1/me/business", json=profile(), headers=first)
    ).status_code == 200
    response = await client.put("/api/v1/me/business", json=profile(), headers=second)
    assert response.status_code == 409
    assert response.json()["extra"][0]["key"] == "tax_id"
    assert (await client.get("/api/v1/me/business", headers=second)).status_code == 404


async def test_only_entrepreneurs_have_a_business(client: Client, session: AsyncSession) -> None:
    lviv = await make_municipality(session)
    await make_user(session, Role.MUNICIPAL_OFFICER, lviv.id, email="officer@example.org")
    headers = await token_headers(client, "officer@example.org")
    assert (await client.get("/api/v1/me/business", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/me/business")).status_code == 401


async def test_export_and_delete_my_data(client: Client, session: AsyncSession) -> None:
    headers = await entrepreneur(client, session)
    await client.put(
        "/api/v1/me/business", json=profile(legal_form="fop", tax_id=FEMALE_RNOKPP), headers=headers
    )
    export = await client.get("/api/v1/me/data", headers=headers)
    assert export.status_code == 200
    data = export.json()
    assert data["account"]["email"] == "olena@example.org"
    assert data["business_profile"]["tax_id"] == FEMALE_RNOKPP
    assert len(data["business_profile_versions"]) == 1

    wrong = await client.post(
        "/api/v1/me/delete", json={"password": "not my password"}, headers=headers
    )
    assert wrong.status_code == 422
    deleted = await client.post(
        "/api/v1/me/delete", json={"password": "correct horse battery staple"}, headers=headers
    )
    assert deleted.status_code == 200
    # The token and the password are gone; the person's number is gone from the profile.
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    login = await client.post(
        "/api/v1/auth/token",
        json={"email": "olena@example.org", "password": "correct horse battery staple"},
    )
    assert login.status_code == 401
    stored = await session.scalar(select(BusinessProfile))
    assert stored is not None and stored.tax_id is None
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "deleted_own_account" in actions and "exported_own_data" in actions
