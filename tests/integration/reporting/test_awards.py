"""The public register of awarded grants and their 360Giving open data: only awarded grants,
search, filters and pages in uk/en, the package valid against the vendored 1.4 schema, the
CSV with the standard's column titles, and never an individual entrepreneur's tax number."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.grants.models import GrantCall
from tests.factories import Client, text_of
from tests.grants_setup import (
    FEMALE_RNOKPP,
    LVIV,
    TAX_IDS,
    applicant,
    draft,
    officer_and_call,
    other_municipality,
    set_application,
    submitted,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "360giving"
FOP_NAME = "ФОП Коваль Олена Петрівна"
LLC_NAME = "ТОВ «Зелена майстерня»"


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def awarded_setup(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Lviv: a legal entity and a woman's FOP approved over the API, one application rejected
    and one draft; Kyiv: one grant completed in 2025 (rows set directly)."""
    setup = await officer_and_call(client, session)
    llc = await applicant(client, session, "llc@example.org", tax_id=TAX_IDS[0])
    fop = await applicant(
        client,
        session,
        "fop@example.org",
        tax_id=FEMALE_RNOKPP,
        legal_form="fop",
        name=FOP_NAME,
        owners=[],
        leaders=[],
        green={"answers": {}},
    )
    loser = await applicant(client, session, "loser@example.org", tax_id=TAX_IDS[1])
    drafter = await applicant(client, session, "draft@example.org", tax_id=TAX_IDS[2])
    call_id = setup["call_id"]
    llc_id = await submitted(client, call_id, llc, project_title="Сонячна сушарка для фруктів")
    fop_id = await submitted(client, call_id, fop, project_title="Пекарня на розі")
    rejected_id = await submitted(client, call_id, loser, project_title="Відхилений проєкт")
    draft_id = await draft(client, call_id, drafter, project_title="Чернетка проєкту")
    for rank, application_id in enumerate((llc_id, fop_id), start=1):
        await set_application(session, application_id, status="recommended", rank=rank)
    await set_application(session, rejected_id, status="rejected")
    await session.execute(
        update(GrantCall).where(col(GrantCall.id) == call_id).values(status="in_evaluation")
    )
    await session.commit()
    for application_id, amount in ((llc_id, 7_500_000), (fop_id, 5_000_050)):
        body = {"decision": "approved", "reference": "Рішення № 7", "amount_kop": amount}
        response = await client.post(
            f"/api/v1/applications/{application_id}/decision", headers=setup["officer"], json=body
        )
        assert response.status_code == 200, response.text
    kyiv = await other_municipality(client, session)
    kyiv_grantee = await applicant(
        client, session, "kyiv@example.org", tax_id=TAX_IDS[3], name="ТОВ «Київ Крафт»"
    )
    kyiv_id = await submitted(
        client, kyiv["call_id"], kyiv_grantee, project_title="Київська майстерня", answers={}
    )
    await set_application(
        session,
        kyiv_id,
        status="completed",
        awarded_kop=3_000_000,
        decided_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
        women_led=False,
        green_level="none",
    )
    return {
        **setup,
        "llc_id": llc_id,
        "fop_id": fop_id,
        "rejected_id": rejected_id,
        "draft_id": draft_id,
        "kyiv_id": kyiv_id,
        "kyiv": kyiv["municipality"],
    }


def package_validator() -> Draft4Validator:
    """The package schema with the grant schema it references by URL served locally."""
    package_schema = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    grant_url = package_schema["properties"]["grants"]["items"]["$ref"]
    assert "/1.4/" in grant_url
    registry: Registry[Any] = Registry().with_resource(
        grant_url, Resource.from_contents(grant_schema, default_specification=DRAFT4)
    )
    return Draft4Validator(
        package_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


async def test_register_lists_only_awarded_grants_without_individual_tax_numbers(
    client: Client, session: AsyncSession
) -> None:
    setup = await awarded_setup(client, session)
    response = await client.get("/grants")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Гранти 1–3 з 3" in page
    assert LLC_NAME in page and FOP_NAME in page and "Київська майстерня" in page
    assert "Відхилений проєкт" not in page and "Чернетка проєкту" not in page
    assert "75\u00a0000,00\u00a0грн" in response.text
    assert "50\u00a0000,50\u00a0грн" in response.text
    assert TAX_IDS[0] in page  # a legal entity's EDRPOU is public
    assert FEMALE_RNOKPP not in response.text
    api = (await client.get("/api/v1/awards")).json()
    assert api["total"] == 3
    ids = {item["id"] for item in api["items"]}
    assert ids == {setup["llc_id"], setup["fop_id"], setup["kyiv_id"]}
    fop = next(item for item in api["items"] if item["id"] == setup["fop_id"])
    assert fop["edrpou"] is None and fop["recipient_id"].startswith("360G-smehub-recipient-")
    assert FEMALE_RNOKPP not in json.dumps(api)
    one = await client.get(f"/api/v1/awards/{setup['llc_id']}")
    assert one.status_code == 200 and one.json()["recipient_id"] == f"UA-EDR-{TAX_IDS[0]}"
    for hidden in (setup["rejected_id"], setup["draft_id"], 999_999):
        assert (await client.get(f"/api/v1/awards/{hidden}")).status_code == 404


async def test_register_search_filters_and_pages(client: Client, session: AsyncSession) -> None:
    setup = await awarded_setup(client, session)

    async def found(query: str) -> set[int]:
        response = await client.get(f"/api/v1/awards?{query}")
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert await found("q=пекарня") == {setup["fop_id"]}  # project title, any case
    assert await found("q=зелена") == {setup["llc_id"]}  # business name
    assert await found(f"municipality={LVIV}") == {setup["llc_id"], setup["fop_id"]}
    assert await found("women_led=false") == {setup["kyiv_id"]}
    assert await found("green_level=none") == {setup["kyiv_id"], setup["fop_id"]}
    assert await found("year=2025") == {setup["kyiv_id"]}
    assert await found("q=100%25") == set()  # LIKE wildcards are literal
    bad = await client.get("/api/v1/awards?women_led=maybe&municipality=Lviv&year=12")
    assert bad.status_code == 422
    assert {"women_led", "municipality", "year"} <= set(json.dumps(bad.json()).split('"'))
    # A digit that is not ASCII ("²".isdigit() is true, int() refuses it) was a 500.
    assert (await client.get("/api/v1/awards?year=%C2%B2")).status_code == 422
    listed = await client.get("/api/v1/awards?limit=2")
    assert set(listed.headers["cache-control"].split(", ")) == {"public", "max-age=300"}
    first = listed.json()
    second = (await client.get("/api/v1/awards?limit=2&offset=2")).json()
    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["items"][0]["id"] == setup["kyiv_id"]  # the oldest award comes last
    page = await client.get("/grants?limit=2&lang=en")
    assert "Grants 1–2 of 3" in text_of(page.text)
    assert 'href="/grants?limit=2&offset=2"' in page.text  # a link that needs no JS
    filtered = await client.get(f"/grants?municipality={LVIV}&women_led=true&lang=en")
    assert "Women-led" in filtered.text and "Київська майстерня" not in filtered.text
    wrong = await client.get("/grants?year=abc&lang=uk")
    assert wrong.status_code == 422 and "Введіть рік" in wrong.text
    fragment = await client.get("/grants?q=пекарня", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and FOP_NAME in fragment.text


async def test_open_data_package_is_valid_360giving_and_hides_tax_numbers(
    client: Client, session: AsyncSession
) -> None:
    setup = await awarded_setup(client, session)
    response = await client.get(f"/open-data/{LVIV}/grants.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert set(response.headers["cache-control"].split(", ")) == {"public", "max-age=300"}
    assert FEMALE_RNOKPP not in response.text
    package = response.json()
    errors = [f"{list(e.path)}: {e.message}" for e in package_validator().iter_errors(package)]
    assert errors == []
    broken = {
        **package,
        "grants": [{k: v for k, v in g.items() if k != "amountAwarded"} for g in package["grants"]],
    }
    assert any("amountAwarded" in e.message for e in package_validator().iter_errors(broken))
    assert package["version"] == "1.4"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    grants = {g["id"]: g for g in package["grants"]}
    assert set(grants) == {
        f"360G-smehub-{LVIV}-{setup['llc_id']}",
        f"360G-smehub-{LVIV}-{setup['fop_id']}",
    }
    llc = grants[f"360G-smehub-{LVIV}-{setup['llc_id']}"]
    fop = grants[f"360G-smehub-{LVIV}-{setup['fop_id']}"]
    assert llc["recipientOrganization"] == [{"id": f"UA-EDR-{TAX_IDS[0]}", "name": LLC_NAME}]
    assert fop["recipientOrganization"][0]["id"].startswith("360G-smehub-recipient-")
    assert '"amountAwarded":50000.5' in response.text.replace(" ", "")
    assert fop["amountAwarded"] == 50000.5 and llc["amountAwarded"] == 75000
    assert llc["amountAppliedFor"] == 80000 and llc["currency"] == "UAH"
    assert llc["fundingOrganization"][0]["id"] == f"360G-smehub-{LVIV}"
    assert llc["beneficiaryLocation"][0]["geoCode"] == LVIV
    assert {c["code"] for c in llc["classifications"]} == {"women-led", "basic"}
    assert {c["code"] for c in fop["classifications"]} == {"women-led", "none"}
    assert llc["plannedDates"][0]["endDate"] > llc["plannedDates"][0]["startDate"]
    kyiv = (await client.get(f"/open-data/{setup['kyiv'].katottg}/grants.json")).json()
    assert [g["title"] for g in kyiv["grants"]] == ["Київська майстерня"]
    assert kyiv["grants"][0]["awardDate"] == "2025-06-01T12:00:00+03:00"  # Kyiv summer time


async def test_open_data_csv_index_and_unknown_codes(client: Client, session: AsyncSession) -> None:
    setup = await awarded_setup(client, session)
    response = await client.get(f"/open-data/{LVIV}/grants.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert set(response.headers["cache-control"].split(", ")) == {"public", "max-age=300"}
    assert FEMALE_RNOKPP not in response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    for title in (
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Amount Applied For",
        "Beneficiary Location:Geographic Code",
        "Grant Programme:Title",
        "Classifications:Code",
    ):
        assert title in header
    assert len(rows) == 3 and all(len(row) == len(header) for row in rows)
    by_id = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    fop = by_id[f"360G-smehub-{LVIV}-{setup['fop_id']}"]
    assert fop["Amount Awarded"] == "50000.50" and fop["Currency"] == "UAH"
    assert fop["Recipient Org:Name"] == FOP_NAME
    index = await client.get("/open-data?lang=en")
    assert index.status_code == 200
    assert f'href="/open-data/{LVIV}/grants.json"' in index.text
    assert f'href="/open-data/{LVIV}/grants.csv"' in index.text
    assert "CC BY 4.0" in index.text
    page = text_of(index.text)
    assert f"{LVIV} 2 " in page and f"{setup['kyiv'].katottg} 1 " in page
    assert "ліцензією" in text_of((await client.get("/open-data?lang=uk")).text)
    for code in ("UA00000000000000000", "not-a-code", "UA4606"):
        for ext in ("json", "csv"):
            missing = await client.get(f"/open-data/{code}/grants.{ext}")
            assert missing.status_code == 404, (code, ext)
    missing = await client.get("/open-data/UA00000000000000000/grants.json")
    assert "UA00000000000000000" in missing.text
