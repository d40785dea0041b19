"""An entrepreneur applies for a grant in a real browser: finds the call among the open
ones, starts a draft that saves itself while she types (htmx), adds a budget line, attaches
a business plan, is told everything that is missing at once, completes and submits the
application, and downloads its PDF copy; "My applications" shows it submitted."""

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.entrepreneurs.schemas import BusinessProfileIn
from sme_hub.grants import calls
from sme_hub.grants.call_schemas import CallCreate
from tests.e2e.conftest import Screenshotter
from tests.factories import PASSWORD, make_municipality, make_user
from tests.grants_setup import IBAN, LVIV, call_body, pdf_bytes

pytestmark = pytest.mark.e2e

NAME = "Оксана Сушко"
CALL_TITLE = "Зелений старт: гранти для малого бізнесу"


async def arrange(session: AsyncSession) -> None:
    """Lviv with an open call, and an entrepreneur whose bakery is in Lviv."""
    lviv = await make_municipality(session, katottg=LVIV, name_uk="Львівська громада")
    assert lviv.id is not None
    officer = CurrentUser.acting(
        0, Role.MUNICIPAL_OFFICER, email="system", full_name="tests", municipality_id=lviv.id
    )
    now = datetime.now(UTC)
    body = call_body(
        title_uk=CALL_TITLE,
        opens_at=(now - timedelta(days=1)).isoformat(),
        closes_at=(now + timedelta(days=20)).isoformat(),
    )
    call = await calls.create_call(session, officer, CallCreate.model_validate(body))
    await calls.transition(session, officer, call.id or 0, "publish")
    user = await make_user(session, email="oksana@example.org", full_name=NAME)
    assert user.id is not None
    owner = CurrentUser.acting(user.id, Role.ENTREPRENEUR, email=user.email, full_name=NAME)
    await entrepreneurs.save_profile(
        session,
        owner,
        BusinessProfileIn.model_validate(
            {
                "legal_form": "llc",
                "tax_id": "32855909",
                "name": "ТОВ «Сонячна сушарня»",
                "kved": "10.39",
                "katottg": LVIV,
                "registered_on": "2019-04-01",
                "employees_total": 4,
                "employees_women": 3,
                "owners": [{"gender": "female", "share_pct": "100"}],
                "leaders": [{"role": "head", "gender": "female"}],
            }
        ),
    )
    await session.commit()


async def log_in(page: Page) -> None:
    await page.goto("/login")
    await page.get_by_label("Електронна пошта").fill("oksana@example.org")
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.locator("main").get_by_role("button", name="Увійти").click()
    await expect(page.locator("header").get_by_test_id("current-user")).to_have_text(NAME)


async def test_an_entrepreneur_applies_for_a_grant(
    page: Page, screenshot: Screenshotter, session: AsyncSession, tmp_path: Path
) -> None:
    await arrange(session)
    main = page.locator("main")
    saved = page.locator("#autosave-status")

    # Anyone finds the open call and reads its rules.
    await page.goto("/")
    await page.locator("header").get_by_role("link", name="Гранти").click()
    await expect(page).to_have_url(re.compile(r"/calls$"))
    await main.get_by_role("link", name=CALL_TITLE).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(CALL_TITLE)
    await expect(main).to_contain_text("Бізнес розташований у громаді: Львівська громада.")
    await screenshot("40-grants-call")

    # She logs in, applies and gets a draft.
    await log_in(page)
    await page.goto("/calls")
    await main.get_by_role("link", name=CALL_TITLE).click()
    await main.get_by_role("button", name="Подати заявку").click()
    await expect(page).to_have_url(re.compile(r"/me/applications/\d+$"))
    application_url = page.url

    # The draft saves itself while she types.
    await page.get_by_label("Назва проєкту").fill("Сонячна сушарка для фруктів")
    await expect(saved).to_contain_text("Збережено о")
    await page.get_by_label("Запитувана сума, грн").fill("80 000")
    await page.get_by_label("Власний внесок, грн").fill("двадцять")
    await expect(page.locator("#e-own_contribution_kop")).to_contain_text("Вкажіть суму в гривнях")
    await expect(saved).to_contain_text("Не збережено")
    await page.reload()
    await expect(page.get_by_label("Назва проєкту")).to_have_value("Сонячна сушарка для фруктів")
    await expect(page.get_by_label("Запитувана сума, грн")).to_have_value("80000")

    # Submitting too early lists every problem at once.
    await main.get_by_role("button", name="Подати заявку").click()
    problems = page.get_by_role("alert")
    await expect(problems).to_contain_text("Напишіть короткий опис проєкту.")
    await expect(problems).to_contain_text("Додайте хоча б одну статтю бюджету.")
    await expect(problems).to_contain_text("Вкажіть номер рахунку")
    await screenshot("41-grants-submit-problems")

    # She completes the form; a second budget line comes from htmx.
    await page.get_by_label("Короткий опис").fill("Сушимо місцеві фрукти сонячною енергією.")
    await page.get_by_label("Детальний опис").fill("Купуємо сушарку й панелі, наймаємо двох.")
    await page.get_by_label("Власний внесок, грн").fill("20 000")
    lines = main.locator(".budget-line")
    await lines.nth(0).get_by_label("Стаття").fill("Сонячна сушарка")
    await lines.nth(0).get_by_label("Сума, грн").fill("60 000")
    await main.get_by_role("button", name="Додати рядок").click()
    await expect(lines).to_have_count(2)
    await lines.nth(1).get_by_label("Стаття").fill("Сонячні панелі")
    await lines.nth(1).get_by_label("Сума, грн").fill("40 000")
    await page.get_by_label("Нові робочі місця").fill("2")
    await page.get_by_label("З них для жінок").fill("2")
    await page.get_by_label("Вплив на довкілля").fill("Менше відходів фруктів, сонячна енергія.")
    for key in (
        "protected_area",
        "hazardous_waste",
        "new_construction",
        "emissions_or_discharges",
        "noise_or_traffic",
    ):
        await page.locator(f'input[name="screening.{key}"][value="no"]').check()
    await expect(main).to_contain_text("C — мінімальний вплив")
    await page.get_by_label("Хто ваші клієнти?").fill("Кав'ярні та магазини Львова.")
    await page.get_by_label("Номер рахунку бізнесу").fill(IBAN)
    await page.get_by_label("Контактний телефон").fill("+380 67 123 45 67")
    # The last field typed is saved before the page moves on (the "saved" note is already
    # there from earlier saves, so wait for this save's answer itself).
    async with page.expect_response(
        lambda r: (
            r.url.endswith("/autosave") and "Городоцька" in unquote_plus(r.request.post_data or "")
        )
    ):
        await page.get_by_label("Адреса реалізації проєкту").fill("Львів, вул. Городоцька, 10")
    await expect(saved).to_contain_text("Збережено о")
    await expect(main).to_contain_text("100 000,00")

    # A business plan is attached (the page works without JavaScript for this).
    plan = tmp_path / "бізнес-план.pdf"
    await asyncio.to_thread(plan.write_bytes, pdf_bytes(20_000))
    await page.get_by_label("Файл для додавання").set_input_files(plan)
    await main.get_by_role("button", name="Додати файл").click()
    await expect(main.locator("#files")).to_contain_text("бізнес-план.pdf")
    await screenshot("42-grants-draft-complete")

    # Submitted: the status, the timeline and the PDF copy.
    await main.get_by_role("button", name="Подати заявку").click()
    await expect(page).to_have_url(application_url)
    await expect(main).to_contain_text("Статус: подано")
    await expect(main).to_contain_text("Заявку подано.")
    async with page.expect_download() as download_info:
        await main.locator("a[href$='/copy.pdf']").click()
    copy = await (await download_info.value).path()
    assert (await asyncio.to_thread(Path(copy).read_bytes)).startswith(b"%PDF")
    await screenshot("43-grants-submitted")

    await page.goto("/me/applications")
    await expect(main.locator("table")).to_contain_text("Сонячна сушарка для фруктів")
    await expect(main.locator("table")).to_contain_text("подано")
    await screenshot("44-grants-my-applications")
