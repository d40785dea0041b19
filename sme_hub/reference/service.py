"""Finding KVED-2010 classes and KATOTTG communities in the reference tables."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, func, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.i18n import _, current_locale, pick
from sme_hub.reference.models import KatottgUnit, KvedClass
from sme_hub.reference.rules import (
    OBLASTS_EN,
    katottg_code_prefix,
    kved_code_prefix,
    normalise_katottg,
    normalise_kved,
    oblast_label,
    search_words,
    transliterate,
)
from sme_hub.reference.schemas import KvedRead

# A business works in a territorial community or in a city with special status (Kyiv,
# Sevastopol); oblasts are in the table only to name the oblast of a community.
COMMUNITY_CATEGORIES = ("H", "K")


def place_name(unit: KatottgUnit, lang: str | None = None) -> str:
    """A community's, city's or oblast's name in `lang`: KATOTTG has Ukrainian names only, so
    English gets the oblasts' English names and the national transliteration otherwise."""
    if (lang or current_locale.get()) != "en":
        return unit.name
    if unit.category in ("O", "K"):
        return OBLASTS_EN.get(unit.name) or transliterate(unit.name)
    return transliterate(unit.name)


def oblast_title(name_uk: str, lang: str | None = None) -> str:
    return oblast_label(name_uk, lang or current_locale.get())


def community_detail(unit: KatottgUnit) -> str:
    """What tells communities of the same name apart: the kind and the oblast."""
    if unit.category == "K":
        return _("city with special status")
    return _("territorial community, {oblast}").format(oblast=oblast_title(unit.oblast_name))


def kved_read(kved: KvedClass, lang: str | None = None) -> KvedRead:
    return KvedRead(
        code=kved.code,
        section=kved.section,
        division=kved.division,
        title=pick(kved, "title", lang),
        title_uk=kved.title_uk,
        title_en=kved.title_en,
        classifier_version=kved.classifier_version,
    )


def _kved_condition(query: str, lang: str) -> ColumnElement[bool]:
    prefix = kved_code_prefix(query)
    if prefix is not None:
        return col(KvedClass.code).startswith(prefix)
    title = col(KvedClass.title_en) if lang == "en" else col(KvedClass.title_uk)
    words = search_words(query)
    return and_(true(), *(title.ilike(f"%{word}%", escape="\\") for word in words))


async def search_kved(
    session: AsyncSession, q: str, limit: int = 20, *, lang: str | None = None
) -> tuple[Sequence[KvedClass], int]:
    """Classes whose code starts with `q` ("62", "62.0") or whose title in the current
    language contains every word of `q`, case-insensitively; and how many there are."""
    condition = _kved_condition(q, lang or current_locale.get())
    total = await session.scalar(select(func.count()).select_from(KvedClass).where(condition))
    rows = await session.scalars(
        select(KvedClass).where(condition).order_by(col(KvedClass.code)).limit(limit)
    )
    return rows.all(), total or 0


async def get_kved(session: AsyncSession, code: str) -> KvedClass | None:
    canonical = normalise_kved(code)
    return await session.get(KvedClass, canonical) if canonical else None


def _community_condition(query: str) -> ColumnElement[bool]:
    in_list = col(KatottgUnit.category).in_(COMMUNITY_CATEGORIES)
    prefix = katottg_code_prefix(query)
    if prefix is not None:
        return and_(in_list, col(KatottgUnit.code).startswith(prefix))
    name = col(KatottgUnit.name)
    # Each word starts the name or a word of it: "Кам" finds "Кам’янець-Подільська".
    words = [
        or_(
            name.ilike(f"{word}%", escape="\\"),
            name.ilike(f"% {word}%", escape="\\"),
            name.ilike(f"%-{word}%", escape="\\"),
        )
        for word in search_words(query)
    ]
    return and_(in_list, *words)


async def search_communities(
    session: AsyncSession, q: str, limit: int = 20
) -> tuple[Sequence[KatottgUnit], int]:
    """Territorial communities and special-status cities by name (the start of the name or of
    its words, case-insensitively) or by KATOTTG code prefix; and how many there are."""
    condition = _community_condition(q)
    whole = " ".join(search_words(q))
    name = col(KatottgUnit.name)
    closeness = case(
        (func.lower(name) == q.strip().lower(), 0),
        (name.ilike(f"{whole}%", escape="\\"), 1),
        else_=2,
    )
    total = await session.scalar(select(func.count()).select_from(KatottgUnit).where(condition))
    rows = await session.scalars(
        select(KatottgUnit)
        .where(condition)
        .order_by(closeness, name, col(KatottgUnit.code))
        .limit(limit)
    )
    return rows.all(), total or 0


async def get_community(session: AsyncSession, code: str) -> KatottgUnit | None:
    """A territorial community or special-status city by its KATOTTG code."""
    canonical = normalise_katottg(code)
    unit = await session.get(KatottgUnit, canonical) if canonical else None
    return unit if unit is not None and unit.category in COMMUNITY_CATEGORIES else None


async def place_names(session: AsyncSession, codes: Sequence[str]) -> dict[str, str]:
    """KATOTTG code → the place's name in the request's language, in one query."""
    rows = await session.scalars(select(KatottgUnit).where(col(KatottgUnit.code).in_(codes)))
    return {unit.code: place_name(unit) for unit in rows}


async def oblast_of(session: AsyncSession, code: str) -> KatottgUnit | None:
    """The oblast of a community (a special-status city or an oblast is its own)."""
    canonical = normalise_katottg(code)
    unit = await session.get(KatottgUnit, canonical) if canonical else None
    return await session.get(KatottgUnit, unit.oblast_code) if unit is not None else None


# --- the options of the htmx pickers -----------------------------------------------------------

OPTIONS_LIMIT = 15  # what a picker shows; typing more narrows the list


async def kved_options(session: AsyncSession, q: str) -> tuple[list[dict[str, str]], int]:
    """The KVED classes a picker offers for what was typed (nothing for nothing)."""
    rows, total = await search_kved(session, q, OPTIONS_LIMIT) if q.strip() else ([], 0)
    return [{"code": r.code, "title": pick(r, "title"), "detail": ""} for r in rows], total


async def community_options(session: AsyncSession, q: str) -> tuple[list[dict[str, str]], int]:
    """The communities a picker offers for what was typed (nothing for nothing)."""
    rows, total = await search_communities(session, q, OPTIONS_LIMIT) if q.strip() else ([], 0)
    items = [{"code": r.code, "title": place_name(r), "detail": community_detail(r)} for r in rows]
    return items, total
