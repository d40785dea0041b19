"""Pure security rules: the common-password list, TOTP codes and their replay protection,
recovery-code shapes, session expiry, stored-secret encryption and the CSP per path."""

import pyotp
import pytest

from sme_hub.accounts.rules import (
    RECOVERY_CODE_COUNT,
    TOTP_PERIOD_SECONDS,
    common_passwords,
    formatted_recovery_code,
    grouped_secret,
    is_common_password,
    matching_totp_step,
    normalise_code,
    password_problem,
    provisioning_uri,
    totp_step,
    two_factor_required,
)
from sme_hub.core import crypto
from sme_hub.core.auth import (
    SESSION_ABSOLUTE_SECONDS,
    SESSION_IDLE_SECONDS,
    SESSION_LOGIN_AT_KEY,
    SESSION_SEEN_AT_KEY,
    session_expired,
)
from sme_hub.core.roles import Role
from sme_hub.core.security import (
    CONTENT_SECURITY_POLICY,
    DOCS_CONTENT_SECURITY_POLICY,
    content_security_policy,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # 15 s into a step


# --- common passwords ------------------------------------------------------------------------


def test_the_bundled_list_has_about_ten_thousand_passwords() -> None:
    known = common_passwords()
    assert 9_900 <= len(known) <= 10_000
    assert {"password", "123456", "qwerty", "iloveyou"} <= known


@pytest.mark.parametrize(
    "password",
    [
        "123456789abc",
        "123456QWERTY",
        "1qaz2wsx3edc",
        "password2026!",
        "Qwertyuiop123!",
        "sunshine_2025",
    ],
)
def test_common_passwords_and_padded_common_words_are_refused(password: str) -> None:
    assert is_common_password(password)
    assert (
        password_problem(password, email="olena@example.org", full_name="Olena Koval")
        == "This password is one of the most common ones: choose another."
    )


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "теплий хліб щоранку 2026", "sunflower fields near Poltava"],
)
def test_uncommon_passphrases_pass(password: str) -> None:
    assert not is_common_password(password)
    assert password_problem(password) is None


def test_length_comes_before_the_list_and_the_maximum_is_128() -> None:
    assert password_problem("password") == "Use at least 12 characters."
    assert password_problem("a b c d e f " * 10 + "abcdefgh") is None  # 128
    assert password_problem("a b c d e f " * 10 + "abcdefghi") == "Use at most 128 characters."


# --- TOTP --------------------------------------------------------------------------------------


def code_at(step: int) -> str:
    return pyotp.TOTP(SECRET).at(step * TOTP_PERIOD_SECONDS)


def test_the_current_code_and_its_neighbours_match_their_steps() -> None:
    now = totp_step(NOW)
    for step in (now - 1, now, now + 1):
        assert matching_totp_step(SECRET, code_at(step), NOW, None) == step
    assert matching_totp_step(SECRET, code_at(now - 2), NOW, None) is None
    assert matching_totp_step(SECRET, code_at(now + 2), NOW, None) is None


def test_a_code_is_not_accepted_again_nor_an_older_one() -> None:
    now = totp_step(NOW)
    assert matching_totp_step(SECRET, code_at(now), NOW, last_used_step=now) is None
    assert matching_totp_step(SECRET, code_at(now - 1), NOW, last_used_step=now) is None
    assert matching_totp_step(SECRET, code_at(now + 1), NOW, last_used_step=now) == now + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 56"])
def test_anything_but_six_digits_is_no_totp_code(code: str) -> None:
    assert matching_totp_step(SECRET, code, NOW, None) is None


def test_codes_are_normalised_as_people_type_them() -> None:
    assert normalise_code(" 123 456 ") == "123456"
    assert normalise_code("ABCDE-FGHJK") == "abcdefghjk"
    assert formatted_recovery_code("abcdefghjk") == "abcde-fghjk"
    assert RECOVERY_CODE_COUNT == 10


def test_the_qr_code_address_and_the_secret_for_typing() -> None:
    uri = provisioning_uri(SECRET, "olena@example.org")
    assert uri.startswith("otpauth://totp/SME%20Hub:olena%40example.org?secret=" + SECRET)
    assert "issuer=SME%20Hub" in uri
    assert grouped_secret("ABCDEFGH") == "ABCD EFGH"


def test_two_factor_is_required_for_admins_and_officers_only() -> None:
    assert two_factor_required({Role.ADMIN})
    assert two_factor_required({Role.EVALUATOR, Role.MUNICIPAL_OFFICER})
    for role in (Role.ENTREPRENEUR, Role.CENTRE_STAFF, Role.EVALUATOR, Role.PARTNER):
        assert not two_factor_required({role})


# --- sessions ----------------------------------------------------------------------------------


def session(login_at: float, seen_at: float) -> dict[str, int]:
    return {SESSION_LOGIN_AT_KEY: int(login_at), SESSION_SEEN_AT_KEY: int(seen_at)}


def test_a_session_expires_after_two_idle_hours_or_twelve_hours_in_all() -> None:
    start = 1_800_000_000
    assert not session_expired(session(start, start), start + SESSION_IDLE_SECONDS)
    assert session_expired(session(start, start), start + SESSION_IDLE_SECONDS + 1)
    late = start + SESSION_ABSOLUTE_SECONDS
    assert not session_expired(session(start, late - 10), late)
    assert session_expired(session(start, late - 10), late + 1)
    assert session_expired({}, start)


# --- stored secrets and the CSP ----------------------------------------------------------------


def test_secrets_are_encrypted_under_the_secret_key() -> None:
    key = "k" * 40
    token = crypto.encrypt(key, SECRET)
    assert SECRET not in token
    assert crypto.decrypt(key, token) == SECRET
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt("another key " * 4, token)


def test_keyed_hashes_depend_on_the_key() -> None:
    assert crypto.keyed_hash("a" * 40, "code") == crypto.keyed_hash("a" * 40, "code")
    assert crypto.keyed_hash("a" * 40, "code") != crypto.keyed_hash("b" * 40, "code")
    assert len(crypto.keyed_hash("a" * 40, "code")) == 64


def test_only_the_docs_page_gets_the_relaxed_policy() -> None:
    assert content_security_policy("/schema") == DOCS_CONTENT_SECURITY_POLICY
    assert content_security_policy("/schema/openapi.json") == CONTENT_SECURITY_POLICY
    assert content_security_policy("/") == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in DOCS_CONTENT_SECURITY_POLICY
