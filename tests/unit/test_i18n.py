"""Languages: complete catalogs, the choice of locale, money and Kyiv time formatting."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from babel.messages.pofile import read_po

from sme_hub.core.i18n import (
    LOCALE_DIR,
    _,
    choose_locale,
    current_locale,
    format_datetime_kyiv,
    format_money,
    parse_accept_language,
    pick,
)
from sme_hub.core.templating import jinja_environment


def test_every_message_has_a_ukrainian_translation() -> None:
    with (LOCALE_DIR / "uk" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="uk")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_catalogs_cover_every_extracted_message() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    with (LOCALE_DIR / "uk" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        translated = {m.id for m in read_po(po, locale="uk") if m.id}
    assert template - translated == set(), "run scripts/i18n and translate the new texts"


def test_gettext_follows_the_current_locale() -> None:
    token = current_locale.set("uk")
    try:
        assert _("Log in") == "Увійти"
        current_locale.set("en")
        assert _("Log in") == "Log in"
    finally:
        current_locale.reset(token)


@pytest.mark.parametrize(
    ("query", "cookie", "preference", "accept", "expected"),
    [
        (None, None, None, "", "uk"),
        ("en", "uk", "uk", "uk", "en"),
        ("de", "en", None, "", "en"),
        (None, None, "en", "uk", "en"),
        (None, None, None, "en-GB,en;q=0.9", "en"),
        (None, None, None, "de-DE, uk;q=0.5, en;q=0.8", "en"),
        (None, None, None, "fr, de", "uk"),
    ],
)
def test_choose_locale_order(
    query: str | None, cookie: str | None, preference: str | None, accept: str, expected: str
) -> None:
    assert choose_locale(query, cookie, preference, accept) == expected


def test_parse_accept_language_orders_by_quality_and_drops_zero() -> None:
    assert parse_accept_language("en;q=0.3, uk, de;q=0, pl;q=oops") == ["uk", "en"]


@pytest.mark.parametrize(
    ("kop", "shown"),
    [
        (0, "0,00 грн"),
        (5, "0,05 грн"),
        (1234567, "12 345,67 грн"),
        (5000000, "50 000,00 грн"),
        (-150, "-1,50 грн"),
    ],
)
def test_money_is_shown_as_hryvnias(kop: int, shown: str) -> None:
    assert format_money(kop) == shown.replace(" ", "\u00a0")


@pytest.mark.parametrize(
    ("kop", "shown"), [(1234567, "12,345.67 UAH"), (5, "0.05 UAH"), (-150, "-1.50 UAH")]
)
def test_money_is_shown_in_english_on_english_pages(kop: int, shown: str) -> None:
    token = current_locale.set("en")
    try:
        assert format_money(kop) == shown.replace(" ", "\u00a0")
    finally:
        current_locale.reset(token)


def test_times_are_shown_in_kyiv() -> None:
    token = current_locale.set("en")
    try:
        # 21:30 UTC in summer is 00:30 the next day in Kyiv (UTC+3).
        shown = format_datetime_kyiv(datetime(2026, 7, 1, 21, 30, tzinfo=UTC), "yyyy-MM-dd HH:mm")
    finally:
        current_locale.reset(token)
    assert shown == "2026-07-02 00:30"


def render(source: str, **context: object) -> str:
    token = current_locale.set("uk")
    try:
        return jinja_environment().from_string(source).render(**context)
    finally:
        current_locale.reset(token)


def test_template_messages_escape_what_is_put_into_them() -> None:
    """Pages: a translated message is trusted text, the values put into it are not."""
    page = '{% autoescape true %}{{ _("Found: {n}").format(n=name) }}{% endautoescape %}'
    assert render(page, name="<script>") == "Знайдено: &lt;script&gt;"
    # Emails' text parts are not HTML: nothing is escaped there.
    text = '{% autoescape false %}{{ _("Found: {n}").format(n=name) }}{% endautoescape %}'
    assert render(text, name="Ковальчук & син") == "Знайдено: Ковальчук & син"


def test_template_messages_keep_jinja_newstyle_semantics() -> None:
    page = '{% autoescape true %}{{ _("%(x)s & 100%%", x=v) }}|{{ _("Log in") }}{% endautoescape %}'
    assert render(page, v="<b>") == "&lt;b&gt; & 100%|Увійти"
    plural = "{{ ngettext('%(num)d place', '%(num)d places', n) }}"
    assert render(plural, n=1) == "1 place"


def test_the_same_moment_is_formatted_once_per_language() -> None:
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    token = current_locale.set("en")
    try:
        english = format_datetime_kyiv(moment, "d MMMM y")
        current_locale.set("uk")
        ukrainian = format_datetime_kyiv(moment, "d MMMM y")
    finally:
        current_locale.reset(token)
    assert (english, ukrainian) == ("1 March 2026", "1 березня 2026")


@pytest.mark.parametrize(
    ("women", "shown"),
    [
        (1, "усього 10, з них 1 жінка"),
        (3, "усього 10, з них 3 жінки"),
        (6, "усього 10, з них 6 жінок"),
        (11, "усього 20, з них 11 жінок"),
        (21, "усього 30, з них 21 жінка"),
    ],
)
def test_counted_women_agree_with_their_number(women: int, shown: str) -> None:
    total = {1: 10, 3: 10, 6: 10, 11: 20, 21: 30}[women]
    text = render(
        '{{ ngettext("{total} in total, of them {women} woman", '
        '"{total} in total, of them {women} women", n).format(total=t, women=n) }}',
        n=women,
        t=total,
    )
    assert text == shown


@dataclass
class _Named:
    name_uk: str
    name_en: str | None


@pytest.mark.parametrize(
    "shape", [lambda uk, en: _Named(uk, en), lambda uk, en: {"name_uk": uk, "name_en": en}]
)
def test_pick_chooses_the_english_field_in_english_while_it_has_text(shape: Any) -> None:
    both, only_uk, empty_en = shape("Київ", "Kyiv"), shape("Київ", None), shape("Київ", "")
    token = current_locale.set("en")
    try:
        assert [pick(x, "name") for x in (both, only_uk, empty_en)] == ["Kyiv", "Київ", "Київ"]
    finally:
        current_locale.reset(token)
    assert pick(both, "name") == "Київ"  # the current locale is uk by default
    assert pick(both, "name", "en") == "Kyiv"
    assert pick(both, "name", "uk") == "Київ"
    assert pick(empty_en, "name", "en") == "Київ"


def test_templates_pick_in_the_current_language() -> None:
    template = jinja_environment().from_string('{{ pick(m, "name") }}')
    municipality = {"name_uk": "Львів", "name_en": "Lviv"}
    token = current_locale.set("en")
    try:
        assert template.render(m=municipality) == "Lviv"
    finally:
        current_locale.reset(token)
    assert template.render(m=municipality) == "Львів"
