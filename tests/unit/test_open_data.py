"""The pure 360Giving mapping: exact hryvnias, identifiers that never carry a personal tax
number, classifications, and CSV rows under the standard's titles."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sme_hub.reporting import open_data
from sme_hub.reporting.awards_schemas import AwardRead

PREFIX = "360G-test"


def award(**overrides: Any) -> AwardRead:
    fields: dict[str, Any] = {
        "id": 7,
        "project_title": "Пекарня",
        "summary": "",
        "recipient_name": "ФОП Коваль",
        "recipient_id": "360G-test-recipient-3",
        "edrpou": None,
        "legal_form": "fop",
        "beneficiary_katottg": "UA46060250000025047",
        "beneficiary_place": "Львівська",
        "awarded_kop": 5_000_050,
        "requested_kop": 8_000_000,
        "awarded_at": datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
        "status": "approved",
        "women_led": True,
        "green_level": "basic",
        "call_id": 2,
        "call_title_uk": "Гранти 2027",
        "call_title_en": "Grants 2027",
        "municipality_id": 1,
        "municipality_katottg": "UA46060250000025047",
        "municipality_name_uk": "Львівська громада",
        "municipality_name_en": "Lviv",
        "final_report_due": date(2027, 12, 1),
        "updated_at": datetime(2026, 12, 2, tzinfo=UTC),
    }
    return AwardRead(**(fields | overrides))


def test_hryvnias_are_exact() -> None:
    assert open_data.hryvnias(5_000_050) == Decimal("50000.50")
    assert str(open_data.hryvnias(1)) == "0.01"
    assert str(open_data.hryvnias(123_456_789_012_345)) == "1234567890123.45"
    assert str(open_data.hryvnias(100)) == "1.00"


def test_only_a_legal_entity_keeps_its_tax_number() -> None:
    assert open_data.public_edrpou("llc", "edrpou", "32855909") == "32855909"
    assert open_data.public_edrpou("fop", "rnokpp", "3000000008") is None
    assert open_data.public_edrpou("fop", "edrpou", "32855909") is None
    assert open_data.public_edrpou("other", "passport", "АБ123456") is None
    assert open_data.public_edrpou("not_registered", None, None) is None
    assert open_data.recipient_id(PREFIX, "32855909", 3, 7) == "UA-EDR-32855909"
    assert open_data.recipient_id(PREFIX, None, 3, 7) == "360G-test-recipient-3"
    assert open_data.recipient_id(PREFIX, None, None, 7) == "360G-test-grant-7"


def test_grant_record_has_the_required_and_known_fields() -> None:
    record = open_data.grant_record(award(), prefix=PREFIX, base_url="https://x.org", source="s")
    assert record["id"] == "360G-test-UA46060250000025047-7"
    assert record["description"] == "Пекарня"  # no summary: the title stands in
    assert record["amountAwarded"] == Decimal("50000.50")
    assert record["amountAppliedFor"] == Decimal("80000.00")
    assert record["awardDate"] == "2026-12-01T10:30:00+02:00"
    assert record["plannedDates"] == [
        {"startDate": "2026-12-01T10:30:00+02:00", "endDate": "2027-12-01T00:00:00+02:00"}
    ]
    assert record["fundingOrganization"] == [
        {"id": "360G-test-UA46060250000025047", "name": "Львівська громада"}
    ]
    assert record["grantProgramme"][0]["url"] == "https://x.org/calls/2"
    assert [c["code"] for c in record["classifications"]] == ["women-led", "basic"]
    unknown = open_data.grant_record(
        award(women_led=None, green_level=None, requested_kop=None, final_report_due=None),
        prefix=PREFIX,
        base_url="https://x.org",
        source="s",
    )
    assert "classifications" not in unknown and "amountAppliedFor" not in unknown
    assert unknown["plannedDates"] == [{"startDate": "2026-12-01T10:30:00+02:00"}]


def test_csv_rows_follow_the_header() -> None:
    package = open_data.package(
        [award(), award(id=8, women_led=False, green_level="none")],
        prefix=PREFIX,
        base_url="https://x.org",
        katottg="UA46060250000025047",
        publisher="Львівська громада",
    )
    assert package["version"] == "1.4" and package["license"] == open_data.LICENSE
    rows = open_data.csv_rows(package["grants"])
    assert all(len(row) == len(open_data.CSV_HEADER) for row in rows)
    first = dict(zip(open_data.CSV_HEADER, rows[0], strict=False))
    assert first["Amount Awarded"] == Decimal("50000.50")
    assert first["Recipient Org:Identifier"] == "360G-test-recipient-3"
    codes = [c for t, c in zip(open_data.CSV_HEADER, rows[1], strict=True) if t.endswith(":Code")]
    assert codes[-2:] == ["not-women-led", "none"]
