"""Evaluation and decisions in a real browser, on the demo data (a Lviv call past its
deadline, scored by two evaluators, one sheet still in progress):
- the evaluator finishes her score sheet, which saves itself as she types (htmx), and submits;
- the officer tries a smaller budget in the what-if panel and watches the recommended list
  change without saving anything, then approves an application within the budget;
- the grantee opens her grant and downloads the agreement."""

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.demo import EVALUATION_CALL_TITLE, seed_demo
from sme_hub.grants.models import Application, GrantCall
from tests.e2e.conftest import Screenshotter, log_in

pytestmark = pytest.mark.e2e


async def demo_call(session: AsyncSession, demo_settings: Settings) -> GrantCall:
    await seed_demo(session, demo_settings)
    await session.commit()
    call = await session.scalar(
        select(GrantCall).where(col(GrantCall.title_uk) == EVALUATION_CALL_TITLE)
    )
    assert call is not None
    return call


async def test_the_evaluator_finishes_and_submits_her_score_sheet(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    await demo_call(session, demo_settings)
    await log_in(page, "evaluator@demo.sme-hub.org")
    await expect(page).to_have_url(re.compile(r"/evaluator/assignments$"))  # the landing
    await page.locator("header").get_by_role("link", name="Мої оцінювання").click()
    await expect(page.locator("main")).to_contain_text("Подано: 2 з 3")
    await screenshot("evaluation-01-assignments")
    in_progress = page.locator("tr", has_text="Сонячна станція").get_by_role("link")
    await in_progress.click()

    score = page.get_by_label(re.compile("Оцінка за «Вплив на довкілля»"))
    await score.fill("11")  # above the maximum of 10: marked by the field, not saved
    await expect(page.locator("#autosave-status")).to_contain_text("Не збережено")
    await score.fill("9.5")
    await expect(page.locator("#autosave-status")).to_contain_text("Збережено о")
    await screenshot("evaluation-02-score-sheet")
    await page.get_by_role("button", name="Подати оцінки").click()
    await expect(page.get_by_test_id("confirmation")).to_contain_text("Це не можна скасувати.")
    await page.get_by_role("button", name="Так, подати мої оцінки").click()
    await expect(page.locator("main")).to_contain_text("Оцінки остаточні")
    await expect(page.get_by_role("button", name="Подати оцінки")).to_have_count(0)


async def test_the_officer_tries_a_smaller_budget_then_approves_within_the_budget(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    call = await demo_call(session, demo_settings)
    budget_before = call.budget_kop
    await log_in(page, "officer@demo.sme-hub.org")
    await page.goto(f"/municipality/calls/{call.id}")
    await page.get_by_test_id("evaluation-link").click()
    await page.get_by_role("link", name="А що, якби…").click()
    summary = page.locator("#what-if-summary")
    await expect(summary).to_contain_text("З цими налаштуваннями")
    before = await summary.inner_text()
    await page.get_by_label("Бюджет, грн").fill("50000")
    await expect(summary).not_to_have_text(before)
    await expect(summary).to_contain_text("випадають: ")
    await screenshot("evaluation-03-what-if")
    await session.refresh(call)
    assert call.budget_kop == budget_before  # the simulation saved nothing

    await page.get_by_role("link", name="Рейтинг").click()
    await screenshot("evaluation-04-ranking")
    pending = await session.scalar(
        select(Application).where(
            col(Application.call_id) == call.id,
            col(Application.status).in_(("recommended", "reserve")),
        )
    )
    assert pending is not None
    await page.goto(f"/municipality/calls/{call.id}/evaluation/applications/{pending.id}")
    await page.get_by_label("Реквізити рішення").fill("Рішення виконкому № 431 від 25.11.2026")
    await page.get_by_label("Надана сума, грн (для затвердження)").fill("100000")
    await page.get_by_role("button", name="Зафіксувати рішення").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Схвалити заявку")
    await page.get_by_role("button", name="Так, схвалити").click()
    await expect(page.get_by_test_id("decision")).to_contain_text("№ 431")
    await expect(page.get_by_test_id("application-status")).to_have_text("затверджено")
    await screenshot("evaluation-05-decision")


async def test_the_grantee_opens_her_grant_and_downloads_the_agreement(
    demo_settings: Settings, page: Page, session: AsyncSession, screenshot: Screenshotter
) -> None:
    call = await demo_call(session, demo_settings)
    grant = await session.scalar(
        select(Application).where(
            col(Application.call_id) == call.id, col(Application.status) == "in_implementation"
        )
    )
    assert grant is not None
    await log_in(page, "entrepreneur@demo.sme-hub.org")
    await page.goto(f"/me/applications/{grant.id}")
    await expect(page.locator("main")).to_contain_text("Рішення і як його ухвалено")
    await page.get_by_role("link", name="Грант: договір, виплати, зобов'язання і звіти").click()
    await expect(page).to_have_url(re.compile(f"/me/grants/{grant.id}$"))
    await screenshot("evaluation-06-grant")
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Завантажити договір про грант (PDF)").click()
    download = await download_info.value
    path = await download.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
