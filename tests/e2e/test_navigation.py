"""The header on a phone and a desktop, and the login's focus after a mistake, in a real
browser: the officer's menu is collapsed at 390 px and opens from the keyboard without
script; on a wide screen its links show at once."""

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.demo import seed_demo
from tests.e2e.conftest import Screenshotter, log_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e

OFFICER = "officer@demo.sme-hub.org"
PHONE = {"width": 390, "height": 844}


async def test_the_officers_menu_on_a_phone_is_collapsed_and_opens_by_keyboard(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    await seed_demo(session, demo_settings)
    await session.commit()
    await log_in(page, OFFICER)
    await expect(page).to_have_url(re.compile(r"/municipality/calls$"))  # the officer's work
    header = page.locator("header")
    calls = header.get_by_role("link", name="Конкурси")
    await expect(calls).to_be_visible()  # wide: the work menu shows without a click
    await expect(calls).to_have_attribute("aria-current", "page")
    await expect(header.locator("summary")).to_be_hidden()

    await page.set_viewport_size(PHONE)
    await page.goto("/municipality/calls")
    menu = header.locator("details.site-menu")
    summary = menu.locator("summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_have_text("Меню")
    await expect(calls).to_be_hidden()
    box = await header.bounding_box()
    assert box is not None and box["height"] <= PHONE["height"] / 6, box
    await screenshot("header-officer-phone-closed")

    # Tab to the menu's button as a person would, then open and close it from the keyboard.
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await summary.evaluate("element => element === document.activeElement"):
            break
    await expect(summary).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(menu).to_have_attribute("open", "")
    await expect(calls).to_be_visible()
    await expect(header.get_by_role("navigation", name="Грантова програма")).to_be_visible()
    await screenshot("header-officer-phone-open")
    await page.keyboard.press("Tab")
    await expect(calls).to_be_focused()  # the first link of the work menu comes next
    await summary.focus()
    await page.keyboard.press("Space")
    await expect(menu).not_to_have_attribute("open", "")
    await expect(calls).to_be_hidden()


async def test_a_failed_login_puts_the_focus_on_the_field_at_fault(
    page: Page, session: AsyncSession
) -> None:
    await make_user(session, email="petro@example.org")
    await page.goto("/login")
    await page.get_by_label("Електронна пошта").fill("petro@example.org")
    await page.get_by_label("Пароль").fill("not the password")
    await page.locator("main").get_by_role("button", name="Увійти").click()

    email = page.get_by_label("Електронна пошта")
    await expect(email).to_be_focused()
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_have_accessible_description("Неправильна електронна пошта або пароль.")
    await expect(page.get_by_label("Пароль")).to_have_attribute("aria-invalid", "true")
    assert await page.evaluate("document.activeElement.id") == "f-email"
