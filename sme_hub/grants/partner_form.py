"""The form of the partners a call names (product.md §11): ticked partners with the service
each offers grantees, read into CallPartnersIn, and the rows the officer's call page shows."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.collation import uk_key
from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.partners import call_partners as call_partner_offers
from sme_hub.partners import directory as partner_directory
from sme_hub.partners.models import Partner
from sme_hub.partners.schemas import CallPartnersIn


@dataclass(frozen=True)
class PartnerChoice:
    partner: Partner
    checked: bool
    service: str
    error: str = ""


def _ticked(data: dict[str, Any]) -> list[int]:
    value = data.get("partner_id", [])
    values = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(int(v) for v in values if str(v).isdigit()))


def posted(data: dict[str, Any]) -> dict[int, str]:
    """The ticked partners, in the order shown, and the service chosen for each."""
    return {pid: str(data.get(f"service_{pid}", "")).strip() for pid in _ticked(data)}


def read(chosen: dict[int, str]) -> CallPartnersIn:
    items = [{"partner_id": pid, "service": service} for pid, service in chosen.items()]
    return parse_form(CallPartnersIn, {"partners": items})


def errors_by_partner(
    errors: dict[str, str], ticked: list[int]
) -> tuple[dict[int, str], list[str]]:
    """`partners.3.service` belongs to the fourth partner ticked; anything else is the
    form's."""
    by_partner: dict[int, str] = {}
    general: list[str] = []
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "partners" and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            if n < len(ticked):
                by_partner[ticked[n]] = message
                continue
        general.append(message)
    return by_partner, general


async def section(
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
    by_partner, general = errors_by_partner(exc.errors if exc else {}, list(chosen))
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
            PartnerChoice(
                p, p.id in chosen, chosen.get(p.id or 0, ""), by_partner.get(p.id or 0, "")
            )
            for p in shown
        ],
        "general": general,
        "failed": exc is not None,
    }
