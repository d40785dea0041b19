"""Languages: Babel catalogs compiled at start-up, the current locale, gettext for code and
templates, and Kyiv-time and money formatting.

Pure (no web framework): domain rules translate and format with it. Choosing the request's
language from the request is in core/locale_web.py."""

import gettext as _gettext
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_format_decimal

LOCALES = ("uk", "en")
DEFAULT_LOCALE = "uk"
KYIV = ZoneInfo("Europe/Kyiv")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalog of a locale; compiled in memory so no build step can be forgotten."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def _messages(locale: str) -> dict[str, str]:
    """msgid → text of a locale's singular messages: gettext is called for every label of
    every list row, and a dict lookup is what it needs to be."""
    catalog: dict[Any, str] = getattr(translations(locale), "_catalog", {})
    return {key: text for key, text in catalog.items() if isinstance(key, str) and text}


def gettext(message: str) -> str:
    return _messages(current_locale.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def pick(obj: Any, field: str, locale: str | None = None) -> Any:
    """The `<field>_en` of an object or dict in English when it is not empty, else its
    `<field>_uk`: what is kept in both languages, in `locale` (the current one if None)."""
    if isinstance(obj, Mapping):
        english, ukrainian = obj.get(f"{field}_en"), obj.get(f"{field}_uk")
    else:
        english, ukrainian = getattr(obj, f"{field}_en"), getattr(obj, f"{field}_uk")
    return english if (locale or current_locale.get()) == "en" and english else ukrainian


def in_language(values: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """Values of a stored message in `locale`: a value kept by language ({"uk": …, "en": …})
    gives its text in that language (Ukrainian when it has none)."""
    return {
        key: (value.get(locale) or value.get(DEFAULT_LOCALE, ""))
        if isinstance(value, dict)
        else value
        for key, value in values.items()
    }


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    return [tag for _q, _i, tag in sorted(weighted)]


def choose_locale(
    query: str | None, cookie: str | None, user_preference: str | None, accept_language: str
) -> str:
    """The first supported language among: ?lang=, the remembered choice, the user's
    preference, the browser's languages; Ukrainian otherwise."""
    for candidate in (query, cookie, user_preference):
        if candidate in LOCALES:
            return candidate
    for tag in parse_accept_language(accept_language):
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE


def format_datetime_kyiv(value: datetime | None, fmt: str = "medium") -> str:
    """A moment shown in Kyiv time in the current language."""
    if value is None:
        return ""
    return _formatted_moment(value, fmt, current_locale.get())


def format_day(value: date | None, fmt: str = "long") -> str:
    """A calendar day (due dates, payments) in the current language: `1 березня 2027 р.`."""
    if value is None:
        return ""
    return _formatted_day(value, fmt, current_locale.get())


# Babel formats a date in ~10 µs of pure Python, and the same few dates (a call's deadline, a
# cohort's start) are shown on every list page: remembered, they cost a dict lookup.
@lru_cache(maxsize=8192)
def _formatted_moment(value: datetime, fmt: str, locale: str) -> str:
    return _babel_format_datetime(value, fmt, tzinfo=KYIV, locale=locale)


@lru_cache(maxsize=8192)
def _formatted_day(value: date, fmt: str, locale: str) -> str:
    return _babel_format_date(value, fmt, locale=locale)


# The hryvnia as each language writes it after an amount (Babel's symbol would be ₴, which
# product.md §13 does not use).
_CURRENCY = {"uk": "грн", "en": "UAH"}


def format_money(kop: int | None, locale: str | None = None) -> str:
    """Kopiykas in `locale` (the current language if not given): `12 345,67 грн`
    (product.md §13), `12,345.67 UAH`; non-breaking spaces inside."""
    if kop is None:
        return ""
    return _formatted_money(kop, locale or current_locale.get())


@lru_cache(maxsize=8192)
def _formatted_money(kop: int, locale: str) -> str:
    number = _babel_format_decimal(Decimal(kop).scaleb(-2), format="#,##0.00", locale=locale)
    return f"{number}\u00a0{_CURRENCY.get(locale, _CURRENCY[DEFAULT_LOCALE])}"
