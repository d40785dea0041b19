"""Tenancy: a staff user sees only the municipalities they work for; others' objects are 404."""

from typing import Any

from sqlalchemy import ColumnElement, false, true

from sme_hub.core.errors import NotFound
from sme_hub.core.roles import CurrentUser, Role


def can_see_municipality(user: CurrentUser, municipality_id: int, *roles: Role) -> bool:
    """Admins see every tenant; staff only their own (in `roles`, any staff role if none)."""
    return user.is_admin or municipality_id in user.municipality_ids(*roles)


def ensure_in_tenant(user: CurrentUser, municipality_id: int | None, *roles: Role) -> None:
    """Raise 404 for another municipality's object, so its existence is not revealed."""
    if municipality_id is None or not can_see_municipality(user, municipality_id, *roles):
        raise NotFound()


def tenant_condition(user: CurrentUser, column: Any, *roles: Role) -> ColumnElement[bool]:
    """The WHERE clause restricting `column` (a municipality_id column or attribute) to the
    user's tenants."""
    if user.is_admin:
        return true()
    ids = user.municipality_ids(*roles)
    return column.in_(ids) if ids else false()
