"""Dashboard figures of municipalities, a call and an oblast, counted by PostgreSQL: a few
GROUP BY statements per dashboard, whatever the number of applications. Who may see which
municipality's figures is decided here too."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.errors import NotFound
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.grants.models import AWARDED_STATUSES as AWARDED
from sme_hub.grants.models import SUBMITTED_STATUSES as SUBMITTED
from sme_hub.grants.models import Application, GrantCall
from sme_hub.implementation.models import ProgressReport
from sme_hub.organisations.models import Municipality
from sme_hub.partners.models import Referral
from sme_hub.reporting.rules import Counts

# --- who sees what ----------------------------------------------------------------------------


def observed_oblasts(user: CurrentUser) -> set[str]:
    return {g.oblast for g in user.grants if g.role == Role.REGIONAL_OBSERVER and g.oblast}


def may_see(user: CurrentUser, municipality: Municipality) -> bool:
    """Admins see every municipality, officers their own, regional observers their oblast's."""
    return (
        user.is_admin
        or (municipality.id in user.municipality_ids(Role.MUNICIPAL_OFFICER))
        or municipality.oblast in observed_oblasts(user)
    )


async def visible_municipality(
    session: AsyncSession, user: CurrentUser, municipality_id: int
) -> Municipality:
    municipality = await session.get(Municipality, municipality_id)
    if municipality is None or not may_see(user, municipality):
        raise NotFound()
    return municipality


async def visible_call(
    session: AsyncSession, user: CurrentUser, call_id: int
) -> tuple[GrantCall, Municipality]:
    call = await session.get(GrantCall, call_id)
    if call is None:
        raise NotFound()
    return call, await visible_municipality(session, user, call.municipality_id)


async def oblast_municipalities(
    session: AsyncSession, user: CurrentUser, oblast: str
) -> list[Municipality]:
    """The municipalities of an oblast on SME Hub, by name; another oblast (for an observer)
    or one with none is 404."""
    if not (user.is_admin or oblast in observed_oblasts(user)):
        raise NotFound()
    found = await session.scalars(
        select(Municipality)
        .where(col(Municipality.oblast) == oblast)
        .order_by(col(Municipality.name_uk))
    )
    municipalities = list(found)
    if not municipalities:
        raise NotFound()
    return municipalities


async def visible_municipalities(session: AsyncSession, user: CurrentUser) -> list[Municipality]:
    """The municipalities whose dashboards the user may open, by name."""
    condition = (
        true()
        if user.is_admin
        else (
            col(Municipality.id).in_(user.municipality_ids(Role.MUNICIPAL_OFFICER))
            | col(Municipality.oblast).in_(observed_oblasts(user))
        )
    )
    found = await session.scalars(
        select(Municipality).where(condition).order_by(col(Municipality.name_uk))
    )
    return list(found)


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose figures: some municipalities, or one call (then training is not counted: it
    belongs to no call)."""

    municipality_ids: Sequence[int]
    call_id: int | None = None


async def counts(session: AsyncSession, scope: Scope) -> dict[int, Counts]:
    """Each municipality's counts (every municipality of the scope has an entry)."""
    result = {mid: Counts() for mid in scope.municipality_ids}
    if not result:
        return result
    await _budgets(session, scope, result)
    await _applications(session, scope, result)
    await _jobs_created(session, scope, result)
    if scope.call_id is None:
        await _enrolments(session, scope, result)
    await _referrals(session, scope, result)
    return result


def _in_scope(scope: Scope, municipality: Any, call: Any) -> ColumnElement[bool]:
    """Rows of the scope's municipalities (and of its call, through the `call` column, when
    the table has one)."""
    condition: Any = col(municipality).in_(scope.municipality_ids)
    if scope.call_id is not None and call is not None:
        condition = and_(condition, col(call) == scope.call_id)
    return condition  # type: ignore[no-any-return]


async def _applications(session: AsyncSession, scope: Scope, result: dict[int, Counts]) -> None:
    """One scan of the applications, grouped by what the dashboard splits them by; the
    groups (a few dozen per municipality) are then added up into the figures."""
    a = Application
    keys = (
        col(a.municipality_id),
        col(a.status),
        func.coalesce(col(a.women_led), False),
        func.coalesce(col(a.green_level), "none"),
    )

    def total(column: Any) -> Any:
        return func.coalesce(func.sum(col(column)), 0)

    statement = (
        select(
            *keys,
            func.count(),
            total(a.requested_amount_kop),
            total(a.awarded_kop),
            total(a.paid_kop),
            total(a.jobs_total),
            total(a.jobs_women),
        )
        .where(_in_scope(scope, a.municipality_id, a.call_id))
        .group_by(*keys)
    )
    rows: Any = (await session.execute(statement)).all()
    for mid, status, women_led, level, n, requested, awarded_kop, paid, jobs, jobs_w in rows:
        c = result[mid]
        c.applications_by_status[status] = c.applications_by_status.get(status, 0) + n
        if status in SUBMITTED:
            c.applicants += n
            c.applicants_women_led += n if women_led else 0
            c.applicants_green[level] = c.applicants_green.get(level, 0) + n
            c.requested_kop += int(requested)
        if status in AWARDED:
            c.awarded += n
            c.awarded_women_led += n if women_led else 0
            c.awarded_green[level] = c.awarded_green.get(level, 0) + n
            c.approved_kop += int(awarded_kop)
            c.paid_kop += int(paid)
            c.jobs_planned += int(jobs)
            c.jobs_planned_women += int(jobs_w)


async def _budgets(session: AsyncSession, scope: Scope, result: dict[int, Counts]) -> None:
    c = GrantCall
    statement = (
        select(col(c.municipality_id), func.sum(col(c.budget_kop)))
        .where(col(c.status) != "draft", _in_scope(scope, c.municipality_id, c.id))
        .group_by(col(c.municipality_id))
    )
    for mid, budget in (await session.execute(statement)).all():
        result[mid].budget_kop = int(budget)


async def _jobs_created(session: AsyncSession, scope: Scope, result: dict[int, Counts]) -> None:
    """Jobs as each grant's latest accepted report states them (reports say how many jobs the
    project has created so far, so only the latest counts)."""
    r = ProgressReport
    each_grant = (
        select(col(r.municipality_id), col(r.jobs_created), col(r.women_employed))
        .ext(distinct_on(col(r.application_id)))
        .where(col(r.status) == "accepted", _in_scope(scope, r.municipality_id, None))
        .order_by(col(r.application_id), col(r.submitted_at).desc())
    )
    if scope.call_id is not None:  # the join only when a call is asked for: it costs a scan
        each_grant = each_grant.join(
            Application, col(Application.id) == col(r.application_id)
        ).where(col(Application.call_id) == scope.call_id)
    latest = each_grant.subquery()
    statement = select(
        latest.c.municipality_id,
        func.sum(latest.c.jobs_created),
        func.sum(latest.c.women_employed),
    ).group_by(latest.c.municipality_id)
    for mid, jobs, women in (await session.execute(statement)).all():
        result[mid].jobs_created = int(jobs)
        result[mid].jobs_created_women = int(women)


def _head_gender() -> Any:
    """`female`, `male` or `unknown`: the gender of the business's head in its profile."""
    leaders = col(BusinessProfile.leaders)

    def head(gender: str) -> Any:
        return leaders.op("@>")(literal([{"role": "head", "gender": gender}], JSONB))

    return case((head("female"), "female"), (head("male"), "male"), else_="unknown")


async def _enrolments(session: AsyncSession, scope: Scope, result: dict[int, Counts]) -> None:
    """Enrolments by status and by the gender of the head of the person's business (from
    the business profile; "unknown" without one)."""
    from sme_hub.training.models import Enrolment

    keys = (col(Enrolment.municipality_id), _head_gender(), col(Enrolment.status))
    statement = (
        select(*keys, func.count())
        .outerjoin(BusinessProfile, col(BusinessProfile.user_id) == col(Enrolment.user_id))
        .where(_in_scope(scope, Enrolment.municipality_id, None))
        .group_by(*keys)
    )
    for mid, head, status, n in (await session.execute(statement)).all():
        result[mid].enrolments.setdefault(head, {})[status] = n


async def _referrals(session: AsyncSession, scope: Scope, result: dict[int, Counts]) -> None:
    """Referrals by their status; of a call, those offered to its grantees."""
    keys = (col(Referral.municipality_id), col(Referral.status))
    statement = select(*keys, func.count()).group_by(*keys)
    if scope.call_id is not None:
        statement = statement.join(Application, col(Application.id) == col(Referral.application_id))
    statement = statement.where(_in_scope(scope, Referral.municipality_id, Application.call_id))
    for mid, status, n in (await session.execute(statement)).all():
        assert mid is not None  # in the scope's municipalities
        result[mid].referrals_by_status[status] = n


# --- the dashboards -----------------------------------------------------------------------------


async def municipality_counts(
    session: AsyncSession, user: CurrentUser, municipality_id: int
) -> tuple[Municipality, Counts]:
    municipality = await visible_municipality(session, user, municipality_id)
    found = await counts(session, Scope([municipality_id]))
    return municipality, found[municipality_id]


async def call_counts(
    session: AsyncSession, user: CurrentUser, call_id: int
) -> tuple[GrantCall, Municipality, Counts]:
    call, municipality = await visible_call(session, user, call_id)
    found = await counts(session, Scope([call.municipality_id], call_id=call_id))
    return call, municipality, found[call.municipality_id]


async def oblast_counts(
    session: AsyncSession, user: CurrentUser, oblast: str
) -> list[tuple[Municipality, Counts]]:
    """Each municipality of the oblast with its counts, by name."""
    municipalities = await oblast_municipalities(session, user, oblast)
    found = await counts(session, Scope([m.id for m in municipalities if m.id is not None]))
    return [(m, found[m.id]) for m in municipalities if m.id is not None]


async def calls_of(session: AsyncSession, municipality_id: int) -> list[GrantCall]:
    """The municipality's published calls, newest first, for links to their dashboards."""
    found = await session.scalars(
        select(GrantCall)
        .where(col(GrantCall.municipality_id) == municipality_id, col(GrantCall.status) != "draft")
        .order_by(col(GrantCall.opens_at).desc())
    )
    return list(found)


async def oblast_name(session: AsyncSession, oblast: str) -> str:
    """The oblast as a sentence names it in the request's language (`Lviv Oblast`), from the
    KATOTTG list; its code if the list has no such oblast."""
    from sme_hub.reference import service as reference

    unit = await reference.oblast_of(session, oblast)
    return reference.oblast_title(unit.name) if unit is not None else oblast


async def reports_index(
    session: AsyncSession, user: CurrentUser
) -> tuple[str | None, dict[str, Any]]:
    """Straight to the one dashboard a person has (its path); else the choice to show."""
    oblasts = sorted(observed_oblasts(user))
    municipalities = await visible_municipalities(session, user)
    if len(oblasts) == 1 and not user.is_admin:
        return f"/reports/oblasts/{oblasts[0]}", {}
    if len(municipalities) == 1 and not oblasts:
        return f"/reports/municipalities/{municipalities[0].id}", {}
    return None, {"municipalities": municipalities, "oblasts": oblasts, "is_admin": user.is_admin}
