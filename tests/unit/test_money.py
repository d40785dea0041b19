"""Hryvnias as people type them, into integer kopiykas."""

import pytest

from sme_hub.core.money import hryvnias_text, parse_hryvnias


@pytest.mark.parametrize(
    ("text", "kop"),
    [
        ("80000", 8_000_000),
        ("80 000", 8_000_000),
        ("80\u00a0000,50", 8_000_050),
        ("80000.5", 8_000_050),
        (" 12 345,67 грн ", 1_234_567),
        ("0", 0),
        ("0,01", 1),
        ("", None),
        ("   ", None),
    ],
)
def test_amounts_become_kopiykas(text: str, kop: int | None) -> None:
    assert parse_hryvnias(text) == kop


@pytest.mark.parametrize("text", ["abc", "-5", "1,234", "12,345.67", "1e5", "10,", "1.2.3"])
def test_other_text_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(ValueError, match="Enter an amount in hryvnias"):
        parse_hryvnias(text)


def test_large_amounts_stay_exact() -> None:
    assert parse_hryvnias("999 999 999,99") == 99_999_999_999


@pytest.mark.parametrize(
    ("kop", "text"), [(None, ""), (8_000_000, "80000"), (8_000_050, "80000,50"), (1, "0,01")]
)
def test_amounts_are_shown_for_editing(kop: int | None, text: str) -> None:
    assert hryvnias_text(kop) == text
    if kop is not None:
        assert parse_hryvnias(text) == kop
