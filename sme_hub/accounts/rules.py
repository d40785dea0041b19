"""Pure account rules: roles and what each is bound to, passwords, login throttling,
one-time links, and what an unconfirmed email address may not do."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sme_hub.core.auth import Role
from sme_hub.core.i18n import N_


class Binding(StrEnum):
    """The kind of organisation a role is bound to."""

    NONE = "none"
    MUNICIPALITY = "municipality"
    CENTRE = "centre"
    PARTNER = "partner"
    OBLAST = "oblast"


ROLE_BINDING: dict[Role, Binding] = {
    Role.ENTREPRENEUR: Binding.NONE,
    Role.ADMIN: Binding.NONE,
    Role.MUNICIPAL_OFFICER: Binding.MUNICIPALITY,
    Role.EVALUATOR: Binding.MUNICIPALITY,
    Role.CENTRE_STAFF: Binding.CENTRE,
    Role.PARTNER: Binding.PARTNER,
    Role.REGIONAL_OBSERVER: Binding.OBLAST,
}

# The CHECK constraint that makes the table agree with ROLE_BINDING.
ROLE_BINDING_SQL = (
    "(role IN ('entrepreneur', 'admin') AND municipality_id IS NULL AND centre_id IS NULL "
    "AND partner_id IS NULL AND oblast IS NULL) "
    "OR (role IN ('municipal_officer', 'evaluator') AND municipality_id IS NOT NULL "
    "AND centre_id IS NULL AND partner_id IS NULL AND oblast IS NULL) "
    "OR (role = 'centre_staff' AND centre_id IS NOT NULL AND municipality_id IS NOT NULL "
    "AND partner_id IS NULL AND oblast IS NULL) "
    "OR (role = 'partner' AND partner_id IS NOT NULL AND municipality_id IS NULL "
    "AND centre_id IS NULL AND oblast IS NULL) "
    "OR (role = 'regional_observer' AND oblast IS NOT NULL AND municipality_id IS NULL "
    "AND centre_id IS NULL AND partner_id IS NULL)"
)

CONSENT_VERSION = "2026-11-v1"  # the text shown beside the consent box
TOKEN_LIFETIME_HOURS = 12

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128

# Throttling: failures counted over a sliding window, per email and per client address.
LOGIN_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 30


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Why a password is not acceptable (an English msgid), or None when it is.

    Length is what matters (NIST SP 800-63B); composition rules are not imposed.
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        return N_("Use at least 12 characters.")
    if len(password) > PASSWORD_MAX_LENGTH:
        return N_("Use at most 128 characters.")
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return N_("The password must not contain your email address.")
    if full_name and full_name.lower().replace(" ", "") in lowered.replace(" ", ""):
        return N_("The password must not contain your name.")
    if len(set(password)) < 4:
        return N_("The password is too easy to guess: use more different characters.")
    return None


@dataclass(frozen=True)
class Throttle:
    failures_for_email: int
    failures_for_address: int

    @property
    def blocked(self) -> bool:
        return (
            self.failures_for_email >= MAX_FAILURES_PER_EMAIL
            or self.failures_for_address >= MAX_FAILURES_PER_ADDRESS
        )


# --- one-time links (email confirmation, password reset) ------------------------------------


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password


TOKEN_LIFETIMES: dict[TokenPurpose, timedelta] = {
    TokenPurpose.CONFIRM_EMAIL: timedelta(hours=48),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}
# At most one such email per person in this time (resending, password-reset requests).
LINK_EMAIL_INTERVAL = timedelta(minutes=2)


def can_submit_application(email_confirmed: bool) -> tuple[bool, str | None]:
    """Whether a person may submit a grant application, and why not (an English msgid)."""
    if not email_confirmed:
        return False, N_("Confirm your email address before submitting an application.")
    return True, None
