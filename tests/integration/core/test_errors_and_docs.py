"""Error pages and JSON errors, the OpenAPI schema, health, and paginated lists."""

from typing import Any

import pytest

from tests.factories import Client, error_keys, make_centre, make_municipality, text_of

# --- errors ---------------------------------------------------------------------------------


async def test_unknown_page_is_a_ukrainian_404_page(client: Client) -> None:
    response = await client.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="uk">' in response.text
    text = text_of(response.text)
    assert "Сторінку не знайдено" in text
    assert "На головну сторінку" in text
    assert "Not Found" not in text  # no stock English text on a Ukrainian page


async def test_unknown_page_in_english_with_lang_en(client: Client) -> None:
    response = await client.get("/no/such/page?lang=en")

    assert response.status_code == 404
    assert '<html lang="en">' in response.text
    text = text_of(response.text)
    assert "Page not found" in text
    assert "Go to the home page" in text
    assert "Сторінку не знайдено" not in text


async def test_unknown_page_follows_the_remembered_language(client: Client) -> None:
    await client.get("/?lang=en")  # remembered in a cookie
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response.text)


async def test_unknown_page_follows_the_browser_language(client: Client) -> None:
    response = await client.get("/no-such-page", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert "Page not found" in text_of(response.text)


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/nothing", "/api/v1/me/nope"])
async def test_unknown_api_path_is_a_json_404(client: Client, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status_code"] == 404
    assert isinstance(body["detail"], str) and body["detail"]
    assert "<html" not in response.text


async def test_wrong_method_on_the_api_is_a_json_405(client: Client) -> None:
    response = await client.get("/api/v1/auth/token")
    assert response.status_code == 405
    assert response.json()["status_code"] == 405


async def test_malformed_json_is_a_400(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/token",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["status_code"] == 400


# --- docs and health ------------------------------------------------------------------------


async def test_openapi_schema_lists_the_api(client: Client) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "SME Hub API"
    paths = {path.rstrip("/") for path in schema["paths"]}
    for path in (
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/admin/municipalities",
        "/api/v1/admin/centres",
        "/api/v1/admin/users",
        "/api/v1/admin/partners",
        "/api/v1/municipalities",
        "/api/v1/municipalities/{municipality_id}/staff",
        "/health",
    ):
        assert path in paths, path
    # Pages are not part of the API.
    assert not paths & {"/", "/login", "/register", "/logout", "/admin"}
    assert "bearer" in schema["components"]["securitySchemes"]


async def test_openapi_schema_describes_bodies(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()

    register = schema["paths"]["/api/v1/auth/register"]["post"]
    assert "requestBody" in register
    assert "201" in register["responses"]  # the same for a taken address (no 409)
    assert "409" not in register["responses"]
    token = schema["paths"]["/api/v1/auth/token"]["post"]
    assert "200" in token["responses"]
    schemas = schema["components"]["schemas"]
    register_schema = next(v for k, v in schemas.items() if k.endswith("RegisterRequest"))
    assert {"email", "password", "full_name", "consent"} <= set(register_schema["properties"])


async def test_health_reports_the_database(client: Client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-request-id"]


# --- lists ----------------------------------------------------------------------------------


async def test_municipality_list_is_paginated(client: Client, session: Any) -> None:
    for name in ("Вінницька громада", "Андріївська громада", "Бобровицька громада"):
        await make_municipality(session, name_uk=name)

    first = await client.get("/api/v1/municipalities?limit=1")

    assert first.status_code == 200
    body = first.json()
    assert body["total"] == 3
    assert [m["name_uk"] for m in body["items"]] == ["Андріївська громада"]
    assert set(body["items"][0]) >= {"id", "name_uk", "name_en", "katottg", "oblast"}

    rest = (await client.get("/api/v1/municipalities?limit=2&offset=1")).json()
    assert rest["total"] == 3
    assert [m["name_uk"] for m in rest["items"]] == ["Бобровицька громада", "Вінницька громада"]

    beyond = (await client.get("/api/v1/municipalities?offset=10")).json()
    assert beyond == {**beyond, "items": [], "total": 3}


async def test_list_default_limit_is_50(client: Client) -> None:
    response = await client.get("/api/v1/municipalities")
    assert response.status_code == 200
    body = response.json()
    assert body["items"] == []
    assert body["total"] == 0
    assert body["limit"] == 50
    assert body["offset"] == 0


async def test_list_accepts_the_maximum_limit(client: Client, session: Any) -> None:
    await make_municipality(session)
    response = await client.get("/api/v1/municipalities?limit=500")
    assert response.status_code == 200
    assert response.json()["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=501", "limit"), ("limit=0", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset")],
)
async def test_list_refuses_bad_paging(client: Client, query: str, field: str) -> None:
    response = await client.get(f"/api/v1/municipalities?{query}")

    assert response.status_code == 400
    assert response.json()["status_code"] == 400
    assert field in error_keys(response)


async def test_centre_list_filters_by_municipality(client: Client, session: Any) -> None:
    a = await make_municipality(session)
    b = await make_municipality(session)
    await make_centre(session, a, name="Центр А1")
    await make_centre(session, a, name="Центр А2")
    await make_centre(session, b, name="Центр Б")

    everything = (await client.get("/api/v1/centres")).json()
    of_a = (await client.get(f"/api/v1/centres?municipality_id={a.id}&limit=1")).json()

    assert everything["total"] == 3
    assert of_a["total"] == 2
    assert [c["name"] for c in of_a["items"]] == ["Центр А1"]
    assert of_a["items"][0]["municipality_id"] == a.id
    assert (await client.get("/api/v1/centres?limit=501")).status_code == 400
