"""Open government and dashboards in a real browser, on the demo data: anyone finds the demo
grant in the public register (search, then English) and downloads its open data; the officer
reads the municipality's dashboard and a call's; the regional observer reads the oblast's."""

import json
import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.demo import seed_demo
from tests.e2e.conftest import Screenshotter, log_in

pytestmark = pytest.mark.e2e


async def test_the_public_finds_an_awarded_grant_and_its_open_data(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    await seed_demo(session, demo_settings)
    await session.commit()
    await page.goto("/")
    await page.locator("header").get_by_role("link", name="Переможці").click()
    main = page.locator("main")
    await expect(main.locator("h1")).to_have_text("Надані гранти")
    await page.get_by_label("Назва бізнесу або проєкту містить").fill("випічки")
    await main.get_by_role("button", name="Шукати").click()
    await expect(main.locator("tbody tr")).to_have_count(1)
    await expect(main).to_contain_text("110 000,00 грн")
    await screenshot("reporting-01-register-search")

    await page.get_by_role("link", name="ENG").click()
    await expect(main.locator("h1")).to_have_text("Awarded grants")
    await expect(main).to_contain_text("Women-led")

    await page.get_by_role("link", name="Open data").first.click()
    await expect(main).to_contain_text("CC BY 4.0")
    json_link = main.get_by_role("link", name="JSON").last
    href = await json_link.get_attribute("href")
    assert href is not None and href.endswith("/grants.json")
    response = await page.request.get(href)
    assert response.ok
    package = json.loads(await response.text())
    assert package["version"] == "1.4"
    assert package["grants"][0]["currency"] == "UAH"
    await screenshot("reporting-02-open-data")


async def test_an_officer_and_an_observer_read_their_dashboards(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    await seed_demo(session, demo_settings)
    await session.commit()
    await log_in(page, "officer@demo.sme-hub.org")
    await page.locator("header").get_by_role("link", name="Показники").click()
    main = page.locator("main")
    await expect(main.locator("h1")).to_contain_text("Панель показників")
    chart = main.locator("section.chart-block", has_text="Жіночі та зелені бізнеси")
    await expect(chart.locator(".bars[role=img]")).to_be_visible()
    await expect(chart.locator("table")).to_contain_text("Серед переможців")
    await screenshot("reporting-03-municipality-dashboard")

    await main.get_by_role("link", name="Жіночий бізнес Львова 2026: мікрогранти").click()
    await expect(main.locator("h1")).to_contain_text("Панель конкурсу")
    await expect(main.locator(".key-figures")).to_contain_text("110 000,00 грн")
    await screenshot("reporting-04-call-dashboard")

    await page.context.clear_cookies()
    await log_in(page, "observer@demo.sme-hub.org")
    # The observer lands on the dashboards, which open the oblast's overview.
    await expect(page).to_have_url(re.compile(r"/reports(/oblasts/\w+)?$"))
    await page.locator("header").get_by_role("link", name="Показники").click()
    await expect(main.locator("h1")).to_contain_text("Регіональний огляд")
    await expect(main).to_contain_text("Львівська міська територіальна громада")
    await main.get_by_role("link", name="Львівська міська територіальна громада").click()
    await expect(main.locator("h1")).to_contain_text("Панель показників")
    await screenshot("reporting-05-oblast-to-municipality")
