"""Pure account rules: roles and what each is bound to, passwords, login throttling,
one-time links, two-factor sign-in, and what an unconfirmed email address may not do."""

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache
from importlib.resources import files

import pyotp

from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role


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

# Throttling: failures (wrong passwords, at login or confirming a step, and wrong codes) over a
# sliding window. An account locks first only for the address the failures came from, so a
# stranger cannot lock someone out from elsewhere with a few guesses; the whole account locks
# at a higher count (a guesser spread over many addresses), and then only a correct password
# with a correct second factor still gets in. Wrong codes have an account-wide limit of their
# own that nothing lifts: whoever types them already knows the password.
LOGIN_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS = 5
MAX_FAILURES_PER_ACCOUNT = 20
MAX_FAILURES_PER_ADDRESS = 30
MAX_CODE_FAILURES_PER_ACCOUNT = 10


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
    if is_common_password(password):
        return N_("This password is one of the most common ones: choose another.")
    return None


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (data/common-passwords.txt: the 10,000 most common passwords of
    breach corpora, as Django ships them), lower-cased."""
    text = files("sme_hub.accounts").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


# Digits and punctuation people append to a common word to pass a length rule
# ("password2026!", "qwerty123456789").
_TRAILING_FILLER = re.compile(r"[\d\W_]+$")


def is_common_password(password: str) -> bool:
    """In the list as typed (case aside), or a listed word of 4+ characters padded with digits
    and punctuation at the end."""
    lowered = password.strip().lower()
    known = common_passwords()
    if lowered in known:
        return True
    stem = _TRAILING_FILLER.sub("", lowered)
    return len(stem) >= 4 and stem != lowered and stem in known


def account_key(email: str) -> str:
    return f"email:{email.lower()}"


def address_key(address: str) -> str:
    return f"ip:{address}"


def account_at_address_key(email: str, address: str) -> str:
    return f"email_ip:{email.lower()}|{address}"


def code_key(email: str) -> str:
    return f"code:{email.lower()}"


@dataclass(frozen=True)
class Throttle:
    """Recent failures of one account and one client address."""

    for_account: int = 0
    for_address: int = 0
    for_account_at_address: int = 0
    codes_for_account: int = 0

    @property
    def blocked_here(self) -> bool:
        """This address may not try this account (or anything) for now."""
        return (
            self.for_account_at_address >= MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS
            or self.for_address >= MAX_FAILURES_PER_ADDRESS
        )

    @property
    def account_locked(self) -> bool:
        """Locked from every address: only password plus second factor gets in."""
        return self.for_account >= MAX_FAILURES_PER_ACCOUNT

    @property
    def codes_blocked(self) -> bool:
        return self.blocked_here or self.codes_for_account >= MAX_CODE_FAILURES_PER_ACCOUNT


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


# --- two-factor sign-in (TOTP, RFC 6238) ------------------------------------------------------

# Staff who decide about public money or administer accounts must use a second factor.
TWO_FACTOR_REQUIRED_ROLES = frozenset({Role.ADMIN, Role.MUNICIPAL_OFFICER})
TOTP_DIGITS = 6
TOTP_PERIOD_SECONDS = 30
TOTP_WINDOW_STEPS = 1  # a code of the step before or after is accepted (clock drift)
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10  # characters of RECOVERY_ALPHABET: 50 random bits
# Without 0/o, 1/l/i: readable when written down.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_ISSUER = "SME Hub"


def two_factor_required(roles: set[Role] | frozenset[Role]) -> bool:
    return bool(roles & TWO_FACTOR_REQUIRED_ROLES)


def normalise_code(code: str) -> str:
    """What people type, without the spaces and dashes they add, lower-cased."""
    return re.sub(r"[\s-]+", "", code).lower()


def looks_like_totp(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isdigit()


def totp_step(timestamp: float) -> int:
    return int(timestamp // TOTP_PERIOD_SECONDS)


def matching_totp_step(
    secret: str, code: str, timestamp: float, last_used_step: int | None
) -> int | None:
    """The time step whose code `code` is (within the window), or None. A step at or before
    the last one used is refused: a code works once, even within its 30 seconds."""
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS)
    now = totp_step(timestamp)
    for step in range(now - TOTP_WINDOW_STEPS, now + TOTP_WINDOW_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * TOTP_PERIOD_SECONDS), code):
            return step
    return None


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS).provisioning_uri(
        name=email, issuer_name=TOTP_ISSUER
    )


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def formatted_recovery_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


# --- signed-in sessions ---------------------------------------------------------------------

# The first match names the browser: Edge and Opera also say "Chrome", Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def user_agent_summary(user_agent: str) -> str:
    """ "Firefox, Windows" out of a User-Agent header; the header's first word (a program)
    when no browser is recognised, "?" when there is none."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser is None:
        return user_agent.split(" ", 1)[0][:40] or "?"
    return f"{browser}, {system}" if system else browser
