"""The partner directory's map in a real browser: drawn from the page's data by
partners-map.js (with the tiles refused, as offline), its markers reachable by keyboard with
a popup linking to the partner, redrawn when htmx filters the list; without JavaScript the
map stays hidden and the list is the whole page."""

import re

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import SCREENSHOTS, Screenshotter
from tests.factories import make_municipality, make_partner

pytestmark = pytest.mark.e2e


async def three_partners(session: AsyncSession) -> None:
    lviv = await make_municipality(session, name_uk="Львівська громада")
    await make_partner(
        session,
        name="Банк «Довіра»",
        kind="bank",
        services=["Мікрокредит"],
        latitude="49.841952",
        longitude="24.031592",
        municipality_ids=[lviv.id],
    )
    await make_partner(session, name="Інкубатор «Старт»", latitude="49.83", longitude="24.01")
    await make_partner(session, name="Асоціація без адреси", kind="business_association")


async def refuse_tiles(page: Page) -> None:
    await page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())


async def test_the_map_shows_the_listed_partners(
    page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    await three_partners(session)
    await refuse_tiles(page)

    await page.goto("/partners")

    region = page.get_by_role("region", name=re.compile("Map|Мапа|Карта", re.I))
    await expect(page.locator("#partner-map")).to_be_visible()
    markers = page.locator("#partner-map .leaflet-marker-icon")
    await expect(markers).to_have_count(2)
    await expect(region).to_have_count(1)
    await expect(page.locator("#partner-map").get_by_text("OpenStreetMap")).to_be_visible()
    # Leaflet's controls speak the page's language (Ukrainian by default), not English.
    await expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Збільшити")
    await expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Зменшити")
    attribution = page.locator(".leaflet-control-attribution")
    await expect(attribution).to_contain_text("учасники OpenStreetMap")
    await expect(attribution.get_by_role("link", name="Leaflet")).to_have_attribute(
        "title", "Leaflet — бібліотека для інтерактивних мап"
    )
    await screenshot("partners-directory-map")

    bank = page.get_by_role("button", name="Банк «Довіра»")
    await bank.focus()
    await page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    await expect(popup).to_contain_text("Банк «Довіра»")
    await expect(popup.get_by_role("link")).to_have_attribute("href", re.compile(r"/partners/\d+$"))
    close = page.locator(".leaflet-popup-close-button")
    await expect(close).to_have_attribute("aria-label", "Закрити")

    await page.locator("#f-kind").select_option("bank")
    await expect(page.locator("#partner-results article.partner")).to_have_count(1)
    await expect(markers).to_have_count(1)
    await expect(page).to_have_url(re.compile(r"kind=bank"))

    await page.locator("#f-kind").select_option("business_association")
    await expect(page.locator("#partner-results article.partner")).to_have_count(1)
    await expect(page.locator("#partner-map")).to_be_hidden()


async def test_without_javascript_the_list_is_the_page(
    browser: Browser, live_server: str, session: AsyncSession
) -> None:
    await three_partners(session)
    context = await browser.new_context(
        base_url=live_server, locale="uk-UA", java_script_enabled=False
    )
    page = await context.new_page()
    try:
        await page.goto("/partners")
        await expect(page.locator("main article.partner")).to_have_count(3)
        await expect(page.locator("#partner-map")).to_be_hidden()
        await page.locator("#f-kind").select_option("bank")
        await page.locator("main form").get_by_role("button").first.click()
        await expect(page).to_have_url(re.compile(r"kind=bank"))
        await expect(page.locator("main article.partner")).to_have_count(1)
        await page.screenshot(path=str(SCREENSHOTS / "partners-directory-no-js.png"))
    finally:
        await context.close()
