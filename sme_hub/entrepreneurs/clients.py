"""Centre staff's view of the entrepreneurs of their municipality (RNOKPP masked, audited)."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core import audit
from sme_hub.core.auth import CurrentUser, Role
from sme_hub.core.exports import Cell
from sme_hub.core.i18n import _
from sme_hub.core.tenancy import tenant_condition
from sme_hub.entrepreneurs import rules
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.entrepreneurs.schemas import ClientRead
from sme_hub.entrepreneurs.service import GREEN_LEVEL_LABELS


def mask_tax_id(profile: BusinessProfile) -> str | None:
    """A person's RNOKPP is masked for staff; a company's EDRPOU is public."""
    if profile.tax_id and profile.tax_id_kind in ("rnokpp", "passport"):
        return rules.mask_rnokpp(profile.tax_id)
    return profile.tax_id


@dataclass(frozen=True)
class ClientFilters:
    q: str | None = None
    kved: str | None = None
    women_led: bool | None = None
    green_level: str | None = None

    def as_query(self) -> str:
        """The filters as a query string, for links that keep them."""
        pairs = {
            "q": self.q,
            "kved": self.kved,
            "green_level": self.green_level,
            "women_led": None if self.women_led is None else str(self.women_led).lower(),
        }
        return urlencode({key: value for key, value in pairs.items() if value})


async def list_clients(
    session: AsyncSession,
    actor: CurrentUser,
    filters: ClientFilters,
    *,
    limit: int = 50,
    offset: int = 0,
    action: str = "viewed_personal_data",
) -> tuple[list[ClientRead], int]:
    """Entrepreneurs whose business is in the staff member's municipality; the access is
    audited as `action` (`exported` for a spreadsheet)."""
    q, kved, women_led, green_level = (
        filters.q,
        filters.kved,
        filters.women_led,
        filters.green_level,
    )
    conditions = [
        tenant_condition(
            actor, col(BusinessProfile.municipality_id), Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER
        )
    ]
    if q:
        pattern = f"%{q.strip()}%"
        conditions.append(
            or_(
                col(User.full_name).ilike(pattern),
                col(BusinessProfile.name).ilike(pattern),
                col(BusinessProfile.tax_id) == q.strip(),
            )
        )
    if kved:
        conditions.append(col(BusinessProfile.kved).startswith(kved.strip()))
    if women_led is not None:
        conditions.append(col(BusinessProfile.women_led) == women_led)
    if green_level:
        conditions.append(col(BusinessProfile.green_level) == green_level)
    base = (
        select(BusinessProfile, User)
        .join(User, col(User.id) == col(BusinessProfile.user_id))
        .where(*conditions)
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.execute(
        base.order_by(col(BusinessProfile.name)).limit(limit).offset(offset)
    )
    clients = [
        ClientRead(
            user_id=user.id or 0,
            full_name=user.full_name,
            email=user.email,
            business_name=profile.name,
            legal_form=profile.legal_form,
            tax_id=mask_tax_id(profile),
            kved=profile.kved,
            women_led=profile.women_led,
            green_level=profile.green_level,
            updated_at=profile.updated_at,
        )
        for profile, user in rows.all()
    ]
    await audit.record_access(
        session,
        actor,
        object_type="client_list",
        object_id="search",
        action=action,
        municipality_id=min(actor.municipality_ids(), default=None),
        details={**asdict(filters), "count": len(clients)},
    )
    return clients, total or 0


def clients_table(clients: Sequence[ClientRead]) -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of a client export."""
    header = [
        _("Full name"),
        _("Email"),
        _("Business"),
        _("Legal form"),
        _("Tax number"),
        _("KVED"),
        _("Women-led"),
        _("Green level"),
    ]
    rows: list[list[Cell]] = [
        [
            c.full_name,
            c.email,
            c.business_name,
            c.legal_form,
            c.tax_id or "",
            c.kved,
            _("yes") if c.women_led else _("no"),
            _(GREEN_LEVEL_LABELS[c.green_level]),
        ]
        for c in clients
    ]
    return header, rows
