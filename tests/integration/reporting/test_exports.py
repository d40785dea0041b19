"""Streamed exports of every staff list (CSV and XLSX): the page's filters and tenancy, an
audit record each, a download under a sensible name, and a big list that streams in many
chunks while the process holds only a batch of rows."""

import asyncio
import csv
import html
import io
import re
import tracemalloc
import zipfile
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.audit import AuditEntry
from sme_hub.core.roles import Role
from sme_hub.db import Database
from tests.factories import (
    Client,
    fetch_rows,
    login_page,
    make_municipality,
    make_user,
    token_headers,
)
from tests.grants_setup import (
    GRANTEE,
    KYIV,
    TAX_IDS,
    applicant,
    approved_grant,
    officer_and_call,
    other_municipality,
    submitted,
)
from tests.integration.entrepreneurs.test_clients import arrange as arrange_clients
from tests.integration.partners.test_referral_pages import lviv_with_people, refer
from tests.integration.training.test_training import enrol, entrepreneur, new_cohort, staff_setup

pytestmark = pytest.mark.usefixtures("fast_passwords")


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a CSV download (UTF-8 with a BOM), header first."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(response: Any) -> str:
    """The XML of the first sheet of an XLSX download (strings are inline in it)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        assert "xl/worksheets/sheet1.xml" in book.namelist()
        return book.read("xl/worksheets/sheet1.xml").decode()


def attachment_name(response: Any) -> str:
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    return disposition.split('filename="', 1)[1].rstrip('"')


async def pages_as(client: Client, email: str) -> None:
    """Signed in on the pages (a session cookie) as `email`."""
    client.cookies.clear()
    assert (await login_page(client, email)).status_code in (302, 303)


async def exported(db: Database, object_type: str) -> list[AuditEntry]:
    return await fetch_rows(
        db,
        AuditEntry,
        col(AuditEntry.action) == "exported",
        col(AuditEntry.object_type) == object_type,
    )


async def test_clients_export_keeps_filters_and_tenancy(
    client: Client, session: AsyncSession, db: Database
) -> None:
    staff = await arrange_clients(client, session)
    await pages_as(client, "staff@example.org")
    everyone = csv_rows(await client.get("/centre/clients/export.csv?lang=en"))
    assert everyone[0][:3] == ["Full name", "Email", "Business"]
    assert sorted(r[2] for r in everyone[1:]) == ["Олена ФОП", "ТОВ Петро"]  # not Vinnytsia
    assert "30•••••008" in {r[4] for r in everyone[1:]}  # an RNOKPP stays masked
    women = await client.get("/api/v1/centre/clients/export.csv?women_led=true", headers=staff)
    assert [r[2] for r in csv_rows(women)[1:]] == ["Олена ФОП"]
    assert attachment_name(women).startswith("clients-") and attachment_name(women).endswith(".csv")
    assert women.headers["cache-control"] == "no-store"
    sheet = await client.get("/centre/clients/export.xlsx?q=Петро&lang=en")
    xml = xlsx_sheet(sheet)
    assert "Full name" in xml and "ТОВ Петро" in xml and "Олена ФОП" not in xml
    assert attachment_name(sheet).endswith(".xlsx")
    entries = await exported(db, "client_list")
    assert [e.after["format"] for e in entries] == ["csv", "csv", "xlsx"]  # type: ignore[index]
    assert entries[1].after["filters"] == {"women_led": True}  # type: ignore[index]
    assert all(e.actor_id for e in entries)
    bad = await client.get("/api/v1/centre/clients/export.csv?women_led=maybe", headers=staff)
    assert bad.status_code == 422


async def test_applications_export_filters_and_other_municipality(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    call_id, staff = setup["call_id"], setup["staff"]
    for i, name in enumerate(("Анна", "Богдан")):
        person = await applicant(
            client, session, f"a{i}@example.org", tax_id=TAX_IDS[i], name=f"Фірма {name}"
        )
        await submitted(client, call_id, person, project_title=f"Проєкт {name}")
    await pages_as(client, f"staff{setup['municipality'].id}@example.org")
    page = await client.get(f"/centre/grants/calls/{call_id}?q=Анна")
    assert f"/centre/grants/calls/{call_id}/export.csv?q=" in page.text  # the link keeps it
    rows = csv_rows(await client.get(f"/centre/grants/calls/{call_id}/export.csv?lang=en"))
    assert rows[0][:4] == ["Number", "Status", "Project", "Business"]
    assert sorted(r[2] for r in rows[1:]) == ["Проєкт Анна", "Проєкт Богдан"]
    found = csv_rows(
        await client.get(f"/api/v1/calls/{call_id}/applications/export.csv?q=Богдан", headers=staff)
    )
    assert [r[2] for r in found[1:]] == ["Проєкт Богдан"]
    xml = xlsx_sheet(await client.get(f"/centre/grants/calls/{call_id}/export.xlsx?lang=en"))
    assert "Possible duplicate" in xml and "Проєкт Анна" in xml
    kyiv = await other_municipality(client, session)
    api = await client.get(
        f"/api/v1/calls/{call_id}/applications/export.xlsx", headers=kyiv["staff"]
    )
    assert api.status_code == 404
    await pages_as(client, f"staff{kyiv['municipality'].id}@example.org")
    assert (await client.get(f"/centre/grants/calls/{call_id}/export.csv")).status_code == 404
    entries = await exported(db, "grant_call")
    assert len(entries) == 3 and {e.object_id for e in entries} == {str(call_id)}
    assert entries[1].after["filters"] == {"q": "Богдан"}  # type: ignore[index]


async def test_cohort_participants_export(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup, capacity=1)
    first = await entrepreneur(client, session, "s0@example.org")
    second = await entrepreneur(client, session, "s1@example.org")
    assert (await enrol(client, cohort_id, first)).json()["status"] == "enrolled"
    assert (await enrol(client, cohort_id, second)).json()["status"] == "waitlisted"
    await pages_as(client, "staff@example.org")
    rows = csv_rows(await client.get(f"/centre/training/cohorts/{cohort_id}/export.csv?lang=en"))
    assert rows[0] == [
        "Full name",
        "Email",
        "Status",
        "Waitlist position",
        "Women-led",
        "Sessions attended",
        "Completed",
    ]
    by_email = {r[1]: r for r in rows[1:]}
    assert by_email["s0@example.org"][2:] == ["enrolled", "", "no", "0", ""]
    assert by_email["s1@example.org"][2:4] == ["on the waitlist", "1"]
    sheet = await client.get(f"/centre/training/cohorts/{cohort_id}/export.xlsx")
    assert "s1@example.org" in xlsx_sheet(sheet)
    assert attachment_name(sheet).startswith(f"cohort-{cohort_id}-participants-")
    await pages_as(client, "other@example.org")
    other = await client.get(f"/centre/training/cohorts/{cohort_id}/export.csv")
    assert other.status_code == 404  # another centre's cohort
    assert len(await exported(db, "cohort")) == 2


async def test_referral_exports_of_the_partner_the_centre_and_the_api(
    client: Client, session: AsyncSession, db: Database
) -> None:
    people = await lviv_with_people(client, session)
    body = {"entrepreneur_id": people["entrepreneur_id"], "partner_id": people["bank"].id}
    first = await refer(client, people["staff"], **body, service="Мікрокредит")
    await refer(client, people["staff"], **body, service="Лізинг обладнання")
    await refer(
        client,
        people["entrepreneur"],
        entrepreneur_id=people["entrepreneur_id"],
        partner_id=people["incubator"].id,
        service="Менторство",
    )
    accepted = await client.patch(
        f"/api/v1/referrals/{first}", headers=people["banker"], json={"status": "accepted"}
    )
    assert accepted.status_code == 200, accepted.text
    await pages_as(client, "banker@example.org")
    inbox = csv_rows(await client.get("/partner/referrals/export.csv"))
    assert sorted(r[4] for r in inbox[1:]) == ["Лізинг обладнання", "Мікрокредит"]
    only = csv_rows(await client.get("/partner/referrals/export.csv?status=accepted&lang=en"))
    assert [(r[4], r[6]) for r in only[1:]] == [("Мікрокредит", "accepted")]
    page = await client.get("/partner/referrals?status=accepted")
    assert "/partner/referrals/export.csv?status=accepted" in page.text
    await pages_as(client, "staff@example.org")
    centre = await client.get("/centre/referrals/export.xlsx")
    xml = xlsx_sheet(centre)
    assert "Мікрокредит" in xml and "Менторство" not in xml  # not made by the centre
    mine = csv_rows(
        await client.get("/api/v1/referrals/export.csv", headers=people["entrepreneur"])
    )
    assert len(mine) == 4  # the header and all three of the entrepreneur's
    bad = await client.get("/api/v1/referrals/export.csv?status=lost", headers=people["banker"])
    assert bad.status_code == 422
    assert len(await exported(db, "referral_list")) == 4


async def test_grants_export_of_the_officer(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await approved_grant(client, session, amount_kop=7_500_000)
    await pages_as(client, f"officer{setup['municipality'].id}@example.org")
    rows = csv_rows(await client.get("/municipality/grants/export.csv?lang=en"))
    assert rows[0][:5] == ["Number", "Recipient", "Grantee", "Project", "Awarded, UAH"]
    (grant,) = rows[1:]
    assert grant[0] == str(setup["grant_id"])
    assert grant[4:7] == ["75000.00", "75000.00", "0.00"]  # awarded, scheduled, paid
    assert grant[7] == "approved" and grant[8].startswith("Рішення № 7")
    assert grant[9] and grant[10]  # the first report due, with its date
    api = await client.get("/api/v1/grants/export.xlsx", headers=setup["officer"])
    assert "Рішення № 7" in xlsx_sheet(api)
    kyiv = await make_municipality(session, katottg=KYIV, name_uk="Київ")
    await make_user(session, Role.MUNICIPAL_OFFICER, kyiv.id, email="kyiv@example.org")
    stranger = await token_headers(client, "kyiv@example.org")
    theirs = csv_rows(await client.get("/api/v1/grants/export.csv", headers=stranger))
    assert len(theirs) == 1  # the header only: another municipality's grants never appear
    assert len(await exported(db, "grant_list")) == 3


# --- no formulas from what people typed -------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'


def sheet_cells(xml: str) -> dict[str, str]:
    """Each cell of a sheet's XML by its reference (`B2`), as its whole `<c …>…</c>` element."""
    cell = re.compile(r'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
    return {found.group(1): found.group(0) for found in cell.finditer(xml)}


async def test_typed_text_never_becomes_a_formula_and_numbers_stay_numbers(
    client: Client, session: AsyncSession
) -> None:
    setup = await approved_grant(client, session, amount_kop=7_500_000)
    await session.execute(
        text(
            "UPDATE application SET project_title = '@SUM(A1:A9)',"
            " snapshot = jsonb_set(snapshot, '{name}', to_jsonb(CAST(:name AS text)))"
            " WHERE id = :id"
        ),
        {"name": HYPERLINK, "id": setup["grant_id"]},
    )
    await session.execute(
        text("UPDATE user_account SET full_name = '-2+3' WHERE email = :email"),
        {"email": GRANTEE},
    )
    await session.commit()
    await pages_as(client, f"officer{setup['municipality'].id}@example.org")

    (row,) = csv_rows(await client.get("/municipality/grants/export.csv?lang=en"))[1:]
    assert row[1:4] == ["'" + HYPERLINK, "'-2+3", "'@SUM(A1:A9)"]
    assert row[0] == str(setup["grant_id"])  # numbers are not prefixed
    assert row[4] == "75000.00"

    xml = xlsx_sheet(await client.get("/municipality/grants/export.xlsx?lang=en"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    cells = sheet_cells(xml)
    for ref, typed in (("B2", HYPERLINK), ("C2", "-2+3"), ("D2", "@SUM(A1:A9)")):
        assert 't="inlineStr"' in cells[ref], cells[ref]
        assert html.escape(typed, quote=False) in cells[ref]
    for ref, number in (("A2", str(setup["grant_id"])), ("E2", "75000")):
        assert "t=" not in cells[ref], cells[ref]  # a number cell has no type attribute
        assert f"<v>{number}</v>" in cells[ref]


# --- a big export streams -------------------------------------------------------------------

BULK = 20_000
BULK_APPLICATIONS = """
WITH people AS (
  INSERT INTO user_account (email, full_name, locale, password_hash, is_active, created_at)
  SELECT 'bulk' || g || '@example.org', 'Особа ' || g, 'uk', 'x', true, now()
  FROM generate_series(1, :n) AS g
  RETURNING id
)
INSERT INTO application (call_id, municipality_id, applicant_id, status, project_title,
  summary, description, requested_amount_kop, own_contribution_kop, budget_lines,
  environmental_effect, screening, mitigation, answers, iban, contact_phone,
  business_address, phone_key, address_key, snapshot, women_led, green_level, submitted_at,
  eligibility_reason, created_at, updated_at)
SELECT :call_id, :municipality_id, id, 'submitted', 'Проєкт ' || id || repeat(' і опис', 20),
  '', '', 5000000, 0, '[]',
  '', '{}', '', '{}', '', '', '', '', '', jsonb_build_object('name', 'Фірма ' || id),
  id % 2 = 0, 'basic', now(), '', now(), now()
FROM people
"""


async def raw_get(app: Litestar, path: str, headers: dict[str, str]) -> tuple[int, list[int]]:
    """GET through the ASGI interface itself: the status and the size of each body message
    (the test client would gather the body into one piece)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    status, sizes = 0, []
    request_sent, finished = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # as a server does: the client leaves once the body is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            if message.get("body"):
                sizes.append(len(message["body"]))  # counted, not kept
            if not message.get("more_body"):
                finished.set()

    await app(scope, receive, send)  # type: ignore[arg-type]
    return status, sizes


async def test_a_big_export_streams_with_flat_memory(
    client: Client, session: AsyncSession, app: Litestar
) -> None:
    setup = await officer_and_call(client, session)
    await session.execute(
        text(BULK_APPLICATIONS),
        {"n": BULK, "call_id": setup["call_id"], "municipality_id": setup["municipality"].id},
    )
    await session.commit()
    path = f"/api/v1/calls/{setup['call_id']}/applications/export"
    data_size = 0  # the list's size as CSV: what the process would hold without streaming
    for fmt, min_chunks in (("csv", 10), ("xlsx", 2)):
        # Once untraced: the first request of a process imports modules, fills the statement
        # cache and loads the catalogs, which would count as the export's memory.
        url = f"{path}.{fmt}"
        await asyncio.to_thread(client.blocking_portal.call, raw_get, app, url, setup["staff"])
        tracemalloc.start()
        # In the test client's event loop, where the app and its database pool live.
        status, sizes = await asyncio.to_thread(
            client.blocking_portal.call, raw_get, app, url, setup["staff"]
        )
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert status == 200
        size = sum(sizes)
        data_size = data_size or size
        print(f"{fmt}: {size / 1e6:.1f} MB in {len(sizes)} chunks; peak {peak / 1e6:.1f} MB")
        assert len(sizes) >= min_chunks
        assert size > (5_000_000 if fmt == "csv" else 500_000)
        # Never the whole list at once: a batch of rows, not 20,000 (the XLSX is compressed,
        # so it is held against the data's size).
        assert peak < data_size / 2, (fmt, size, peak)
