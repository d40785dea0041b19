"""Who a user is in the app: roles, the grants binding them to organisations, the acting user.

Pure (no web framework, no database), so domain rules can reason about users.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self

from sme_hub.core.i18n import N_, _


class Role(StrEnum):
    ENTREPRENEUR = "entrepreneur"
    CENTRE_STAFF = "centre_staff"
    EVALUATOR = "evaluator"
    MUNICIPAL_OFFICER = "municipal_officer"
    PARTNER = "partner"
    REGIONAL_OBSERVER = "regional_observer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Grant:
    """One role of a user and the organisation it is bound to."""

    role: Role
    municipality_id: int | None = None
    centre_id: int | None = None
    partner_id: int | None = None
    oblast: str | None = None


@dataclass(frozen=True)
class CurrentUser:
    """The acting user, detached from any database session."""

    id: int
    email: str
    full_name: str
    locale: str
    email_confirmed: bool
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @classmethod
    def acting(
        cls,
        user_id: int,
        role: Role,
        *,
        email: str | None = None,
        full_name: str | None = None,
        locale: str = "uk",
        municipality_id: int | None = None,
        centre_id: int | None = None,
        partner_id: int | None = None,
        oblast: str | None = None,
    ) -> Self:
        """A user acting in one role, built without a login: for seeding data and tests.
        A placeholder email (and the email as the name) when none is given."""
        email = email or f"{role.value}@acting"
        return cls(
            id=user_id,
            email=email,
            full_name=full_name or email,
            locale=locale,
            email_confirmed=True,
            grants=(Grant(role, municipality_id, centre_id, partner_id, oblast),),
        )

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.grants}

    def has_role(self, *roles: Role) -> bool:
        return any(grant.role in roles for grant in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def municipality_ids(self, *roles: Role) -> set[int]:
        """Municipalities this user works for in any of `roles` (all staff roles if none)."""
        return {
            grant.municipality_id
            for grant in self.grants
            if grant.municipality_id is not None and (not roles or grant.role in roles)
        }

    def centre_ids(self) -> set[int]:
        return {grant.centre_id for grant in self.grants if grant.centre_id is not None}


ROLE_LABELS = {
    Role.ENTREPRENEUR: N_("Entrepreneur"),
    Role.CENTRE_STAFF: N_("Business support centre staff"),
    Role.EVALUATOR: N_("Evaluator"),
    Role.MUNICIPAL_OFFICER: N_("Municipal officer"),
    Role.PARTNER: N_("Partner"),
    Role.REGIONAL_OBSERVER: N_("Regional observer"),
    Role.ADMIN: N_("Administrator"),
}


def role_label(role: Role | str) -> str:
    return _(ROLE_LABELS[Role(role)])
