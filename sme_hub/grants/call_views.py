"""What the officer's call pages show: the form's choices (municipalities, programmes),
the logged amendments in words, and the partners the call names."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core.collation import uk_key
from sme_hub.core.errors import InvalidInput
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.grants import calls, display, explain, forms, overview, schemas
from sme_hub.grants.models import CallAmendment, GrantCall
from sme_hub.organisations.models import Municipality
from sme_hub.partners import call_partners as call_partner_offers
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import rules as partner_rules
from sme_hub.training.models import Programme

OFFICER = Role.MUNICIPAL_OFFICER


async def office_calls(session: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    entries = await overview.calls_with_counts(session, user, OFFICER, include_drafts=True)
    return {"entries": entries, "explain": explain, "labels": schemas}


async def call_form(
    session: AsyncSession,
    user: CurrentUser,
    call: GrantCall | None,
    *,
    partner_section: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the officer's call form offers: the municipalities (for a new call), the
    programmes a call may require, the logged amendments and the partners' section."""
    mine = sorted(user.municipality_ids(OFFICER))
    municipalities = (
        await session.scalars(
            select(Municipality).where(col(Municipality.id).in_(mine))
            if not user.is_admin
            else select(Municipality).order_by(col(Municipality.name_uk))
        )
    ).all()
    municipality_ids = [call.municipality_id] if call else [m.id for m in municipalities]
    programmes = (
        await session.scalars(
            select(Programme)
            .where(col(Programme.municipality_id).in_(municipality_ids))
            .order_by(col(Programme.title))
        )
    ).all()
    return {
        "call": call,
        "editable": call is None or call.status == "draft" or explain.is_open(call),
        "amendments": await amendments(session, user, call) if call else [],
        "municipalities": municipalities if (call is None and len(municipalities) > 1) else [],
        "programmes": programmes,
        "legal_forms": LEGAL_FORM_LABELS,
        "blank_rows": forms.BLANK_ROWS,
        "explain": explain,
        "labels": schemas,
        "partner_section": partner_section
        or (await partners_section(session, call.id or 0) if call else None),
        "partner_labels": partner_rules,
    }


@dataclass(frozen=True)
class AmendmentView:
    amendment: CallAmendment
    author: str
    changes: list[display.Change]


async def amendments(
    session: AsyncSession, user: CurrentUser, call: GrantCall
) -> list[AmendmentView]:
    """The call's amendments with readable changes and the names of who made them."""
    found = await calls.amendments(session, user, call.id or 0)
    authors = {a.amended_by for a in found if a.amended_by is not None}
    names = dict(
        (
            await session.execute(
                select(col(User.id), col(User.full_name)).where(col(User.id).in_(authors))
            )
        ).all()
        if authors
        else []
    )
    return [
        AmendmentView(
            a,
            names.get(a.amended_by, "") if a.amended_by is not None else "",
            display.describe_changes(a.changes),
        )
        for a in found
    ]


async def partners_section(
    session: AsyncSession,
    call_id: int,
    *,
    posted: dict[int, str] | None = None,
    exc: InvalidInput | None = None,
) -> dict[str, Any]:
    """The call's partners and the form to choose them: every active partner, and the
    inactive ones the call names or the form ticked (so their refusal shows by them)."""
    named = await call_partner_offers.call_partners(session, call_id)
    chosen = posted if posted is not None else {c.partner_id: c.service for c, _p in named}
    by_partner, general = display.errors_by_partner(exc.errors if exc else {}, list(chosen))
    everyone = await partner_directory.list_partners(session)
    shown = sorted(
        (p for p in everyone if p.is_active or p.id in chosen),
        key=lambda p: (not p.is_active, uk_key(p.name)),
    )
    ids = {p.id for p in shown}
    general += [message for pid, message in by_partner.items() if pid not in ids]
    return {
        "named": named,
        "rows": [
            display.PartnerChoice(
                p, p.id in chosen, chosen.get(p.id or 0, ""), by_partner.get(p.id or 0, "")
            )
            for p in shown
        ],
        "general": general,
        "failed": exc is not None,
    }
