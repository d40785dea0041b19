"""The reference lists over HTTP: KVED-2010 and KATOTTG search, look-up, picker options."""

import re
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.i18n import pick
from sme_hub.db import Database
from sme_hub.reference import service
from sme_hub.reference.datafiles import katottg_rows, kved_rows
from sme_hub.reference.models import KVED_VERSION, KatottgUnit, KvedClass
from tests.factories import Client

LVIV = "UA46060250000025047"
LVIV_OBLAST = "UA46000000000026241"
KYIV = "UA80000000000093317"


@pytest.fixture(autouse=True)
async def reference_data(db: Database) -> AsyncIterator[None]:
    """The migration loads the lists and the suite spares them when it empties the tables;
    should anything have emptied them, put them back as the migration loaded them."""
    async with db.engine.begin() as conn:
        if not await conn.scalar(select(func.count()).select_from(KvedClass)):
            await conn.execute(
                insert(KvedClass),
                [{**row, "classifier_version": KVED_VERSION} for row in kved_rows()],
            )
        if not await conn.scalar(select(func.count()).select_from(KatottgUnit)):
            await conn.execute(insert(KatottgUnit), katottg_rows())
    yield


def codes(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["code"] for item in items]


# --- KVED-2010 ----------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["62", "62.0", " 62. "])
async def test_kved_search_by_code_prefix(client: Client, q: str) -> None:
    response = await client.get("/api/v1/reference/kved", params={"q": q})
    assert response.status_code == 200
    body = response.json()
    assert codes(body) == ["62.01", "62.02", "62.03", "62.09"]
    assert body["total"] == 4


async def test_kved_search_pages_with_limit(client: Client) -> None:
    body = (await client.get("/api/v1/reference/kved?q=01&limit=3")).json()
    assert codes(body) == ["01.11", "01.12", "01.13"]
    assert body["total"] == 31
    assert (await client.get("/api/v1/reference/kved?limit=0")).status_code == 400


async def test_kved_search_by_ukrainian_words(client: Client) -> None:
    body = (await client.get("/api/v1/reference/kved", params={"q": "програмування"})).json()
    assert codes(body) == ["62.01"]
    item = body["items"][0]
    assert item["title"] == item["title_uk"] == "Комп'ютерне програмування"
    assert item["title_en"] == "Computer programming activities"
    assert item["classifier_version"] == "KVED-2010 (ДК 009:2010)"
    # Case does not matter, nor which apostrophe was typed; every word must occur.
    body = (await client.get("/api/v1/reference/kved", params={"q": "КОМП’ЮТЕРНЕ програм"})).json()
    assert codes(body) == ["62.01"]
    body = (await client.get("/api/v1/reference/kved", params={"q": "роздрібна книгами"})).json()
    assert codes(body) == ["47.61"]


async def test_kved_search_by_english_words_in_english(client: Client) -> None:
    body = (
        await client.get(
            "/api/v1/reference/kved", params={"q": "computer programming", "lang": "en"}
        )
    ).json()
    assert codes(body) == ["62.01"]
    assert body["items"][0]["title"] == "Computer programming activities"
    # The titles searched are those of the request's language.
    body = (
        await client.get("/api/v1/reference/kved", params={"q": "програмування", "lang": "en"})
    ).json()
    assert body == {"items": [], "total": 0}
    body = (
        await client.get(
            "/api/v1/reference/kved", params={"q": "bread"}, headers={"Accept-Language": "en"}
        )
    ).json()
    assert "10.71" in codes(body)


async def test_kved_by_code(client: Client) -> None:
    response = await client.get("/api/v1/reference/kved/01.11")
    assert response.status_code == 200
    body = response.json()
    assert body["section"] == "A" and body["division"] == "01"
    assert body["title_en"].startswith("Growing of cereals (except rice)")
    for unknown in ("99.99", "6201", "nonsense"):
        response = await client.get(f"/api/v1/reference/kved/{unknown}")
        assert response.status_code == 404, unknown
        assert unknown in response.json()["detail"]


# --- KATOTTG ------------------------------------------------------------------------------


async def test_community_search_by_name(client: Client) -> None:
    body = (await client.get("/api/v1/reference/communities", params={"q": "Львів"})).json()
    assert codes(body)[0] == LVIV  # the name that starts with the query comes first
    assert body["items"][0] == {
        "code": LVIV,
        "name": "Львівська",
        "category": "H",
        "oblast_code": LVIV_OBLAST,
        "oblast_name": "Львівська",
    }
    assert LVIV_OBLAST not in codes(body)  # oblasts are no communities
    body = (await client.get("/api/v1/reference/communities", params={"q": "київ"})).json()
    assert codes(body)[0] == KYIV
    # A word inside a compound name, with a typed apostrophe.
    body = (await client.get("/api/v1/reference/communities", params={"q": "бузька"})).json()
    assert "UA46060190000038354" in codes(body)  # Кам’янка-Бузька
    body = (await client.get("/api/v1/reference/communities", params={"q": "Кам'янка-Б"})).json()
    assert "UA46060190000038354" in codes(body)


async def test_community_search_by_code(client: Client) -> None:
    body = (
        await client.get("/api/v1/reference/communities", params={"q": "ua4606", "limit": 100})
    ).json()
    assert body["total"] == 23  # the communities of Lviv raion
    assert all(code.startswith("UA4606") for code in codes(body))
    body = (await client.get("/api/v1/reference/communities", params={"q": LVIV})).json()
    assert codes(body) == [LVIV]


async def test_community_by_code(client: Client) -> None:
    response = await client.get(f"/api/v1/reference/communities/{LVIV}")
    assert response.status_code == 200
    assert response.json()["oblast_code"] == LVIV_OBLAST
    assert (await client.get(f"/api/v1/reference/communities/{KYIV}")).json()["category"] == "K"
    for unknown in (LVIV_OBLAST, "UA99999999999999999", "Львів"):
        response = await client.get(f"/api/v1/reference/communities/{unknown}")
        assert response.status_code == 404, unknown


async def test_service_lookups(session: AsyncSession) -> None:
    oblast = await service.oblast_of(session, LVIV)
    assert oblast is not None and oblast.code == LVIV_OBLAST and oblast.category == "O"
    kyiv = await service.oblast_of(session, KYIV)
    assert kyiv is not None and kyiv.code == KYIV
    assert await service.oblast_of(session, "UA99999999999999999") is None
    assert await service.get_community(session, f" {LVIV.lower()} ") is not None
    kved = await service.get_kved(session, " 62.01 ")
    assert kved is not None and pick(kved, "title", "en") == "Computer programming activities"


# --- the htmx picker ----------------------------------------------------------------------


async def test_kved_options_fragment(client: Client) -> None:
    response = await client.get("/reference/kved/options", params={"q": "програм"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" not in response.text  # a fragment, not a page
    assert 'data-code="62.01"' in response.text
    assert "Комп&#39;ютерне програмування" in response.text
    response = await client.get("/reference/kved/options", params={"q": "62", "lang": "en"})
    assert re.findall(r'data-code="([\d.]+)"', response.text) == [
        "62.01",
        "62.02",
        "62.03",
        "62.09",
    ]
    assert "Computer programming activities" in response.text
    # Nothing typed: nothing offered; nothing found: said so.
    empty = await client.get("/reference/kved/options?q=")
    assert "data-code" not in empty.text
    none = await client.get("/reference/kved/options", params={"q": "zzzz", "lang": "en"})
    assert "Nothing found" in none.text


async def test_community_options_fragment(client: Client) -> None:
    response = await client.get("/reference/communities/options", params={"q": "Львів"})
    assert response.status_code == 200
    assert f'data-code="{LVIV}"' in response.text
    assert "Львівська" in response.text
    # More than a picker shows: it says how many there are.
    response = await client.get("/reference/communities/options", params={"q": "UA46"})
    assert len(re.findall(r'data-code="', response.text)) == 15
    assert re.search(r"\b15\b[^<]*\b73\b", response.text)  # Lviv oblast has 73


async def test_picker_macro_renders_a_field_that_works_without_javascript(app: Litestar) -> None:
    engine = app.template_engine
    assert engine is not None
    template = engine.engine.from_string(  # type: ignore[attr-defined]
        '{% from "reference/_picker.html" import picker %}'
        '{{ picker("kved", "Main activity", "/reference/kved/options", "62.01",'
        ' "Computer programming activities", {"kved": "Choose a class."}) }}'
    )
    html = template.render()
    assert '<label for="f-kved">Main activity</label>' in html
    # The visible field carries the name, so a typed code is sent as it is without JS.
    assert re.search(r'<input id="f-kved" name="kved" type="text" value="62.01"', html)
    assert 'hx-get="/reference/kved/options"' in html
    assert 'hx-trigger="input changed delay:250ms"' in html
    assert 'hx-target="#f-kved-options"' in html
    assert re.search(r'<input type="hidden" name="kved" value="62.01" data-picker-value', html)
    assert 'id="f-kved-options"' in html
    assert "Computer programming activities" in html
    assert 'aria-invalid="true"' in html and "Choose a class." in html
