"""The app starts, answers health, and renders its home page in both languages."""

from tests.factories import Client


async def test_health_reports_database(client: Client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_home_is_ukrainian_by_default(client: Client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    assert "Підтримка малого бізнесу" in response.text


async def test_home_in_english_by_query(client: Client) -> None:
    response = await client.get("/?lang=en")
    assert '<html lang="en">' in response.text
    assert "Support for small businesses" in response.text
    # The choice is remembered for the next page.
    assert '<html lang="en">' in (await client.get("/login")).text
