"""Every HTML page of every role, in English and in Ukrainian, on the access matrix's seeded
world: an English page shows no Cyrillic outside the data people wrote, a Ukrainian page no
English words outside a short allow-list, and neither a word doubled by a template that adds
what the data already says ("Рішення Рішення …").

User data is recognised by what the database holds: every string of every table the app
writes (JSON leaves too) is somebody's data and is cut out of a page before its template text
is checked. Two exceptions keep that from hiding the very faults looked for: a value kept in
both languages (`name_uk` beside `name_en`) counts as data only on a page of its own language,
and a bare code (`idp_owned`, `in_evaluation`) never counts, since a page must show its
label, not the code."""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import JSON, TypeDecorator

from sme_hub.accounts.rules import user_agent_summary
from sme_hub.config import Settings
from sme_hub.core.mail import deliver_due
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.models import metadata
from tests.access_world import build_tenant
from tests.conftest import REFERENCE_TABLES
from tests.factories import Client, make_user
from tests.grants_setup import KYIV, LVIV
from tests.integration.core.test_access_matrix import (
    ANONYMOUS,
    CALLERS,
    ROLE_CODES,
    RULES,
    Callers,
    _fill,
    route_keys,
)

FILES = (".csv", ".xlsx", ".pdf", ".ics", ".json")
NOT_PAGES = ("/api/", "/metrics", "/health")
# English a Ukrainian page may show: the name of the other language in itself, the product's
# name, file formats a person picks, and Latin letters a person types or reads on paper (a
# Ukrainian account number starts with UA; "ID-картка", "QR-код", "ISO 14001" are how
# Ukrainian writes them). Labels such as IBAN, KATOTTG or EDRPOU are not here: pages say
# "номер рахунку", "громада", "код ЄДРПОУ".
ALLOWED_ENGLISH = {
    "eng",
    "english",
    "sme",
    "hub",
    "api",
    "pdf",
    "csv",
    "xlsx",
    "json",
    "ics",
    "jpeg",
    "png",
}
ALLOWED_ENGLISH |= {"ua", "id", "qr", "iso", "http", "https"}
# Names that are not translated: apps a person installs, the open-data standard and licence.
ALLOWED_PHRASES = (
    "Google Authenticator",
    "Microsoft Authenticator",
    "FreeOTP",
    "Aegis",
    "360Giving Data Standard",
    "360Giving",
    "Creative Commons Attribution 4.0 International (CC BY 4.0)",
)
# An English page names the other language in itself.
ALLOWED_CYRILLIC = {"УКР", "Українська"}
# Attributes a person sees or hears (a screen reader reads aria-label and alt).
VISIBLE_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+")
CYRILLIC_WORD = re.compile(r"[А-Яа-яІіЇїЄєҐґ’ʼ'-]*[А-Яа-яІіЇїЄєҐґ]+[А-Яа-яІіЇїЄєҐґ’ʼ'-]*")
ENGLISH_WORD = re.compile(r"(?<![\w@./:-])[A-Za-z][A-Za-z']+(?![\w@/:-]|\.\w)")
DOUBLED = re.compile(r"\b(\w{2,})\s+\1\b", re.IGNORECASE)


HIDDEN = ("script", "style", "template", "code", "kbd", "samp", "textarea")


class VisibleText(HTMLParser):
    """The text a person sees or hears: element text but scripts and styles, and the few
    attributes shown or read aloud; `value` of buttons. Codes set as code (a KATOTTG number,
    a two-factor secret) are not words, nor what a person typed into a text area."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        self.parts += [v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [" ".join(part.split()) for part in parser.parts]


@dataclass
class UserData:
    """The strings the world wrote, by the page language they count as data on."""

    both: set[str] = field(default_factory=set)
    only: dict[str, set[str]] = field(default_factory=lambda: {"uk": set(), "en": set()})

    def add(self, value: str, language: str | None = None) -> None:
        value = " ".join(value.split())
        if len(value) < 2 or CODE.fullmatch(value):
            return
        (self.only[language] if language else self.both).add(value)

    def walk(self, value: Any, language: str | None = None) -> None:
        if isinstance(value, str):
            self.add(value, language)
        elif isinstance(value, list):
            for item in value:
                self.walk(item, language)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.walk(item, _language_of(str(key), value) or language)

    def for_page(self, language: str) -> list[str]:
        # Longest first, so that a name is cut before a shorter name inside it.
        found = self.both | self.only[language] | set(ALLOWED_PHRASES)
        return sorted(found, key=len, reverse=True)


def _language_of(key: str, row: dict[str, Any]) -> str | None:
    """`name_uk` is data on Ukrainian pages only when a `name_en` stands beside it (and a
    value kept as {"uk": …, "en": …} likewise)."""
    for language, other in (("uk", "en"), ("en", "uk")):
        if key.endswith(f"_{language}") and f"{key[: -len(language)]}{other}" in row:
            return language
        if key == language and other in row:
            return language
    return None


def _is_text(column_type: Any) -> bool:
    # SQLModel's AutoString is a TypeDecorator over String.
    kind = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    return isinstance(kind, String | Text | JSON | JSONB)


async def user_data(db: Database) -> UserData:
    found = UserData()
    async with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in REFERENCE_TABLES:
                continue
            columns = [c.name for c in table.columns if _is_text(c.type)]
            if not columns:
                continue
            names = ", ".join(f'"{c}"' for c in columns)
            rows = await conn.execute(text(f'SELECT {names} FROM "{table.name}"'))  # noqa: S608
            for row in rows.mappings():
                found.walk(dict(row))
        # The browser a session was signed in from is the client's word, shown as sent (the
        # test client calls itself "testclient", which reads like a code and so was skipped).
        agents = await conn.execute(text("SELECT DISTINCT user_agent FROM user_session"))
        found.both |= {user_agent_summary(agent) for (agent,) in agents}
    return found


def _cut(texts: list[str], data: list[str]) -> str:
    joined = "\n".join(texts)
    for value in data:
        joined = joined.replace(value, "\n")
    return joined


def offending_words(texts: list[str], data: list[str], language: str) -> list[str]:
    template_text = _cut(texts, data)
    if language == "en":
        return sorted(set(CYRILLIC_WORD.findall(template_text)) - ALLOWED_CYRILLIC)
    return sorted(
        {w for w in ENGLISH_WORD.findall(template_text) if w.lower() not in ALLOWED_ENGLISH}
    )


def doubled_words(texts: list[str]) -> list[str]:
    """Adjacent repeats, and three "від" in one clause (a decision "від … від …")."""
    found = []
    for part in texts:
        found += [m.group(0) for m in DOUBLED.finditer(part) if not m.group(1).isdigit()]
        found += [
            m.group(0) for m in re.finditer(r"\bвід\b[^.;()]{1,60}?\bвід\b[^.;()]{0,60}", part)
        ]
    return found


@dataclass
class Page:
    caller: str
    path: str
    language: str


# Pages the access matrix fills with other objects than these: the decided application (its
# decision text), and the closed call ("closed on", never "closes" with a past date).
MORE_PAGES = (
    ("entrepreneur", "/me/applications/{grant_id}"),
    ("anonymous", "/calls/{evaluated_call_id}"),
    ("centre_staff", "/centre/grants/calls/{evaluated_call_id}"),
)


def pages(app: Litestar, own: Any) -> Iterator[Page]:
    for caller, path in MORE_PAGES:
        for language in ("en", "uk"):
            yield Page(caller, path.format(**own.ids), language)
    for key in route_keys(app):
        method, path = key.split(" ", 1)
        if method != "GET" or path.startswith(NOT_PAGES) or path.endswith(FILES):
            continue
        rule = RULES[key]
        filled = _fill(path, rule, own)
        for caller in CALLERS:
            if rule.allows(caller):
                for language in ("en", "uk"):
                    yield Page(caller, filled, language)


def with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


@pytest.mark.usefixtures("db", "fast_passwords")
async def test_every_page_speaks_one_language(
    app: Litestar,
    client: Client,
    session: AsyncSession,
    db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("sme_hub.http", "httpx"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.WARNING)
    own = await build_tenant(session, settings, LVIV, "Львівська громада", 0)
    await build_tenant(session, settings, KYIV, "Київська громада", 1)
    admin = await make_user(session, Role.ADMIN, email="admin@matrix.example.org")
    callers = Callers(client)
    await callers.log_in(ANONYMOUS, None)
    for role in ROLE_CODES.values():
        await callers.log_in(role.value, admin.email if role is Role.ADMIN else own.emails[role])
    for caller, jar in callers.jars.items():  # the welcome flash, shown in the login's language
        client.cookies = jar
        await client.get("/")
        callers.jars[caller] = httpx.Cookies(client.cookies)
    # The world's emails, "sent" as the worker would without a mail server.
    await deliver_due(db, settings)
    data = await user_data(db)
    by_language = {language: data.for_page(language) for language in ("en", "uk")}

    problems: list[str] = []
    rendered = 0
    for page in pages(app, own):
        client.cookies = callers.jars[page.caller]
        response = await client.get(with_language(page.path, page.language))
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        assert response.status_code < 500, f"{page}: {response.status_code}"
        rendered += 1
        texts = visible_text(response.text)
        words = offending_words(texts, by_language[page.language], page.language)
        doubled = doubled_words(texts)
        if words or doubled:
            problems.append(
                f"{page.language} {page.path} as {page.caller}: "
                + ", ".join(words)
                + (f" | doubled: {' / '.join(doubled)}" if doubled else "")
            )
    assert rendered > 100, rendered
    assert not problems, f"{len(problems)} pages:\n" + "\n".join(problems)

    async def shown(caller: str, path: str, language: str) -> str:
        client.cookies = callers.jars[caller]
        response = await client.get(with_language(path.format(**own.ids), language))
        assert response.status_code == 200, (path, response.status_code)
        return " ".join(visible_text(response.text)).replace("\xa0", " ")

    # The named cases of the issue, each in both languages.
    profile_en = await shown("entrepreneur", "/me/business", "en")
    assert "Lvivska (territorial community, Lviv Oblast)" in profile_en
    assert "10 in total, of them 6 women" in profile_en
    profile_uk = await shown("entrepreneur", "/me/business", "uk")
    assert "Львівська (територіальна громада, Львівська область)" in profile_uk
    assert "усього 10, з них 6 жінок" in profile_uk
    assert own.ids["katottg"] not in profile_en + profile_uk  # the name, not the code
    assert "Regional overview: Lviv Oblast" in await shown(
        "regional_observer", "/reports/oblasts/{oblast}", "en"
    )
    call_en = await shown("anonymous", "/calls/{call_id}", "en")
    assert "Impact" in call_en and "Feasibility" in call_en and "1,000,000.00 UAH" in call_en
    call_uk = await shown("anonymous", "/calls/{call_id}", "uk")
    assert "Вплив" in call_uk and "1 000 000,00 грн" in call_uk
    closed_uk = await shown("anonymous", "/calls/{evaluated_call_id}", "uk")
    assert "Закрито" in closed_uk and "Закривається" not in closed_uk
    staff_closed = await shown("centre_staff", "/centre/grants/calls/{evaluated_call_id}", "en")
    assert "closed on" in staff_closed and "closes" not in staff_closed
    decided = await shown("entrepreneur", "/me/applications/{grant_id}", "uk")
    assert "Рішення виконкому № 0 від 1 грудня 2026 р." in decided
    assert decided.count(" від ") == 1, decided  # the reference's own date, not another
    assert "Вплив: середня 8 з 10, вага 2." in decided
    decided_en = await shown("entrepreneur", "/me/applications/{grant_id}", "en")
    assert "Impact: mean 8 of 10, weight 2." in decided_en
    assert "Bonus for a business owned by an internally displaced person: +5,00." in decided_en
    assert "idp_owned" not in decided_en
    admin = await shown("admin", "/admin", "uk")
    assert "не надіслано: поштовий сервер не налаштовано" in admin
    assert "Громада" in admin and "KATOTTG" not in admin
