"""Alphabetical order of Ukrainian text that needs no ICU collation (the embedded PostgreSQL
has none, and the database's own is C). Only ґ, є, і, ї lie outside the run of Cyrillic
letters in Unicode; each is replaced by its neighbour followed by U+FFFF, which sorts after
every other letter and before the next one: г < ґ < д, е < є < ж, и < і < ї < й."""

from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

LAST = "\uffff"
MOVED = (("ґ", "г" + LAST), ("є", "е" + LAST), ("і", "и" + LAST), ("ї", "и" + LAST * 2))


def uk_key(text: str) -> str:
    """The sort key of `text` in Python (case aside)."""
    key = text.lower()
    for letter, place in MOVED:
        key = key.replace(letter, place)
    return key


def uk_order(column: Any) -> ColumnElement[str]:
    """The same key in SQL, for ORDER BY."""
    key: ColumnElement[str] = func.lower(column)
    for letter, place in MOVED:
        key = func.replace(key, letter, place)
    return key.collate("C")
