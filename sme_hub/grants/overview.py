"""Calls as staff see them on their start pages: with how many applications each has, by
status, counted in one query."""

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import tenant_condition
from sme_hub.grants.models import Application, GrantCall


@dataclass
class CallWithCounts:
    call: GrantCall
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def submitted(self) -> int:
        """Applications past the draft stage and not withdrawn."""
        return sum(n for status, n in self.counts.items() if status not in ("draft", "withdrawn"))

    @property
    def to_screen(self) -> int:
        return self.counts.get("submitted", 0)


async def calls_with_counts(
    session: AsyncSession, user: CurrentUser, *roles: Role, include_drafts: bool
) -> list[CallWithCounts]:
    """The calls of the user's municipalities (for `roles`), newest first, with counts."""
    conditions = [tenant_condition(user, col(GrantCall.municipality_id), *roles)]
    if not include_drafts:
        conditions.append(col(GrantCall.status) != "draft")
    found = (
        await session.scalars(
            select(GrantCall).where(*conditions).order_by(col(GrantCall.closes_at).desc())
        )
    ).all()
    entries = {call.id: CallWithCounts(call) for call in found}
    rows = await session.execute(
        select(col(Application.call_id), col(Application.status), func.count())
        .where(col(Application.call_id).in_(list(entries)))
        .group_by(col(Application.call_id), col(Application.status))
    )
    for call_id, status, count in rows.all():
        entries[call_id].counts[status] = count
    return list(entries.values())
