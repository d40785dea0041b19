"""An entrepreneur describes the business in the three-step wizard, in a real browser: the
inline checks while typing (htmx), the KVED and community pickers, the women-led and green
assessment with its reasons in both languages; and the same first step without JavaScript."""

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import Screenshotter
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

FULL_NAME = "Марія Пекарчук"
EMAIL = "maria.pekarchuk@example.org"
USER_PASSWORD = "теплий хліб щоранку 2026"

FOP = "Фізична особа — підприємець (ФОП)"
BUSINESS_NAME = "ФОП Марія Пекарчук — пекарня «Ранок»"
INVALID_RNOKPP = "3000000009"  # a wrong check digit
FEMALE_RNOKPP = "3000000008"  # the ninth digit is even: a woman
KVED = "10.71"
LVIV = "UA46060250000025047"

RNOKPP_ERROR = "РНОКПП має 10 цифр, остання з яких контрольна; перевірте номер."
WOMEN_EMPLOYEES_ERROR = "Жінок-працівниць не може бути більше, ніж усіх працівників."

# The practices ticked in step 3 (their Ukrainian wording, a distinctive part of it) and
# their points: 10 + 12 + 14 + 8 + 10 + 8 + 6 + 6 = 74.
GREEN_PRACTICES = [
    "енергоефективне обладнання",  # energy_efficiency 10
    "енергію з відновлюваних джерел",  # renewable_energy 12
    "основний продукт чи послуга",  # green_product 14
    "Сортує свої відходи",  # waste_sorting 8
    "перероблені чи вторинні матеріали",  # circular_materials 10
    "екологічний сертифікат",  # eco_certification 8
    "водоощадне обладнання",  # water_saving 6
    "у радіусі близько 100 км",  # local_supply 6
]


async def register(page: Page) -> None:
    header = page.locator("header")
    await page.goto("/")
    await header.get_by_text("Зареєструватися", exact=True).click()
    await page.get_by_label("Прізвище, ім'я та по батькові").fill(FULL_NAME)
    await page.get_by_label("Електронна пошта").fill(EMAIL)
    await page.get_by_label("Пароль").fill(USER_PASSWORD)
    await page.get_by_label("Я погоджуюся на обробку моїх персональних даних").check()
    await page.locator("main").get_by_role("button", name="Створити обліковий запис").click()
    await expect(page).to_have_url(re.compile(r"/login$"))  # registering does not log in
    await page.get_by_label("Електронна пошта").fill(EMAIL)
    await page.get_by_label("Пароль").fill(USER_PASSWORD)
    await page.locator("main").get_by_role("button", name="Увійти").click()
    await expect(header.get_by_test_id("current-user")).to_have_text(FULL_NAME)


def about_the_business(page: Page) -> Locator:
    """The facts of the overview's "About the business" card."""
    card = page.locator("main article", has=page.get_by_role("heading", name="Про бізнес"))
    return card.locator("dl.facts")


async def choose_from_picker(page: Page, label: str, typed: str, code: str) -> None:
    """Type into a reference picker as a person does, wait for the options the server
    suggests, and click the one with `code`."""
    text = page.get_by_label(label)
    field_id = await text.get_attribute("id")
    assert field_id
    await text.press_sequentially(typed, delay=60)
    options = page.locator(f"#{field_id}-options")
    option = options.get_by_role("button", name=re.compile(re.escape(code)))
    await expect(option).to_be_visible()
    await option.click()
    await expect(text).to_have_value(re.compile(rf"^{re.escape(code)} — "))
    await expect(options.get_by_role("button")).to_have_count(0)  # the list closes
    # The whole entry is spelled out under the field, which may be too narrow for it.
    hint = page.locator(f"#h-{field_id.removeprefix('f-')}")
    await expect(hint).to_contain_text(f"{code} — ")


async def test_wizard_assesses_a_women_led_green_bakery(
    page: Page, screenshot: Screenshotter
) -> None:
    header = page.locator("header")
    main = page.locator("main")
    await register(page)

    await header.get_by_role("link", name="Мій кабінет").click()
    await expect(page).to_have_url(re.compile(r"/me$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Мій кабінет")
    await screenshot("20-cabinet-no-business")
    # A link styled as a button (Pico's role="button").
    await main.get_by_role("button", name="Описати мій бізнес").click()

    # Step 1: the business.
    await expect(page).to_have_url(re.compile(r"/me/business/details$"))
    steps = page.get_by_role("navigation", name="Кроки профілю вашого бізнесу")
    await expect(steps.locator("[aria-current=step]")).to_have_text("1. Бізнес")
    await page.get_by_label("Організаційно-правова форма").select_option(label=FOP)
    await page.get_by_label("Назва бізнесу").fill(BUSINESS_NAME)

    tax_id = page.get_by_label("Податковий номер", exact=True)
    tax_id_error = page.locator("#e-tax_id")
    await tax_id.press_sequentially(INVALID_RNOKPP, delay=40)
    # The server checks the field while the person types and answers the message beside it.
    await expect(tax_id_error).to_have_text(RNOKPP_ERROR)
    await expect(tax_id).to_have_accessible_description(re.compile(re.escape(RNOKPP_ERROR)))
    await screenshot("21-wizard-details-tax-id-error")
    await tax_id.press("Backspace")
    await tax_id.press_sequentially(FEMALE_RNOKPP[-1])
    await expect(tax_id).to_have_value(FEMALE_RNOKPP)
    await expect(tax_id_error).to_have_text("")

    await choose_from_picker(page, "Основний вид діяльності (КВЕД-2010)", "хліб", KVED)
    await choose_from_picker(page, "Громада, де працює бізнес", "Львівська", LVIV)
    await page.get_by_label("Дата реєстрації").fill("2019-05-01")
    await page.get_by_label("Усього працівників").fill("5")
    await page.get_by_label("З них жінок").fill("4")
    await screenshot("22-wizard-details-filled")
    await main.get_by_role("button", name="Зберегти й продовжити").click()

    # Step 2: ownership and leadership.
    await expect(page).to_have_url(re.compile(r"/me/business/ownership$"))
    await expect(page.get_by_role("status")).to_have_text("Збережено.")
    await expect(steps.locator("[aria-current=step]")).to_have_text("2. Власники й керівництво")
    await expect(page.get_by_label("Стать власника 1")).to_have_value("female")
    await page.get_by_label("Частка власника 1, %").fill("100")
    await page.get_by_label("Посада керівника 1").select_option(label="Керівник")
    await page.get_by_label("Стать керівника 1").select_option(label="Жінка")
    await page.get_by_label("Власник — внутрішньо переміщена особа").check()
    await screenshot("23-wizard-ownership-filled")
    await main.get_by_role("button", name="Зберегти й продовжити").click()

    # Step 3: green practices.
    await expect(page).to_have_url(re.compile(r"/me/business/green$"))
    await expect(steps.locator("[aria-current=step]")).to_have_text("3. Зелені практики")
    for practice in GREEN_PRACTICES:
        await page.get_by_label(practice).check()
    await screenshot("24-wizard-green-filled")
    await main.get_by_role("button", name="Зберегти", exact=True).click()

    # The overview: both assessments, each with its reasons in plain words.
    await expect(page).to_have_url(re.compile(r"/me/business$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(BUSINESS_NAME)
    women_led = main.locator(
        "article", has=page.get_by_role("heading", name="Бізнес, очолюваний жінками")
    )
    await expect(women_led).to_contain_text(
        "Ваш бізнес очолюваний жінками, бо це фізична особа — підприємець (ФОП), яка є жінкою."
    )
    await expect(women_led).to_contain_text("бо жінкам належить 100 % бізнесу")
    await expect(women_led.locator("dl.facts")).to_contain_text("Жінка — 100 %")
    await expect(women_led.locator("dl.facts")).to_contain_text("Керівник: Жінка")
    green = main.locator("article", has=page.get_by_role("heading", name="Зелений бал: 74 зі 100"))
    await expect(green).to_contain_text("Ваш «зелений» бал — 74 зі 100: просунутий зелений.")
    await expect(green.get_by_role("progressbar")).to_have_attribute("value", "74")
    await green.get_by_text("Зелені практики (8)").click()  # the ticked practices unfold
    await expect(green.get_by_role("listitem")).to_have_count(1 + len(GREEN_PRACTICES))
    facts = about_the_business(page)
    await expect(facts).to_contain_text(FEMALE_RNOKPP)
    await expect(facts).to_contain_text("10.71 — Виробництво хліба")
    # The community by its name and oblast, not by its KATOTTG code.
    await expect(facts).to_contain_text("Львівська (територіальна громада, Львівська область)")
    await expect(facts).not_to_contain_text(LVIV)
    await expect(facts).to_contain_text("01.05.2019")
    await expect(facts).to_contain_text("усього 5, з них 4 жінки")
    await screenshot("25-business-overview-uk")

    await header.get_by_role("link", name="ENG").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", name="Women-led business")).to_be_visible()
    await expect(main).to_contain_text(
        "Your business is women-led because it is an individual entrepreneur (FOP) who is a woman."
    )
    await expect(main).to_contain_text(
        "Your business is women-led because women own 100 % of it (at least 51 % is required)."
    )
    await expect(page.get_by_role("heading", name="Green score: 74 of 100")).to_be_visible()
    await expect(main).to_contain_text("Your green score is 74 of 100: advanced green.")
    await screenshot("26-business-overview-en")

    # The cabinet sums it up.
    await header.get_by_role("link", name="My cabinet").click()
    await expect(main).to_contain_text(BUSINESS_NAME)
    await expect(main).to_contain_text("Women-led business")
    await expect(main).to_contain_text("Green score: 74 of 100")


@pytest.fixture
async def no_js_page(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    """A browser with JavaScript switched off: htmx never runs, forms are plain HTML."""
    context: BrowserContext = await browser.new_context(
        base_url=live_server,
        locale="uk-UA",
        viewport={"width": 1280, "height": 800},
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    yield await context.new_page()
    await context.close()


async def test_details_step_works_without_javascript(
    no_js_page: Page, session: AsyncSession
) -> None:
    page = no_js_page
    screenshot = Screenshotter(page)
    main = page.locator("main")
    user = await make_user(session, email="nojs.fop@example.org", full_name="Ірина Без Скриптів")

    await page.goto("/login")
    await page.get_by_label("Електронна пошта").fill(user.email)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await main.get_by_role("button", name="Увійти").click()
    await expect(page.get_by_test_id("current-user")).to_have_text("Ірина Без Скриптів")

    await page.goto("/me/business/details")
    await page.get_by_label("Організаційно-правова форма").select_option(label=FOP)
    await page.get_by_label("Назва бізнесу").fill("ФОП Ірина — кондитерська")
    await page.get_by_label("Податковий номер", exact=True).fill(FEMALE_RNOKPP)
    # Without JavaScript a picker is a text field for the code itself.
    await page.get_by_label("Основний вид діяльності (КВЕД-2010)").fill(KVED)
    await page.get_by_label("Громада, де працює бізнес").fill(LVIV)
    await page.get_by_label("Дата реєстрації").fill("2019-05-01")
    await page.get_by_label("Усього працівників").fill("3")
    women = page.get_by_label("З них жінок")
    await women.fill("5")
    await main.get_by_role("button", name="Зберегти й продовжити").click()

    # The page comes back with the message beside the field and what was typed kept.
    await expect(page.get_by_role("alert")).to_have_text("Деякі поля потребують уваги.")
    await expect(women).to_have_attribute("aria-invalid", "true")
    await expect(women).to_have_accessible_description(re.compile(re.escape(WOMEN_EMPLOYEES_ERROR)))
    await expect(page.locator("#e-employees_women")).to_have_text(WOMEN_EMPLOYEES_ERROR)
    await expect(page.get_by_label("Основний вид діяльності (КВЕД-2010)")).to_have_value(KVED)
    await expect(page.locator("#h-kved")).to_contain_text("10.71 — Виробництво хліба")
    await expect(page.get_by_label("Громада, де працює бізнес")).to_have_value(LVIV)
    await expect(page.locator("#h-katottg")).to_contain_text(f"{LVIV} — Львівська")
    await expect(page.get_by_label("Податковий номер", exact=True)).to_have_value(FEMALE_RNOKPP)
    await screenshot("27-wizard-details-error-no-js")

    await women.fill("2")
    await main.get_by_role("button", name="Зберегти й продовжити").click()
    await expect(page).to_have_url(re.compile(r"/me/business/ownership$"))
    await expect(page.get_by_role("status")).to_have_text("Збережено.")

    await page.goto("/me/business")
    facts = about_the_business(page)
    await expect(facts).to_contain_text("10.71 — Виробництво хліба")
    await expect(facts).to_contain_text("усього 3, з них 2 жінки")
    await screenshot("28-business-overview-no-js")
