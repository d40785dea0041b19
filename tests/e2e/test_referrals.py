"""A referral in a real browser, on the demo data: an entrepreneur finds a bank in the
directory (filtered by kind) and asks it for a loan; the bank's user accepts the referral and
completes it with what came of it; the entrepreneur reads the outcome in "My referrals"."""

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core.roles import Role
from sme_hub.demo import seed_demo
from sme_hub.partners.models import Partner
from tests.e2e.conftest import Screenshotter, log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


async def test_an_entrepreneur_is_referred_to_a_bank_and_reads_the_outcome(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    await seed_demo(session, demo_settings)
    await session.commit()
    bank = await session.scalar(select(Partner).where(col(Partner.kind) == "bank"))
    assert bank is not None
    banker = await make_user(session, Role.PARTNER, bank.id, email="banker@example.org")

    await log_in(page, "farm@demo.sme-hub.org")
    await page.goto("/partners")
    await page.get_by_label("Вид").select_option("bank")
    await page.locator("main form").get_by_role("button", name="Шукати").click()
    results = page.locator("main")
    await expect(results).to_contain_text(bank.name)
    await expect(results).not_to_contain_text("Вінницький бізнес-інкубатор")
    await screenshot("partners-01-directory-banks")
    await page.get_by_role("link", name=bank.name).first.click()
    await page.get_by_label("Послуга").select_option("Мікрокредит")
    await page.get_by_label("Примітка для партнера (необов'язково)").fill("Потрібно 150 000 грн.")
    await page.get_by_role("button", name="Надіслати запит").click()
    await expect(page.locator("main")).to_contain_text("Ваш запит надіслано")
    await screenshot("partners-02-referral-asked")

    await page.context.clear_cookies()
    await log_in(page, banker.email, PASSWORD)
    await page.goto("/partner/referrals")
    card = page.locator("article", has_text="Потрібно 150 000 грн.")
    await card.get_by_role("button", name="Прийняти").click()
    card = page.locator("article", has_text="Потрібно 150 000 грн.")
    await expect(card.get_by_test_id("referral-status")).to_have_text("прийнято")
    await card.get_by_role("button", name="Завершити").click()  # no outcome yet: refused
    await expect(page.locator("main")).to_contain_text("Напишіть, який результат")
    card = page.locator("article", has_text="Потрібно 150 000 грн.")
    await card.get_by_label("Результат").fill("Схвалено кредит 150 000 грн")
    await card.get_by_role("button", name="Завершити").click()
    await expect(card.get_by_test_id("referral-status")).to_have_text("завершено")
    await screenshot("partners-03-partner-inbox")

    await page.context.clear_cookies()
    await log_in(page, "farm@demo.sme-hub.org")
    await page.goto("/me/referrals")
    await expect(page.locator("main")).to_contain_text("Схвалено кредит 150 000 грн")
    await screenshot("partners-04-my-referrals")
