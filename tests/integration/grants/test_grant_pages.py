"""The grant pages over HTTP: public calls, applying, autosave, the budget editor, files,
submission with every problem shown, the read-only view, the PDF copy and withdrawal."""

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.grants.attachments import MAX_BYTES, MAX_REQUEST_BYTES
from sme_hub.grants.models import Application
from tests.factories import (
    Client,
    csrf_token,
    field_error,
    login_page,
    make_user,
    post_form,
    text_of,
)
from tests.grants_setup import (
    IBAN,
    applicant,
    application_body,
    call_body,
    draft,
    officer_and_call,
    pdf_bytes,
    png_bytes,
    published_call,
    set_application,
    update_user,
)

OLENA = "olena@example.org"


def visible(html: str) -> str:
    return text_of(html).replace("\xa0", " ")


async def olena_with_draft(
    client: Client, session: AsyncSession, **fields: Any
) -> tuple[dict[str, Any], dict[str, str], int]:
    setup = await officer_and_call(client, session)
    headers = await applicant(client, session, OLENA, tax_id="32855909")
    application_id = await draft(client, setup["call_id"], headers, **fields)
    assert (await login_page(client, OLENA)).status_code == 303
    return setup, headers, application_id


async def saved(client: Client, headers: dict[str, str], application_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/applications/{application_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def htmx_post(client: Client, path: str, data: dict[str, Any], page: str) -> Any:
    await client.get(page)
    headers = {"HX-Request": "true", "x-csrftoken": csrf_token(client)}
    return await client.post(path, data=data, headers=headers)


async def upload(client: Client, application_id: int, name: str, body: bytes, kind: str) -> Any:
    page = f"/me/applications/{application_id}"
    await client.get(page)
    return await client.post(
        f"{page}/files",
        data={"_csrf_token": csrf_token(client)},
        files={"file": (name, body, kind)},
        follow_redirects=False,
    )


# --- public ---------------------------------------------------------------------------------


async def test_public_list_and_detail_show_the_facts(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    hidden = await client.post(
        "/api/v1/calls", headers=setup["officer"], json=call_body(title_uk="Чернетка конкурсу")
    )
    assert hidden.status_code == 201

    listed = visible((await client.get("/calls")).text)
    assert "Гранти для малого бізнесу 2027" in listed
    assert "1 000 000,00 грн" in listed and "200 000,00 грн" in listed
    assert "Чернетка конкурсу" not in listed
    # A filter that cannot be read is no filter; "²" (isdigit, but not for int()) was a 500.
    lenient = visible((await client.get("/calls?municipality_id=%C2%B2&status=soon")).text)
    assert "Гранти для малого бізнесу 2027" in lenient
    closed = visible((await client.get("/calls?status=closed")).text)
    assert "Гранти для малого бізнесу 2027" not in closed
    listed_en = visible((await client.get("/calls?lang=en")).text)
    assert "Small business grants 2027" in listed_en and "Kyiv time" in listed_en

    detail = visible((await client.get(f"/calls/{call_id}?lang=uk")).text)
    assert "Гранти для малого бізнесу 2027" in detail
    assert "Підтримка місцевих підприємців." in detail
    assert "Вплив" in detail and "Реалістичність" in detail
    assert "Хто ваші клієнти?" in detail
    detail_en = visible((await client.get(f"/calls/{call_id}?lang=en")).text)
    assert "Support for local entrepreneurs." in detail_en
    assert "from 10,000.00 UAH to 200,000.00 UAH" in detail_en
    assert "at least 20 % of the project cost" in detail_en
    assert "(Kyiv time)" in detail_en
    municipality = setup["municipality"].name_en
    assert f"The business is located in {municipality}." in detail_en
    assert "Women-led businesses get 10 bonus points." in detail_en
    assert "Log in to apply" in detail_en
    assert (await client.get(f"/calls/{hidden.json()['id']}")).status_code == 404


async def test_apply_creates_a_draft_and_a_second_try_is_refused(
    client: Client, session: AsyncSession
) -> None:
    setup = await officer_and_call(client, session)
    await applicant(client, session, OLENA, tax_id="32855909")
    assert (await login_page(client, OLENA)).status_code == 303
    page = f"/calls/{setup['call_id']}"
    assert f'action="{page}/apply"' in (await client.get(page)).text

    applied = await post_form(client, f"{page}/apply", {}, page=page, follow_redirects=False)
    assert applied.status_code == 303
    location = applied.headers["location"]
    assert re.fullmatch(r"/me/applications/\d+", location)
    form = await client.get(location)
    assert form.status_code == 200 and 'hx-post="' + location + '/autosave"' in form.text
    assert f'href="{location}"' in (await client.get(page)).text

    again = await post_form(client, f"{page}/apply", {}, page=page, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == page
    mine = visible((await client.get("/me/applications?lang=en")).text)
    assert "Small business grants 2027" in mine and "draft" in mine
    assert 'href="/me/applications"' in (await client.get("/me")).text


async def test_the_call_page_says_what_blocks_an_entrepreneur_before_they_apply(
    client: Client, session: AsyncSession
) -> None:
    """Each blocker is shown where “Apply” would be, with what to do about it, and pressing
    “Apply” anyway starts no draft (issue 15, finding 8)."""
    setup = await officer_and_call(client, session)
    strict = await published_call(client, setup["officer"], eligibility={"one_active_grant": True})

    async def blockers_on(call_id: int) -> tuple[str, dict[str, str]]:
        html = (await client.get(f"/calls/{call_id}")).text
        found = dict(re.findall(r'data-testid="blocker-(\w+)">(.*?)</li>', html, re.S))
        return html, {field: visible(text) for field, text in found.items()}

    async def refused_apply(call_id: int) -> None:
        page = f"/calls/{call_id}"
        response = await post_form(client, f"{page}/apply", {}, page=page, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == page

    # An unconfirmed email: the way to get the link again is right there.
    await applicant(client, session, OLENA, tax_id="32855909")
    await update_user(session, OLENA, email_confirmed_at=None)
    assert (await login_page(client, OLENA)).status_code == 303
    html, found = await blockers_on(setup["call_id"])
    assert set(found) == {"email"} and "підтвердьте адресу" in found["email"].lower()
    assert 'action="/confirm-email/resend"' in html.split('data-testid="blocker-email"')[1]
    assert f'action="/calls/{setup["call_id"]}/apply"' not in html
    await refused_apply(setup["call_id"])
    assert "не можна розпочати" in visible((await client.get(f"/calls/{setup['call_id']}")).text)

    # No business profile: a link to describe it.
    await make_user(session, email="newcomer@example.org")
    assert (await login_page(client, "newcomer@example.org")).status_code == 303
    html, found = await blockers_on(setup["call_id"])
    assert set(found) == {"business"} and "профілем бізнесу" in found["business"]
    assert 'href="/me/business"' in html.split('data-testid="blocker-business"')[1]
    await refused_apply(setup["call_id"])

    # An active grant where the call allows one at a time: the reason, before any typing.
    taras = await applicant(client, session, "taras@example.org", tax_id="32855914")
    earlier = await draft(client, setup["call_id"], taras)
    await set_application(session, earlier, status="approved")
    assert (await login_page(client, "taras@example.org")).status_code == 303
    html, found = await blockers_on(strict)
    assert set(found) == {"grant"} and "чинний грант" in found["grant"]
    assert 'href="/me/applications"' in html.split('data-testid="blocker-grant"')[1]
    await refused_apply(strict)
    assert await session.scalar(select(func.count()).select_from(Application)) == 1

    # Once nothing blocks: no blockers, the button, and a draft.
    relaxed = await published_call(client, setup["officer"], eligibility={})
    html, found = await blockers_on(relaxed)
    assert found == {} and f'action="/calls/{relaxed}/apply"' in html
    page = f"/calls/{relaxed}"
    applied = await post_form(client, f"{page}/apply", {}, page=page, follow_redirects=False)
    assert re.fullmatch(r"/me/applications/\d+", applied.headers["location"])


# --- the draft ------------------------------------------------------------------------------


async def test_autosave_keeps_the_valid_fields_and_marks_the_others(
    client: Client, session: AsyncSession
) -> None:
    _setup, headers, application_id = await olena_with_draft(client, session)
    page = f"/me/applications/{application_id}"
    answer = await htmx_post(
        client,
        f"{page}/autosave?lang=en",
        {
            "project_title": "Сонячна сушарка",
            "requested_amount_kop": "80 000",
            "own_contribution_kop": "20 000,50",
            "iban": "UA00 1234",
            "jobs_total": "2",
            "jobs_women": "abc",
            "screening.protected_area": "no",
            "answer.market": "Кав'ярні",
        },
        page,
    )
    assert answer.status_code == 200, answer.text
    assert "Not saved: fix the marked fields" in answer.text
    assert field_error(answer.text, "iban")
    assert field_error(answer.text, "jobs_women") == "Enter a whole number."
    assert field_error(answer.text, "project_title") == ""
    assert 'hx-swap-oob="true"' in answer.text

    body = await saved(client, headers, application_id)
    assert body["project_title"] == "Сонячна сушарка"
    assert body["requested_amount_kop"] == 8_000_000
    assert body["own_contribution_kop"] == 2_000_050
    assert body["jobs_total"] == 2 and body["jobs_women"] is None
    assert body["iban"] == ""
    assert body["screening"]["protected_area"] is False
    assert body["answers"] == {"market": "Кав'ярні"}

    fixed = await htmx_post(client, f"{page}/autosave?lang=en", {"iban": IBAN}, page)
    assert "Saved at" in fixed.text and field_error(fixed.text, "iban") == ""
    assert (await saved(client, headers, application_id))["iban"] == IBAN


async def test_save_without_javascript_shows_problems_and_keeps_the_rest(
    client: Client, session: AsyncSession
) -> None:
    _setup, headers, application_id = await olena_with_draft(client, session)
    page = f"/me/applications/{application_id}"
    answer = await post_form(
        client, f"{page}?lang=en", {"summary": "Коротко.", "contact_phone": "12"}, page=page
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "contact_phone").startswith("Enter a phone number")
    assert 'href="#f-contact_phone"' in answer.text
    assert (await saved(client, headers, application_id))["summary"] == "Коротко."
    ok = await post_form(client, page, {"summary": "Інакше."}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == page


async def test_budget_lines_are_added_and_removed_without_javascript(
    client: Client, session: AsyncSession
) -> None:
    _setup, headers, application_id = await olena_with_draft(client, session)
    page = f"/me/applications/{application_id}"
    assert (await client.get(page)).text.count('name="line_item"') == 1

    added = await post_form(
        client,
        f"{page}/lines",
        {"_line": "add", "line_item": ["Сушарка"], "line_amount": ["60 000"]},
        page=page,
    )
    assert added.status_code == 200
    assert added.text.count('name="line_item"') == 2 and "<html" in added.text
    lines = (await saved(client, headers, application_id))["budget_lines"]
    assert lines == [{"item": "Сушарка", "amount_kop": 6_000_000}]

    removed = await post_form(
        client,
        f"{page}/lines",
        {
            "_line": "remove-0",
            "line_item": ["Сушарка", "Панелі"],
            "line_amount": ["60 000", "40000"],
        },
        page=page,
    )
    assert removed.status_code == 200
    assert removed.text.count('name="line_item"') == 1 and 'value="Панелі"' in removed.text
    lines = (await saved(client, headers, application_id))["budget_lines"]
    assert lines == [{"item": "Панелі", "amount_kop": 4_000_000}]

    with_htmx = await htmx_post(
        client,
        f"{page}/lines",
        {"_line": "add", "line_item": ["Панелі"], "line_amount": ["40000"]},
        page,
    )
    assert with_htmx.text.lstrip().startswith('<fieldset id="budget-lines"')
    assert with_htmx.text.count('name="line_item"') == 2


# --- files ----------------------------------------------------------------------------------


async def test_files_are_checked_by_content_and_size(client: Client, session: AsyncSession) -> None:
    _setup, headers, application_id = await olena_with_draft(client, session)
    page = f"/me/applications/{application_id}"
    assert 'enctype="multipart/form-data"' in (await client.get(page)).text

    pdf = await upload(client, application_id, "plan.pdf", pdf_bytes(), "application/pdf")
    assert pdf.status_code == 303, pdf.text
    png = await upload(client, application_id, "photo.png", png_bytes(), "image/png")
    assert png.status_code == 303, png.text
    files = (await saved(client, headers, application_id))["attachments"]
    assert [f["filename"] for f in files] == ["plan.pdf", "photo.png"]
    listed = await client.get(page)
    assert f'href="{page}/files/{files[0]["id"]}"' in listed.text
    download = await client.get(f"{page}/files/{files[1]['id']}")
    assert download.status_code == 200 and download.content == png_bytes()

    await client.get(f"{page}?lang=en")
    fake = await upload(client, application_id, "plan.pdf", b"just text", "application/pdf")
    assert fake.status_code == 415
    assert field_error(fake.text, "file").startswith("Only PDF, JPEG and PNG files")
    big = await upload(client, application_id, "big.pdf", pdf_bytes(MAX_BYTES + 1000), "x/y")
    assert big.status_code == 413
    assert "at most 10 MB" in field_error(big.text, "file")
    huge = await upload(
        client, application_id, "huge.pdf", pdf_bytes(MAX_REQUEST_BYTES + 1000), "x/y"
    )
    assert huge.status_code == 413
    assert "The file is too large: files may be at most 10 MB." in visible(huge.text)
    assert len((await saved(client, headers, application_id))["attachments"]) == 2

    removed = await post_form(
        client, f"{page}/files/{files[0]['id']}/remove", {}, page=page, follow_redirects=False
    )
    assert removed.status_code == 303
    assert len((await saved(client, headers, application_id))["attachments"]) == 1


# --- submission -----------------------------------------------------------------------------


async def test_submit_with_missing_fields_shows_every_problem_and_changes_nothing(
    client: Client, session: AsyncSession
) -> None:
    _setup, headers, application_id = await olena_with_draft(client, session)
    page = f"/me/applications/{application_id}"
    before = await saved(client, headers, application_id)
    refused = await post_form(
        client, f"{page}/submit?lang=en", {"project_title": "Лише назва"}, page=page
    )
    assert refused.status_code == 422
    for name in (
        "summary",
        "requested_amount_kop",
        "budget_lines",
        "jobs_total",
        "screening.noise_or_traffic",
        "answers.market",
        "iban",
        "business_address",
    ):
        assert f'href="#f-{name}"' in refused.text, name
        assert field_error(refused.text, name), name
        assert f'id="f-{name}"' in refused.text, name
    assert 'value="Лише назва"' in refused.text
    after = await saved(client, headers, application_id)
    assert after["status"] == "draft" and after["project_title"] == ""
    language_free = ("next_step", "timeline")  # the page switched the language cookie
    assert {k: v for k, v in after.items() if k not in language_free} == {
        k: v for k, v in before.items() if k not in language_free
    }


async def test_submit_then_view_copy_and_withdraw(client: Client, session: AsyncSession) -> None:
    _setup, headers, application_id = await olena_with_draft(client, session, **application_body())
    page = f"/me/applications/{application_id}"
    submitted = await post_form(client, f"{page}/submit?lang=en", {}, page=page)
    assert submitted.status_code == 200, visible(submitted.text)[:2000]
    view = visible(submitted.text)
    assert "Your application has been submitted" in view
    assert "Status: submitted" in view
    assert "You started the application." in view and "Application submitted." in view
    assert "The business support centre checks the eligibility" in view
    assert 'hx-post="' not in submitted.text  # read-only now
    copy = await client.get(f"{page}/copy.pdf")
    assert copy.status_code == 200 and copy.content.startswith(b"%PDF")
    assert copy.headers["content-type"].startswith("application/pdf")

    asked = await post_form(client, f"{page}/withdraw", {}, page=page)
    assert asked.status_code == 200 and 'data-testid="confirmation"' in asked.text
    assert "Withdraw the application “Сонячна сушарка для фруктів”?" in visible(asked.text)
    assert "This cannot be undone." in visible(asked.text)  # in English, as chosen above
    assert (await saved(client, headers, application_id))["status"] == "submitted"
    withdrawn = await post_form(
        client, f"{page}/withdraw", {"confirm": "yes"}, page=page, follow_redirects=False
    )
    assert withdrawn.status_code == 303
    assert (await saved(client, headers, application_id))["status"] == "withdrawn"
    assert "Withdraw" not in visible((await client.get(f"{page}?lang=en")).text)


async def test_a_closed_call_refuses_the_submission_with_its_reason(
    client: Client, session: AsyncSession
) -> None:
    setup, headers, application_id = await olena_with_draft(client, session, **application_body())
    closed = await client.post(f"/api/v1/calls/{setup['call_id']}/close", headers=setup["officer"])
    assert closed.status_code == 200, closed.text
    page = f"/me/applications/{application_id}"
    refused = await post_form(client, f"{page}/submit?lang=en", {}, page=page)
    assert refused.status_code == 409
    assert "applications are no longer accepted" in visible(refused.text)
    assert (await saved(client, headers, application_id))["status"] == "draft"
    late = await htmx_post(client, f"{page}/autosave", {"summary": "Пізно"}, page)
    assert late.status_code == 200
