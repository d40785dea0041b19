"""A visitor's journey in a real browser: Ukrainian home page, registration (then logging in:
registering does not log in, so a taken address gets the same answer), logging out and in
again, switching to English. Fields are found by their labels, so label wiring is tested."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import Screenshotter

pytestmark = pytest.mark.e2e

FULL_NAME = "Оксана Коваленко"
EMAIL = "oksana.kovalenko@example.org"
PASSWORD = "зелений чай і мед 2026"


async def fill_registration(page: Page, *, full_name: str, email: str, password: str) -> None:
    await page.get_by_label("Прізвище, ім'я та по батькові").fill(full_name)
    await page.get_by_label("Електронна пошта").fill(email)
    await page.get_by_label("Пароль").fill(password)
    await page.get_by_label("Я погоджуюся на обробку моїх персональних даних").check()


async def test_register_log_out_log_in_and_switch_language(
    page: Page, screenshot: Screenshotter
) -> None:
    header = page.locator("header")
    main = page.locator("main")

    await page.goto("/")
    await expect(page.locator("html")).to_have_attribute("lang", "uk")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Підтримка малого бізнесу у вашій громаді"
    )
    await screenshot("01-home-uk")

    # Styled as a button (Pico's role="button"), but a link to the registration page.
    await header.get_by_text("Зареєструватися", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/register$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Створіть обліковий запис підприємця"
    )
    await fill_registration(page, full_name=FULL_NAME, email=EMAIL, password=PASSWORD)
    await screenshot("02-register-filled")

    await main.get_by_role("button", name="Створити обліковий запис").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("status").filter(has_text=EMAIL)).to_be_visible()
    await expect(header.get_by_test_id("current-user")).to_have_count(0)
    await screenshot("03-registered-login")
    await page.get_by_label("Електронна пошта").fill(EMAIL)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await main.get_by_role("button", name="Увійти").click()
    await expect(header.get_by_test_id("current-user")).to_have_text(FULL_NAME)
    await expect(header.get_by_test_id("current-roles")).to_have_text("Підприємець")
    await expect(page.get_by_role("status").filter(has_text=FULL_NAME)).to_be_visible()

    await header.get_by_role("button", name="Вийти").click()
    await expect(header.get_by_role("link", name="Увійти")).to_be_visible()
    await expect(header.get_by_test_id("current-user")).to_have_count(0)
    await expect(page.get_by_role("status").filter(has_text="Ви вийшли")).to_be_visible()
    await screenshot("04-logged-out")

    await page.goto("/login")
    await page.get_by_label("Електронна пошта").fill(EMAIL)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await screenshot("05-login-filled")
    await main.get_by_role("button", name="Увійти").click()
    await expect(header.get_by_test_id("current-user")).to_have_text(FULL_NAME)
    # An entrepreneur lands in the cabinet, which asks to describe the business.
    await expect(page).to_have_url(re.compile(r"/me$"))
    # (A link styled as a button: Pico's role="button".)
    await expect(main.get_by_role("button", name="Описати мій бізнес")).to_be_visible()
    await screenshot("06-logged-in")

    await header.get_by_role("link", name="ENG").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My cabinet")
    await expect(header.get_by_role("button", name="Log out")).to_be_visible()
    await expect(header.get_by_test_id("current-roles")).to_have_text("Entrepreneur")
    await screenshot("07-home-en")

    await header.get_by_role("button", name="Log out").click()
    await expect(header.get_by_role("link", name="Log in")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("status").filter(has_text="You have logged out.")).to_be_visible()
    await screenshot("08-logged-out-en")


async def test_short_password_is_explained_next_to_the_field(
    page: Page, screenshot: Screenshotter
) -> None:
    await page.goto("/register")
    await fill_registration(
        page, full_name=FULL_NAME, email="short.password@example.org", password="коротко"
    )
    await page.locator("main").get_by_role("button", name="Створити обліковий запис").click()

    message = "Використайте щонайменше 12 символів."
    password = page.get_by_label("Пароль")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_have_accessible_description(re.compile(re.escape(message)))
    # The message is shown beside the field, and it is the field's description.
    error = page.locator(".field-error", has_text=message)
    await expect(error).to_be_visible()
    error_id = await error.get_attribute("id")
    assert error_id
    assert error_id in (await password.get_attribute("aria-describedby") or "").split()
    await expect(page.get_by_role("alert")).to_have_text("Деякі поля потребують уваги.")
    # What was typed stays, except the password.
    await expect(page.get_by_label("Прізвище, ім'я та по батькові")).to_have_value(FULL_NAME)
    await expect(page.get_by_label("Електронна пошта")).to_have_value("short.password@example.org")
    await expect(password).to_have_value("")
    await expect(page.get_by_label("Я погоджуюся на обробку")).to_be_checked()
    await screenshot("09-register-short-password")
