"""Pure account rules: passwords, throttling, and what each role is bound to."""

import pytest

from sme_hub.accounts.rules import (
    MAX_CODE_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS,
    MAX_FAILURES_PER_ADDRESS,
    ROLE_BINDING,
    Binding,
    Throttle,
    password_problem,
    user_agent_summary,
)
from sme_hub.core.auth import hash_password, verify_password
from sme_hub.core.roles import CurrentUser, Grant, Role


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass1", "Use at least 12 characters."),
        ("x" * 129, "Use at most 128 characters."),
        ("olena.k-secret-2026", "The password must not contain your email address."),
        ("Olena Koval is me 1", "The password must not contain your name."),
        ("aaaaaaaaaaaabbb", "The password is too easy to guess: use more different characters."),
        ("correct horse battery staple", None),
        ("дуже довгий пароль українською", None),
    ],
)
def test_password_rules(password: str, problem: str | None) -> None:
    assert (
        password_problem(password, email="olena.k@example.org", full_name="Olena Koval") == problem
    )


def test_twelve_characters_is_enough() -> None:
    assert password_problem("abcdefghijkl") is None
    assert password_problem("abcdefghijk") == "Use at least 12 characters."


def test_throttle_blocks_at_the_limits() -> None:
    at_address = MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS
    assert not Throttle(for_account_at_address=at_address - 1).blocked_here
    assert Throttle(for_account_at_address=at_address).blocked_here
    assert not Throttle(for_address=MAX_FAILURES_PER_ADDRESS - 1).blocked_here
    assert Throttle(for_address=MAX_FAILURES_PER_ADDRESS).blocked_here
    assert not Throttle(for_account=MAX_FAILURES_PER_ACCOUNT - 1).account_locked
    assert Throttle(for_account=MAX_FAILURES_PER_ACCOUNT).account_locked


def test_the_account_locks_at_an_address_long_before_it_locks_everywhere() -> None:
    assert MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS < MAX_FAILURES_PER_ACCOUNT
    here = Throttle(
        for_account=MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS,
        for_account_at_address=MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS,
    )
    assert here.blocked_here and not here.account_locked
    elsewhere = Throttle(for_account=MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS)
    assert not elsewhere.blocked_here and not elsewhere.account_locked


def test_the_account_wide_lock_leaves_codes_alone_but_code_failures_have_a_limit() -> None:
    locked = Throttle(for_account=MAX_FAILURES_PER_ACCOUNT)
    assert locked.account_locked and not locked.codes_blocked
    assert Throttle(codes_for_account=MAX_CODE_FAILURES_PER_ACCOUNT).codes_blocked
    assert Throttle(for_account_at_address=MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS).codes_blocked


def test_every_role_has_a_binding() -> None:
    assert set(ROLE_BINDING) == set(Role)
    assert ROLE_BINDING[Role.CENTRE_STAFF] is Binding.CENTRE
    assert ROLE_BINDING[Role.REGIONAL_OBSERVER] is Binding.OBLAST


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "wrong horse battery staple")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


def test_current_user_knows_its_tenants() -> None:
    user = CurrentUser(
        id=1,
        email="a@b.c",
        full_name="A",
        locale="uk",
        email_confirmed=True,
        grants=(
            Grant(Role.MUNICIPAL_OFFICER, municipality_id=3),
            Grant(Role.CENTRE_STAFF, municipality_id=4, centre_id=9),
        ),
    )
    assert user.municipality_ids() == {3, 4}
    assert user.municipality_ids(Role.MUNICIPAL_OFFICER) == {3}
    assert user.centre_ids() == {9}
    assert user.has_role(Role.CENTRE_STAFF) and not user.is_admin


def test_acting_builds_a_user_with_one_bound_role() -> None:
    staff = CurrentUser.acting(5, Role.CENTRE_STAFF, municipality_id=4, centre_id=9)
    assert staff.id == 5
    assert staff.grants == (Grant(Role.CENTRE_STAFF, municipality_id=4, centre_id=9),)
    assert staff.email == "centre_staff@acting" and staff.full_name == staff.email
    assert staff.locale == "uk" and staff.email_confirmed
    assert staff.municipality_ids() == {4} and staff.centre_ids() == {9}
    partner = CurrentUser.acting(
        6, Role.PARTNER, email="p@example.org", full_name="P", locale="en", partner_id=2
    )
    assert (partner.email, partner.full_name, partner.locale) == ("p@example.org", "P", "en")
    assert partner.grants == (Grant(Role.PARTNER, partner_id=2),)
    observer = CurrentUser.acting(8, Role.REGIONAL_OBSERVER, oblast="UA46000000000026241")
    assert observer.grants == (Grant(Role.REGIONAL_OBSERVER, oblast="UA46000000000026241"),)


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox, Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge, Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari, iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
            "Chrome, Android",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", "?"),
    ],
)
def test_user_agent_summary(user_agent: str, summary: str) -> None:
    assert user_agent_summary(user_agent) == summary
