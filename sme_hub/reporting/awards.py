"""Awarded grants of every municipality, as the public register, its API and the open data
read them: one query (with the call, the municipality and the place joined) and one count."""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.errors import InvalidInput, NotFound
from sme_hub.core.filtered_lists import filtered_page, typed_filters
from sme_hub.core.i18n import _, pick
from sme_hub.grants.models import AWARDED_STATUSES as AWARDED
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.screening import business_conditions
from sme_hub.implementation.models import Obligation
from sme_hub.organisations.models import Municipality
from sme_hub.reference.models import KatottgUnit
from sme_hub.reporting import open_data
from sme_hub.reporting.awards_schemas import AwardFilters, AwardRead, OpenDataFile
from sme_hub.reporting.forms import parse_award_filters
from sme_hub.reporting.rules import KATOTTG_PATTERN

_snapshot = col(Application.snapshot)
_name = _snapshot["name"].astext
_legal_form = _snapshot["legal_form"].astext
_tax_kind = _snapshot["tax_id_kind"].astext
_place = _snapshot["katottg"].astext
# Only a legal entity's EDRPOU ever leaves the database; a personal tax number is never read.
_edrpou = sa.case(
    (
        sa.and_(_tax_kind == "edrpou", _legal_form != "fop"),
        _snapshot["tax_id"].astext,
    ),
    else_=None,
)
_final_report_due = (
    select(sa.func.min(col(Obligation.due_on)))
    .where(
        col(Obligation.application_id) == col(Application.id),
        col(Obligation.kind) == "final_report",
    )
    .correlate(Application)
    .scalar_subquery()
)


def is_awarded() -> sa.ColumnElement[bool]:
    return sa.and_(col(Application.status).in_(AWARDED), col(Application.awarded_kop).is_not(None))


def _conditions(filters: AwardFilters) -> list[sa.ColumnElement[bool]]:
    conditions = [is_awarded()]
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            sa.or_(_name.ilike(pattern), col(Application.project_title).ilike(pattern))
        )
    if filters.municipality:
        conditions.append(col(Municipality.katottg) == filters.municipality)
    conditions += business_conditions(filters.women_led, filters.green_level)
    if filters.year:
        start = datetime(filters.year, 1, 1, tzinfo=open_data.KYIV)
        end = datetime(filters.year + 1, 1, 1, tzinfo=open_data.KYIV)
        decided = col(Application.decided_at)
        conditions.append(sa.and_(decided >= start, decided < end))
    return conditions


def _columns() -> Sequence[Any]:
    return (
        col(Application.id),
        col(Application.project_title),
        col(Application.summary),
        _name.label("recipient_name"),
        _legal_form.label("legal_form"),
        _edrpou.label("edrpou"),
        _snapshot["profile_id"].astext.label("profile_id"),
        _place.label("beneficiary_katottg"),
        col(KatottgUnit.name).label("beneficiary_place"),
        col(Application.awarded_kop),
        col(Application.requested_amount_kop),
        col(Application.decided_at),
        col(Application.status),
        col(Application.women_led),
        col(Application.green_level),
        col(Application.updated_at),
        col(GrantCall.id).label("call_id"),
        col(GrantCall.title_uk),
        col(GrantCall.title_en),
        col(Municipality.id).label("municipality_id"),
        col(Municipality.katottg),
        col(Municipality.name_uk),
        col(Municipality.name_en),
        _final_report_due.label("final_report_due"),
    )


def _joined(statement: Any) -> Any:
    return (
        statement.select_from(Application)
        .join(GrantCall, col(GrantCall.id) == col(Application.call_id))
        .join(Municipality, col(Municipality.id) == col(Application.municipality_id))
    )


def _read(row: Any, prefix: str) -> AwardRead:
    profile_id = int(row.profile_id) if row.profile_id and row.profile_id.isdigit() else None
    return AwardRead(
        id=row.id,
        project_title=row.project_title,
        summary=row.summary,
        recipient_name=row.recipient_name or "",
        recipient_id=open_data.recipient_id(prefix, row.edrpou, profile_id, row.id),
        edrpou=row.edrpou,
        legal_form=row.legal_form or "",
        beneficiary_katottg=row.beneficiary_katottg,
        beneficiary_place=row.beneficiary_place,
        awarded_kop=row.awarded_kop,
        requested_kop=row.requested_amount_kop,
        awarded_at=row.decided_at or row.updated_at,
        status=row.status,
        women_led=row.women_led,
        green_level=row.green_level,
        call_id=row.call_id,
        call_title_uk=row.title_uk,
        call_title_en=row.title_en,
        municipality_id=row.municipality_id,
        municipality_katottg=row.katottg,
        municipality_name_uk=row.name_uk,
        municipality_name_en=row.name_en,
        final_report_due=row.final_report_due,
        updated_at=row.updated_at,
    )


async def awards(
    session: AsyncSession,
    filters: AwardFilters,
    *,
    prefix: str,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[AwardRead], int]:
    """Awarded grants matching `filters`, newest award first, and how many match."""
    conditions = _conditions(filters)
    statement = (
        _joined(sa.select(*_columns()))
        .outerjoin(KatottgUnit, col(KatottgUnit.code) == _place)
        .where(*conditions)
        .order_by(col(Application.decided_at).desc().nulls_last(), col(Application.id).desc())
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(statement)).all()
    if limit is None or (offset == 0 and len(rows) < limit):
        total = offset + len(rows)  # the whole list is here: no need to count it again
    else:
        total = await session.scalar(_joined(select(sa.func.count())).where(*conditions)) or 0
    return [_read(row, prefix) for row in rows], total


async def award(session: AsyncSession, award_id: int, *, prefix: str) -> AwardRead:
    """One awarded grant; anything else (a draft, a rejection, no such id) is 404."""
    statement = (
        _joined(sa.select(*_columns()))
        .outerjoin(KatottgUnit, col(KatottgUnit.code) == _place)
        .where(is_awarded(), col(Application.id) == award_id)
    )
    row = (await session.execute(statement)).first()
    if row is None:
        raise NotFound(_("There is no awarded grant with this number."))
    return _read(row, prefix)


async def municipality_by_code(session: AsyncSession, katottg: str) -> Municipality:
    """The municipality of a KATOTTG code; 404 for a malformed or unknown code."""
    found = None
    if re.fullmatch(KATOTTG_PATTERN, katottg):
        found = await session.scalar(
            select(Municipality).where(col(Municipality.katottg) == katottg)
        )
    if found is None:
        raise NotFound(
            _("No municipality on SME Hub has the KATOTTG code {code}.").format(code=katottg[:40])
        )
    return found


async def open_data_files(session: AsyncSession) -> list[OpenDataFile]:
    """Every municipality with the number of its awarded grants and its latest award."""
    awarded = sa.and_(col(Application.municipality_id) == col(Municipality.id), is_awarded())
    statement = (
        sa.select(
            col(Municipality.id),
            col(Municipality.katottg),
            col(Municipality.name_uk),
            col(Municipality.name_en),
            sa.func.count(col(Application.id)).label("grants"),
            sa.func.max(col(Application.decided_at)).label("latest"),
        )
        .select_from(Municipality)
        .outerjoin(Application, awarded)
        .group_by(col(Municipality.id))
        .order_by(col(Municipality.name_uk))
    )
    return [
        OpenDataFile(
            municipality_id=row.id,
            katottg=row.katottg,
            name_uk=row.name_uk,
            name_en=row.name_en,
            grants=row.grants,
            latest_award=row.latest,
        )
        for row in await session.execute(statement)
    ]


async def municipality_options(session: AsyncSession) -> list[tuple[str, str, str]]:
    """(KATOTTG, name in Ukrainian, name in English) of every municipality, for the filter."""
    statement = sa.select(
        col(Municipality.katottg), col(Municipality.name_uk), col(Municipality.name_en)
    ).order_by(col(Municipality.name_uk))
    return [(row[0], row[1], row[2]) for row in await session.execute(statement)]


# --- for the API and the pages -----------------------------------------------------------------


def checked_filters(given: dict[str, str | None]) -> AwardFilters:
    """The register's filters from the query string; empty means "any"; 422 otherwise."""
    filters, errors = parse_award_filters(given)
    if filters is None:
        raise InvalidInput(errors)
    return filters


async def register_view(
    session: AsyncSession, given: dict[str, str | None], *, prefix: str, limit: int, offset: int
) -> dict[str, Any]:
    """What the public register shows: the awards the filters find, or the filters' errors
    (422, the whole page rather than the results fragment)."""
    raw = typed_filters(given)
    filters, errors = parse_award_filters(given)
    items: list[AwardRead] = []
    total = 0
    if filters is not None:
        items, total = await awards(session, filters, prefix=prefix, limit=limit, offset=offset)
    options = await municipality_options(session)
    return {
        "fragment": None if errors else "reporting/awards/_results.html",
        "status_code": 422 if errors else 200,
        **filtered_page(
            "awards", items, total, limit=limit, offset=offset, values=raw, errors=errors
        ),
        "municipalities": [
            (code, pick({"name_uk": uk, "name_en": en}, "name")) for code, uk, en in options
        ],
    }


async def open_data_package(
    session: AsyncSession, katottg: str, *, prefix: str, base_url: str
) -> dict[str, Any]:
    """A municipality's awards as a 360Giving package (404 for an unknown code)."""
    municipality = await municipality_by_code(session, katottg)
    found, _total = await awards(session, AwardFilters(municipality=katottg), prefix=prefix)
    return open_data.package(
        found,
        prefix=prefix,
        base_url=base_url,
        katottg=municipality.katottg,
        publisher=municipality.name_uk,
    )
