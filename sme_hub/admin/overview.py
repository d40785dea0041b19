"""What the admin page shows: municipalities, centres, accounts, partners, the latest emails."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts import user_admin
from sme_hub.core import mail
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.organisations import service
from sme_hub.partners import directory as partner_directory
from sme_hub.reference import service as reference


async def admin_overview(session: AsyncSession, viewer: CurrentUser | None) -> dict[str, Any]:
    """The admin page's lists (an admin's reading of accounts is logged: `viewer`)."""
    municipalities, _total = await service.list_municipalities(session)
    centres, _total = await service.list_centres(session)
    users, users_total = await user_admin.list_users(session, limit=20, viewer=viewer)
    return {
        "municipalities": municipalities,
        "centres": centres,
        "users": users,
        "users_total": users_total,
        "emails": await mail.latest_emails(session),
        "communities": await reference.place_names(session, [m.katottg for m in municipalities]),
        "email_labels": mail.STATUS_LABELS,
        "partners": await partner_directory.list_partners(session),
        "roles": list(Role),
    }
