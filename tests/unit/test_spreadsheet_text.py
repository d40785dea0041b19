"""No text in an export becomes a spreadsheet formula (OWASP: CSV injection); numbers and
dates stay what they are."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from sme_hub.core.exports import spreadsheet_text, table_csv


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "-2+3",
        "+380 67 123 45 67",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "=",
    ],
)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text: str) -> None:
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    ["", "Олена Коваль", "ТОВ «Зелена майстерня»", "1+1", " =1", "'quoted", "a=b", "—", "360G-x"],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert spreadsheet_text(text) == text


def test_a_csv_neutralises_text_cells_only() -> None:
    body = table_csv(
        ["Name", "Amount", "Count", "Day", "Note"],
        [
            ["=1+2", Decimal("-75.50"), -3, date(2026, 12, 1), None],
            ["-2+3", Decimal(0), 0, None, "x"],
        ],
    )
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Amount", "Count", "Day", "Note"],
        ["'=1+2", "-75.50", "-3", "01.12.2026", ""],
        ["'-2+3", "0", "0", "", "x"],
    ]
