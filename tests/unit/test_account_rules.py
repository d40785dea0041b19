"""Pure account rules: passwords, throttling, and what each role is bound to."""

import pytest

from sme_hub.accounts.rules import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_EMAIL,
    ROLE_BINDING,
    Binding,
    Throttle,
    password_problem,
)
from sme_hub.core.auth import CurrentUser, Grant, Role, hash_password, verify_password


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
    assert not Throttle(MAX_FAILURES_PER_EMAIL - 1, 0).blocked
    assert Throttle(MAX_FAILURES_PER_EMAIL, 0).blocked
    assert not Throttle(0, MAX_FAILURES_PER_ADDRESS - 1).blocked
    assert Throttle(0, MAX_FAILURES_PER_ADDRESS).blocked


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
