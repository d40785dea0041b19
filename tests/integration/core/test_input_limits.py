"""Input PostgreSQL cannot hold, and bodies Litestar cannot bind, are the caller's mistake:
a clear 4xx, never a 500 (each found by the schemathesis fuzzing in test_api_fuzz.py)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import User
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.grants.models import Application
from sme_hub.implementation.models import ProgressReport
from tests.factories import Client, count_rows, make_user, token_headers

BEYOND_INT4 = 43_901_066_244  # an id no PostgreSQL `integer` column can hold


pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/calls/{BEYOND_INT4}",
        f"/api/v1/partners/{BEYOND_INT4}",
        f"/api/v1/awards/{BEYOND_INT4}",
        f"/api/v1/calls/{BEYOND_INT4}/amendments",
    ],
)
async def test_an_id_beyond_postgresql_integers_is_not_found(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"] == "Не знайдено."


async def test_a_page_with_such_an_id_is_the_404_page(client: Client) -> None:
    response = await client.get(f"/calls/{BEYOND_INT4}?lang=en")
    assert response.status_code == 404
    assert "Page not found" in response.text


async def test_the_same_id_of_a_logged_in_caller_is_not_found(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, Role.ENTREPRENEUR, email="fuzz@example.org")
    headers = await token_headers(client, "fuzz@example.org")
    for method, path in (
        ("GET", f"/api/v1/applications/{BEYOND_INT4}"),
        ("POST", f"/api/v1/applications/{BEYOND_INT4}/withdraw"),
        ("DELETE", f"/api/v1/enrolments/{BEYOND_INT4}"),
    ):
        response = await client.request(method, path, headers=headers)
        assert response.status_code == 404, (method, path, response.text)


async def test_a_query_number_beyond_postgresql_integers_is_422(client: Client) -> None:
    response = await client.get(
        f"/api/v1/calls?municipality_id={BEYOND_INT4}", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "a number is too large" in response.json()["detail"]


async def test_a_nul_character_in_a_search_is_422(client: Client) -> None:
    for path in ("/api/v1/partners?q=a%00b", "/api/v1/reference/kved?q=a%00b"):
        response = await client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 422, (path, response.text)
        assert "NUL character" in response.json()["detail"]


async def test_a_nul_character_in_a_body_is_422_and_writes_nothing(
    client: Client, db: Database
) -> None:
    body = {
        "email": "nul@example.org",
        "full_name": "Ім\x00я",
        "password": "correct horse battery staple",
        "consent": True,
    }
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422, response.text
    assert await count_rows(db, User) == 0


async def test_a_multipart_body_without_a_file_is_400(
    client: Client, session: AsyncSession, db: Database
) -> None:
    await make_user(session, Role.ENTREPRENEUR, email="files@example.org")
    headers = await token_headers(client, "files@example.org")
    for path in ("/api/v1/applications/1/attachments", "/api/v1/reports/1/receipts"):
        response = await client.post(path, headers=headers, files={"note": (None, "no file")})
        assert response.status_code == 400, (path, response.text)
        assert response.json()["detail"] == "Додайте файл: у формі його немає."  # their locale
    assert await count_rows(db, Application) == await count_rows(db, ProgressReport) == 0
