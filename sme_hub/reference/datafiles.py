"""The shipped CSV files of sme_hub/reference/data/: where they are and how to read them."""

import csv
import io
from importlib import resources
from importlib.resources.abc import Traversable

KVED_FILE = "kved_2010.csv"
KATOTTG_FILE = "katottg_communities.csv"


def data_file(name: str) -> Traversable:
    """A file of the package data, wherever the package is installed."""
    return resources.files("sme_hub.reference") / "data" / name


def read_rows(name: str) -> list[dict[str, str]]:
    text = data_file(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def kved_rows() -> list[dict[str, str]]:
    """code, section, division, title_uk, title_en of every KVED-2010 class."""
    return read_rows(KVED_FILE)


def katottg_rows() -> list[dict[str, str]]:
    """code, name, category, oblast_code, oblast_name of oblasts and communities."""
    return read_rows(KATOTTG_FILE)
