"""Personal-data rights of an entrepreneur: download everything, delete the account."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts import passwords
from sme_hub.accounts import service as accounts
from sme_hub.core import audit
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.db import Database
from sme_hub.entrepreneurs.models import BusinessProfileVersion
from sme_hub.entrepreneurs.service import get_profile, to_read


async def export_my_data(session: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    """Everything SME Hub keeps about the user, as JSON-ready data."""
    account = await accounts.read_user(session, user.id)
    profile = await get_profile(session, user.id)
    versions: list[dict[str, Any]] = []
    if profile is not None:
        rows = await session.scalars(
            select(BusinessProfileVersion)
            .where(col(BusinessProfileVersion.profile_id) == profile.id)
            .order_by(col(BusinessProfileVersion.version))
        )
        versions = [
            {"version": v.version, "saved_at": v.created_at.isoformat(), "data": v.data}
            for v in rows
        ]
    activity = await session.scalars(
        select(audit.AuditEntry)
        .where(col(audit.AuditEntry.actor_id) == user.id)
        .order_by(col(audit.AuditEntry.id))
    )
    await audit.record(session, user, "user", user.id, "exported_own_data")
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {
            **account.model_dump(mode="json"),
            **await passwords.consent_record(session, user.id),
        },
        "business_profile": to_read(profile).model_dump(mode="json") if profile else None,
        "business_profile_versions": versions,
        "activity": [
            {
                "at": a.at.isoformat(),
                "object_type": a.object_type,
                "object_id": a.object_id,
                "action": a.action,
            }
            for a in activity
        ],
    }


async def delete_my_account(
    session: AsyncSession, db: Database, user: CurrentUser, password: str, address: str
) -> None:
    """Anonymise the person; keep what public records and audits need (explained on the page):
    the audit log (by account number only), and a legal entity's name and EDRPOU code. The
    password confirms it (wrong ones are throttled with the login failures)."""
    await passwords.check_password(session, db, user.id, password, address)
    profile = await get_profile(session, user.id)
    if profile is not None and profile.tax_id_kind in ("rnokpp", "passport"):
        profile.tax_id = None  # a person's number: never kept after they leave
        profile.name = _("Deleted business")
    if profile is not None:
        profile.owners, profile.leaders, profile.declared_groups = [], [], []
    await passwords.anonymise(session, user.id)
    await audit.record(session, user, "user", user.id, "deleted_own_account")
