"""Centre staff see the entrepreneurs of their own municipality only, with RNOKPP masked."""

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import Role
from tests.factories import Client, make_centre, make_municipality, make_user, token_headers
from tests.grants_setup import FEMALE_RNOKPP, LVIV, profile

VINNYTSIA = "UA05020030000031457"


async def arrange(client: Client, session: AsyncSession) -> dict[str, str]:
    lviv = await make_municipality(session, katottg=LVIV)
    await make_municipality(session, katottg=VINNYTSIA)
    centre = await make_centre(session, lviv)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    people = [
        (
            "olena@example.org",
            profile(
                legal_form="fop", tax_id=FEMALE_RNOKPP, name="Олена ФОП", owners=[], leaders=[]
            ),
        ),
        (
            "petro@example.org",
            profile(
                name="ТОВ Петро",
                kved="10.71",
                green={"answers": {}},
                owners=[{"gender": "male", "share_pct": "100"}],
            ),
        ),
        ("far@example.org", profile(name="Вінницька фірма", katottg=VINNYTSIA, tax_id="32855909")),
    ]
    for email, body in people:
        await make_user(session, Role.ENTREPRENEUR, email=email)
        headers = await token_headers(client, email)
        response = await client.put("/api/v1/me/business", json=body, headers=headers)
        assert response.status_code == 200, response.text
    return await token_headers(client, "staff@example.org")


async def test_staff_see_their_municipality_only_and_masked(
    client: Client, session: AsyncSession
) -> None:
    headers = await arrange(client, session)
    response = await client.get("/api/v1/centre/clients", headers=headers)
    assert response.status_code == 200
    body = response.json()
    names = {c["business_name"] for c in body["items"]}
    assert names == {"Олена ФОП", "ТОВ Петро"}
    assert body["total"] == 2
    fop = next(c for c in body["items"] if c["business_name"] == "Олена ФОП")
    assert fop["tax_id"] == "30•••••008"


async def test_filters(client: Client, session: AsyncSession) -> None:
    headers = await arrange(client, session)

    async def names(query: str) -> set[str]:
        response = await client.get(f"/api/v1/centre/clients?{query}", headers=headers)
        return {c["business_name"] for c in response.json()["items"]}

    assert await names("q=Петро") == {"ТОВ Петро"}
    assert await names("kved=10") == {"ТОВ Петро"}
    assert await names("women_led=true") == {"Олена ФОП"}
    assert await names("green_level=none") == {"ТОВ Петро"}
    assert await names("limit=1") and len(await names("limit=1")) == 1


async def test_csv_export_and_page(client: Client, session: AsyncSession) -> None:
    await arrange(client, session)
    from tests.factories import login_page

    assert (await login_page(client, "staff@example.org")).status_code == 303
    page = await client.get("/centre/clients?q=Олена")
    assert page.status_code == 200 and "Олена ФОП" in page.text and "ТОВ Петро" not in page.text
    export = await client.get("/centre/clients/export.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 3  # header and two clients
    assert FEMALE_RNOKPP not in export.text


async def test_entrepreneurs_cannot_list_clients(client: Client, session: AsyncSession) -> None:
    await make_user(session, Role.ENTREPRENEUR, email="nosy@example.org")
    headers = await token_headers(client, "nosy@example.org")
    assert (await client.get("/api/v1/centre/clients", headers=headers)).status_code == 403


async def test_empty_filters_from_the_search_form(client: Client, session: AsyncSession) -> None:
    await arrange(client, session)
    from tests.factories import login_page

    await login_page(client, "staff@example.org")
    page = await client.get("/centre/clients?q=&kved=&women_led=&green_level=")
    assert page.status_code == 200
    assert "Олена ФОП" in page.text and "ТОВ Петро" in page.text
    women = await client.get("/centre/clients?q=&kved=&women_led=true&green_level=")
    assert "Олена ФОП" in women.text and "ТОВ Петро" not in women.text
    assert "women_led=true" in women.text  # the export link keeps the filter
