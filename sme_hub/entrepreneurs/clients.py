"""Centre staff's view of the entrepreneurs of their municipality (RNOKPP masked, audited), and
the clients they may act for."""

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core import audit
from sme_hub.core.exports import AnyRow, Cell, Export, Statement
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import tenant_condition
from sme_hub.entrepreneurs import rules
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.entrepreneurs.schemas import ClientRead
from sme_hub.entrepreneurs.service import GREEN_LEVEL_LABELS


def mask_tax_id(tax_id: str | None, kind: str | None) -> str | None:
    """A person's RNOKPP is masked for staff; a company's EDRPOU is public."""
    if tax_id and kind in ("rnokpp", "passport"):
        return rules.mask_rnokpp(tax_id)
    return tax_id


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


def clients_statement(actor: CurrentUser, filters: ClientFilters) -> Statement:
    """Entrepreneurs whose business is in the staff member's municipality, filtered, by
    business name: the one statement of the page, the API and the exports."""
    conditions = [
        tenant_condition(
            actor, col(BusinessProfile.municipality_id), Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER
        )
    ]
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        conditions.append(
            or_(
                col(User.full_name).ilike(pattern),
                col(BusinessProfile.name).ilike(pattern),
                col(BusinessProfile.tax_id) == filters.q.strip(),
            )
        )
    if filters.kved:
        conditions.append(col(BusinessProfile.kved).startswith(filters.kved.strip()))
    if filters.women_led is not None:
        conditions.append(col(BusinessProfile.women_led) == filters.women_led)
    if filters.green_level:
        conditions.append(col(BusinessProfile.green_level) == filters.green_level)
    return (
        sa_select(
            col(User.id),
            col(User.full_name),
            col(User.email),
            col(BusinessProfile.name),
            col(BusinessProfile.legal_form),
            col(BusinessProfile.tax_id),
            col(BusinessProfile.tax_id_kind),
            col(BusinessProfile.kved),
            col(BusinessProfile.women_led),
            col(BusinessProfile.green_level),
            col(BusinessProfile.updated_at),
        )
        .join(User, col(User.id) == col(BusinessProfile.user_id))
        .where(*conditions)
        .order_by(col(BusinessProfile.name), col(BusinessProfile.id))
    )


def _client(row: Any) -> ClientRead:
    user_id, full_name, email, name, legal_form, tax_id, kind, kved, women, green, at = row
    return ClientRead(
        user_id=user_id or 0,
        full_name=full_name,
        email=email,
        business_name=name,
        legal_form=legal_form,
        tax_id=mask_tax_id(tax_id, kind),
        kved=kved,
        women_led=women,
        green_level=green,
        updated_at=at,
    )


async def list_clients(
    session: AsyncSession,
    actor: CurrentUser,
    filters: ClientFilters,
    *,
    limit: int = 50,
    offset: int = 0,
    action: str = "viewed_personal_data",
) -> tuple[list[ClientRead], int]:
    """A page of the clients (RNOKPP masked); the access is audited as `action`."""
    base = clients_statement(actor, filters)
    total = await session.scalar(select(func.count()).select_from(base.order_by(None).subquery()))
    rows = await session.execute(base.limit(limit).offset(offset))
    clients = [_client(row) for row in rows.all()]
    await audit.record_access(
        session,
        actor,
        "client_list",
        "search",
        action,
        municipality_id=min(actor.municipality_ids(), default=None),
        details={**asdict(filters), "count": len(clients)},
    )
    return clients, total or 0


def clients_export(actor: CurrentUser, filters: ClientFilters) -> Export:
    """The filtered clients as a file (tax numbers masked as on the page)."""
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

    def cells(row: AnyRow) -> list[Cell]:
        c = _client(row)
        return [
            c.full_name,
            c.email,
            c.business_name,
            c.legal_form,
            c.tax_id or "",
            c.kved,
            _("yes") if c.women_led else _("no"),
            _(GREEN_LEVEL_LABELS[c.green_level]),
        ]

    return Export(
        name="clients",
        header=header,
        statement=clients_statement(actor, filters),
        cells=cells,
        object_type="client_list",
        object_id="export",
        municipality_id=min(actor.municipality_ids(), default=None),
        filters=asdict(filters),
    )


@dataclass(frozen=True)
class Client:
    user_id: int
    full_name: str
    email: str
    business_name: str


async def assistable_clients(session: AsyncSession, user: CurrentUser) -> list[Client]:
    """Entrepreneurs whose business is in a municipality of the staff member's centre: the
    clients they may prepare an application for."""
    rows = await session.execute(
        select(col(User.id), col(User.full_name), col(User.email), col(BusinessProfile.name))
        .join(BusinessProfile, col(BusinessProfile.user_id) == col(User.id))
        .where(
            tenant_condition(user, col(BusinessProfile.municipality_id), Role.CENTRE_STAFF),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.full_name))
        .limit(1000)
    )
    return [Client(uid or 0, name, email, business) for uid, name, email, business in rows.all()]
