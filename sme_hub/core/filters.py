"""The query filters of the public lists (calls, courses, partners, the awards register and
their JSON twins), read one way: each list names its parameters and how each is read, and
`parse_public_filters` gives the values and the errors. Pure: no I/O, no request.

An empty or missing parameter means "any" (None). A value that cannot be read is None too,
and gives an error under its name: the strict lists answer 422 with the errors, the lenient
ones (the calls and the courses pages) ignore the filter, as they always have.
"""

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sme_hub.core.i18n import _

TEXT_LIMIT = 200  # characters of a free-text filter (q, service) kept


@dataclass(frozen=True)
class Field:
    """How one query parameter is read: `parse` turns its text into the value or raises
    ValueError, `message` (marked with N_) is the error then. `strip`: surrounding spaces
    are dropped first (some lists compare the text as given)."""

    parse: Callable[[str], Any] = str
    message: str = ""
    strip: bool = True


def parse_public_filters(
    query: Mapping[str, str | None], fields: Mapping[str, Field]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of `fields` in `query` (None for "any") and the errors by parameter name."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, field in fields.items():
        given = query.get(name) or ""
        text = given.strip() if field.strip else given
        values[name] = None
        if not text:
            continue
        try:
            values[name] = field.parse(text)
        except ValueError:
            # gettext("") would be the catalog's header: a lenient field may have no message.
            errors[name] = _(field.message) if field.message else ""
    return values, errors


def text(limit: int = TEXT_LIMIT) -> Field:
    """Free text, cut to `limit` characters."""
    return Field(parse=lambda value: value[:limit])


def choice(allowed: Collection[str], message: str = "", *, strip: bool = True) -> Field:
    """One of `allowed`."""

    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(value)
        return value

    return Field(parse=parse, message=message, strip=strip)


def number(
    message: str = "", *, low: int | None = None, high: int | None = None, strip: bool = False
) -> Field:
    """A whole number written in ASCII digits (an id, a year), within `low`..`high`."""

    def parse(value: str) -> int:
        if not (value.isascii() and value.isdigit()):
            raise ValueError(value)
        found = int(value)
        if (low is not None and found < low) or (high is not None and found > high):
            raise ValueError(value)
        return found

    return Field(parse=parse, message=message, strip=strip)


def matching(pattern: str, message: str) -> Field:
    """Text matching `pattern` as a whole (a KATOTTG code)."""

    def parse(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(value)
        return value

    return Field(parse=parse, message=message)


def yes_no(message: str) -> Field:
    """`true` or `false`, in any case."""
    answers = {"true": True, "false": False}

    def parse(value: str) -> bool:
        if value.lower() not in answers:
            raise ValueError(value)
        return answers[value.lower()]

    return Field(parse=parse, message=message)
