"""Awarded grants as 360Giving Data Standard 1.4 records (JSON package and CSV rows): pure
mapping, no I/O. Identifiers follow org-id.guide; individuals never get their tax number."""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sme_hub.reporting.awards_schemas import AwardRead

VERSION = "1.4"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
KYIV = ZoneInfo("Europe/Kyiv")
INDIVIDUAL_KINDS = ("rnokpp", "passport")
WOMEN_LED_TITLES = {
    True: "Бізнес під керівництвом жінок / Women-led business",
    False: "Не жіночий бізнес / Not women-led",
}
GREEN_TITLES = {
    "none": "Без зеленого рівня / Not green",
    "basic": "Базовий зелений рівень / Basic green level",
    "advanced": "Високий зелений рівень / Advanced green level",
}

CSV_HEADER = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Applied For",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Beneficiary Location:Name",
    "Beneficiary Location:Country Code",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Grant Programme:URL",
    "From an open call?",
    # Two classifications per grant, in this order: women-led, then the green level.
    "Classifications:Vocabulary",
    "Classifications:Code",
    "Classifications:Title",
    "Classifications:Vocabulary",
    "Classifications:Code",
    "Classifications:Title",
    "Last modified",
    "Data Source",
)


def hryvnias(kop: int) -> Decimal:
    """Kopiykas as hryvnias, exactly, with two decimals: 8000050 → Decimal('80000.50')."""
    return (Decimal(kop) / 100).quantize(Decimal("0.01"))


def is_individual(legal_form: str, tax_id_kind: str | None) -> bool:
    """An individual entrepreneur (FOP) or anyone identified by a personal tax number."""
    return legal_form == "fop" or tax_id_kind in INDIVIDUAL_KINDS or tax_id_kind is None


def public_edrpou(legal_form: str, tax_id_kind: str | None, tax_id: str | None) -> str | None:
    """The tax number that may be published: a legal entity's EDRPOU, nothing else."""
    if is_individual(legal_form, tax_id_kind) or not tax_id:
        return None
    return tax_id


def recipient_id(prefix: str, edrpou: str | None, profile_id: int | None, grant_id: int) -> str:
    """`UA-EDR-<EDRPOU>` for a legal entity; otherwise an opaque id under our own prefix
    (the business profile's number, which says nothing about the person)."""
    if edrpou:
        return f"UA-EDR-{edrpou}"
    return f"{prefix}-recipient-{profile_id}" if profile_id else f"{prefix}-grant-{grant_id}"


def funder_id(prefix: str, katottg: str) -> str:
    """A municipality under our prefix: UA-KATOTTG is not an org-id.guide list, and the
    council's own EDRPOU is not recorded in SME Hub."""
    return f"{prefix}-{katottg}"


def grant_id(prefix: str, award: AwardRead) -> str:
    return f"{prefix}-{award.municipality_katottg}-{award.id}"


def moment(value: datetime) -> str:
    """A full date-time in Kyiv time: 360Giving's date fields take `date-time` or a bare date,
    and a date-time is unambiguous."""
    return value.astimezone(KYIV).isoformat(timespec="seconds")


def day_start(value: date) -> str:
    return moment(datetime.combine(value, time(), tzinfo=KYIV))


def classifications(prefix: str, award: AwardRead) -> list[dict[str, str]]:
    found = []
    if award.women_led is not None:
        code = "women-led" if award.women_led else "not-women-led"
        found.append(
            {
                "vocabulary": f"{prefix}-women-led",
                "code": code,
                "title": WOMEN_LED_TITLES[award.women_led],
            }
        )
    if award.green_level in GREEN_TITLES:
        found.append(
            {
                "vocabulary": f"{prefix}-green-level",
                "code": award.green_level,
                "title": GREEN_TITLES[award.green_level],
            }
        )
    return found


def grant_record(award: AwardRead, *, prefix: str, base_url: str, source: str) -> dict[str, Any]:
    """One award as a 360Giving grant; amounts are exact Decimals (encode them as numbers)."""
    funder = {
        "id": funder_id(prefix, award.municipality_katottg),
        "name": award.municipality_name_uk,
    }
    record: dict[str, Any] = {
        "id": grant_id(prefix, award),
        "title": award.project_title,
        "description": award.summary or award.project_title,
        "currency": "UAH",
        "amountAwarded": hryvnias(award.awarded_kop),
        "awardDate": moment(award.awarded_at),
        "recipientOrganization": [{"id": award.recipient_id, "name": award.recipient_name}],
        "fundingOrganization": [funder],
        "grantProgramme": [
            {
                "code": f"{prefix}-call-{award.call_id}",
                "title": award.call_title_uk,
                "url": f"{base_url}/calls/{award.call_id}",
            }
        ],
        "fromOpenCall": "Yes",
        "dateModified": moment(award.updated_at),
        "dataSource": source,
    }
    if award.requested_kop:
        record["amountAppliedFor"] = hryvnias(award.requested_kop)
    planned: dict[str, str] = {"startDate": moment(award.awarded_at)}
    if award.final_report_due:
        planned["endDate"] = day_start(award.final_report_due)
    record["plannedDates"] = [planned]
    if award.beneficiary_katottg:
        location = {
            "countryCode": "UA",
            "geoCode": award.beneficiary_katottg,
            "geoCodeType": "KATOTTG",
        }
        if award.beneficiary_place:
            location["name"] = award.beneficiary_place
        record["beneficiaryLocation"] = [location]
    if found := classifications(prefix, award):
        record["classifications"] = found
    return record


def package(
    awards: Iterable[AwardRead],
    *,
    prefix: str,
    base_url: str,
    katottg: str,
    publisher: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A municipality's 360Giving package (CC BY 4.0), published by SME Hub on its behalf."""
    source = f"{base_url}/open-data/{katottg}/grants.json"
    issued = now or datetime.now(UTC)
    return {
        "version": VERSION,
        "title": f"{publisher}: гранти малому і середньому бізнесу / SME grants",
        "description": "Awarded SME grants of the municipality, published by SME Hub.",
        "identifier": f"{prefix}-{katottg}",
        "issued": moment(issued),
        "modified": moment(issued),
        "license": LICENSE,
        "publisher": {
            "identifier": funder_id(prefix, katottg),
            "name": publisher,
            "website": base_url,
        },
        "downloadURL": source,
        "accessURL": f"{base_url}/open-data",
        "grants": [
            grant_record(award, prefix=prefix, base_url=base_url, source=source) for award in awards
        ],
    }


def csv_row(record: dict[str, Any]) -> list[str | Decimal | None]:
    """A grant record flattened under CSV_HEADER's titles."""
    planned = record.get("plannedDates", [{}])[0]
    location = record.get("beneficiaryLocation", [{}])[0]
    programme = record["grantProgramme"][0]
    kinds = record.get("classifications", [])
    cells: list[str | Decimal | None] = [
        record["id"],
        record["title"],
        record["description"],
        record["currency"],
        record.get("amountAppliedFor"),
        record["amountAwarded"],
        record["awardDate"],
        planned.get("startDate"),
        planned.get("endDate"),
        record["recipientOrganization"][0]["id"],
        record["recipientOrganization"][0]["name"],
        location.get("name"),
        location.get("countryCode"),
        location.get("geoCode"),
        location.get("geoCodeType"),
        record["fundingOrganization"][0]["id"],
        record["fundingOrganization"][0]["name"],
        programme["code"],
        programme["title"],
        programme["url"],
        record["fromOpenCall"],
    ]
    for vocabulary in ("women-led", "green-level"):
        kind: dict[str, str] = next((k for k in kinds if k["vocabulary"].endswith(vocabulary)), {})
        cells += [kind.get("vocabulary"), kind.get("code"), kind.get("title")]
    return [*cells, record["dateModified"], record["dataSource"]]


def csv_rows(records: Sequence[dict[str, Any]]) -> list[list[str | Decimal | None]]:
    return [csv_row(record) for record in records]
