"""Irreversible actions ask first, on a page of their own (core/pages.py `confirmation`):
posted without `confirm=yes` they change nothing and answer what will happen, with a form
that confirms and a way back; the JSON API acts at once (issue 15, finding 11)."""

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.grants.models import GrantCall
from sme_hub.training.models import Cohort
from tests.factories import Client, login_page, post_form, text_of
from tests.grants_setup import officer_and_call
from tests.integration.training.test_training import new_cohort, staff_setup


def asks(html: str, action: str, question: str, back: str) -> None:
    """The confirmation page: the question, that it is final, a form posting to the same
    address with `confirm=yes` and the CSRF token, a way back, and no script of its own."""
    shown = " ".join(text_of(html).split())
    assert question in shown and "Це не можна скасувати." in shown
    (form,) = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)[-1:]
    assert form[0] == action
    assert 'name="confirm" value="yes"' in form[1] and 'name="_csrf_token"' in form[1]
    assert f'<a href="{back}" role="button"' in form[1]
    assert "hx-confirm" not in html and "onclick" not in html


async def status_of(session: AsyncSession, model: type, row_id: int) -> str:
    status = await session.scalar(
        select(model.status).where(model.id == row_id).execution_options(populate_existing=True)  # type: ignore[attr-defined]
    )
    return str(status)


async def test_closing_a_call_now_asks_first(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    call_id = setup["call_id"]
    await login_page(client, f"officer{setup['municipality'].id}@example.org")
    call_url = f"/municipality/calls/{call_id}"

    asked = await post_form(client, f"{call_url}/close", {}, page=call_url)
    assert asked.status_code == 200
    asks(
        asked.text,
        f"{call_url}/close",
        "Закрити конкурс «Гранти для малого бізнесу 2027» зараз?",
        call_url,
    )
    assert await status_of(session, GrantCall, call_id) == "published"

    closed = await post_form(
        client, f"{call_url}/close", {"confirm": "yes"}, page=call_url, follow_redirects=False
    )
    assert closed.status_code == 303
    assert await status_of(session, GrantCall, call_id) == "closed"
    # What the state no longer allows is refused at once, without asking.
    again = await post_form(client, f"{call_url}/close", {}, page=call_url)
    assert 'data-testid="confirmation"' not in again.text and "не можна змінити" in text_of(
        again.text
    )


async def test_cancelling_and_finishing_a_cohort_ask_first(
    client: Client, session: AsyncSession
) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup)
    await login_page(client, "staff@example.org")
    page = f"/centre/training/cohorts/{cohort_id}"

    asked = await post_form(client, f"{page}/cancel", {}, page=page)
    asks(asked.text, f"{page}/cancel", "Скасувати групу", page)
    assert "Усі записані втратять свої місця." in text_of(asked.text)
    assert await status_of(session, Cohort, cohort_id) == "open"

    opened_again = await client.get(page)  # "Cancel" leads back, nothing happened
    assert "Скасувати групу" in text_of(opened_again.text)
    await post_form(client, f"{page}/cancel", {"confirm": "yes"}, page=page)
    assert await status_of(session, Cohort, cohort_id) == "cancelled"


async def test_the_api_acts_without_asking(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    closed = await client.post(f"/api/v1/calls/{setup['call_id']}/close", headers=setup["officer"])
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
