"""Reference code checks, and the shipped KVED-2010 and KATOTTG files themselves."""

import re
from collections import Counter

import pytest

from sme_hub.reference.datafiles import katottg_rows, kved_rows
from sme_hub.reference.rules import (
    OBLASTS_EN,
    is_katottg_code,
    katottg_code_prefix,
    kved_code_prefix,
    normalise_katottg,
    normalise_kved,
    oblast_label,
    search_words,
    transliterate,
)

LVIV = "UA46060250000025047"
LVIV_OBLAST = "UA46000000000026241"
KYIV = "UA80000000000093317"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("62.01", "62.01"),
        (" 62.01 ", "62.01"),
        ("01.11\n", "01.11"),
        ("6201", None),
        ("62.1", None),
        ("62", None),
        ("62.011", None),
        ("62,01", None),
        ("ab.cd", None),
        ("", None),
    ],
)
def test_normalise_kved(text: str, expected: str | None) -> None:
    assert normalise_kved(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LVIV, True),
        (f" {LVIV.lower()} ", True),
        ("UA4606025000002504", False),  # 16 digits
        ("UA460602500000250477", False),  # 18 digits
        ("46060250000025047", False),
        ("UA4606025000002504X", False),
        ("", False),
    ],
)
def test_is_katottg_code(text: str, expected: bool) -> None:
    assert is_katottg_code(text) is expected
    assert (normalise_katottg(text) is not None) is expected


def test_query_shapes() -> None:
    assert [kved_code_prefix(q) for q in ("62", " 62.0", "62.", "6", "62.01")] == [
        "62",
        "62.0",
        "62.",
        "6",
        "62.01",
    ]
    assert kved_code_prefix("620") is None
    assert kved_code_prefix("програмування") is None
    assert katottg_code_prefix("ua4606") == "UA4606"
    assert katottg_code_prefix("UA") is None
    assert katottg_code_prefix("Львів") is None


def test_search_words_escape_wildcards_and_match_any_apostrophe() -> None:
    assert search_words("  Комп'ютерне   Програмування ") == ["комп_ютерне", "програмування"]
    assert search_words("Кам’янець") == ["кам_янець"]
    assert search_words("100% a_b") == ["100\\%", "a\\_b"]
    assert search_words("") == []


# --- the shipped files --------------------------------------------------------------------


def test_kved_file() -> None:
    rows = kved_rows()
    codes = [row["code"] for row in rows]
    assert 600 <= len(rows) <= 650
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d\d\.\d\d", code) for code in codes)
    assert all(row["division"] == row["code"][:2] for row in rows)
    assert {row["section"] for row in rows} == set("ABCDEFGHIJKLMNOPQRSTU")
    assert all(row["title_uk"] and row["title_en"] for row in rows)
    by_code = {row["code"]: row for row in rows}
    assert by_code["01.11"]["section"] == "A"
    assert by_code["01.11"]["title_uk"].startswith("Вирощування зернових культур")
    assert by_code["01.11"]["title_en"].startswith("Growing of cereals (except rice)")
    assert by_code["62.01"]["title_uk"] == "Комп'ютерне програмування"
    assert by_code["62.01"]["title_en"] == "Computer programming activities"
    assert by_code["62.01"]["section"] == "J"


def test_katottg_file() -> None:
    rows = katottg_rows()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert all(is_katottg_code(code) for code in codes)
    categories = Counter(row["category"] for row in rows)
    assert categories["O"] == 25  # 24 oblasts and Crimea
    assert categories["K"] == 2  # Kyiv, Sevastopol
    assert 1400 <= categories["H"] <= 1800
    assert set(categories) == {"O", "K", "H"}
    by_code = {row["code"]: row for row in rows}
    assert by_code[LVIV]["category"] == "H"
    assert by_code[LVIV]["oblast_code"] == LVIV_OBLAST
    assert by_code[LVIV_OBLAST]["category"] == "O"
    assert by_code[KYIV]["category"] == "K"
    assert by_code[KYIV]["name"] == "Київ"


def test_every_community_lies_in_a_listed_oblast() -> None:
    rows = katottg_rows()
    top = {row["code"]: row["name"] for row in rows if row["category"] in ("O", "K")}
    for row in rows:
        assert row["oblast_code"] in top, row
        assert row["oblast_name"] == top[row["oblast_code"]], row
        if row["category"] == "H":
            # A community's code starts with its oblast's two digits.
            assert row["code"][:4] == row["oblast_code"][:4], row


@pytest.mark.parametrize(
    ("ukrainian", "latin"),
    [
        # The examples of the resolution of the Cabinet of Ministers No. 55 of 2010.
        ("Згорани", "Zghorany"),
        ("Розгон", "Rozghon"),
        ("Знам'янка", "Znamianka"),
        ("Короп’є", "Koropie"),
        ("Юрій", "Yurii"),
        ("Яготин", "Yahotyn"),
        ("Їжакевич", "Yizhakevych"),
        ("Йосипівка", "Yosypivka"),
        ("Щербухи", "Shcherbukhy"),
        ("Ґалаґан", "Galagan"),
        ("Стрий", "Stryi"),
        ("Львівська", "Lvivska"),
        ("Києво-Святошинська", "Kyievo-Sviatoshynska"),
    ],
)
def test_transliteration_follows_the_national_rules(ukrainian: str, latin: str) -> None:
    assert transliterate(ukrainian) == latin


def test_every_oblast_of_the_codifier_has_an_english_name() -> None:
    oblasts = {row["oblast_name"] for row in katottg_rows()}
    assert oblasts == set(OBLASTS_EN)
    assert oblast_label("Львівська", "en") == "Lviv Oblast"
    assert oblast_label("Львівська", "uk") == "Львівська область"
    assert oblast_label("Автономна Республіка Крим", "en") == "Autonomous Republic of Crimea"
    assert oblast_label("Київ", "uk") == "Київ"
