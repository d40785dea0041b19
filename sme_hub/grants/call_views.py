"""What the officer's call pages show: the form's choices (municipalities, programmes),
the logged amendments in words, and the partners the call names."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core.collation import uk_key
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import N_, _, current_locale, format_datetime_kyiv, format_money
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.grants import call_partners as call_partner_offers
from sme_hub.grants import calls, display, explain, forms, overview, schemas
from sme_hub.grants.models import CallAmendment, GrantCall
from sme_hub.grants.rules import criterion_name
from sme_hub.organisations.models import Municipality
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


CHANGE_LABELS = {
    "title_uk": N_("Title in Ukrainian"),
    "title_en": N_("Title in English"),
    "description_uk": N_("Description in Ukrainian"),
    "description_en": N_("Description in English"),
    "budget_kop": N_("Budget"),
    "min_grant_kop": N_("Minimum grant"),
    "max_grant_kop": N_("Maximum grant"),
    "own_contribution_pct": N_("Own contribution, % of the project cost"),
    "opens_at": N_("Opens"),
    "closes_at": N_("Closes"),
    "threshold": N_("Quality threshold"),
    "evaluators_per_application": N_("Evaluators per application"),
    "blind_review": N_("Blind review"),
    "criteria": N_("Criteria"),
    "priorities": N_("Priorities"),
    "eligibility": N_("Who can apply"),
    "questions": N_("Questions of the application form"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _shown(key: str, value: Any) -> str:
    """One side of a logged change, as people read it."""
    if value is None or value == "":
        return "—"
    if key.endswith("_kop") and isinstance(value, int):
        return format_money(value)
    if key in ("opens_at", "closes_at") and isinstance(value, str):
        try:
            return format_datetime_kyiv(datetime.fromisoformat(value), "d MMMM y, HH:mm")
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "criteria" and isinstance(value, list):
        return "; ".join(
            f"{criterion_name(c, current_locale.get())}"
            f" (×{c.get('weight', '')}, ≤ {c.get('max_score', '')})"
            for c in value
            if isinstance(c, dict)
        )
    if key == "questions" and isinstance(value, list):
        return "; ".join(str(q.get("label_uk", "")) for q in value if isinstance(q, dict))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def describe_changes(changes: Mapping[str, Any]) -> list[Change]:
    """A logged amendment's `changes` ({field: {before, after}}) with labels and values in
    the reader's language."""
    described = []
    for key, change in changes.items():
        label = CHANGE_LABELS.get(key)
        before = change.get("before") if isinstance(change, dict) else None
        after = change.get("after") if isinstance(change, dict) else change
        described.append(
            Change(_(label) if label else key, _shown(key, before), _shown(key, after))
        )
    return described


@dataclass(frozen=True)
class AmendmentView:
    amendment: CallAmendment
    author: str
    changes: list[Change]


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
            describe_changes(a.changes),
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
