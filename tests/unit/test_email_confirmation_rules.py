"""Pure rules of one-time links, and what an unconfirmed email address may not do."""

from datetime import timedelta

from sme_hub.accounts.rules import (
    LINK_EMAIL_INTERVAL,
    TOKEN_LIFETIMES,
    TokenPurpose,
    can_submit_application,
)


def test_an_unconfirmed_address_cannot_submit_an_application() -> None:
    assert can_submit_application(False) == (
        False,
        "Confirm your email address before submitting an application.",
    )


def test_a_confirmed_address_can_submit_an_application() -> None:
    assert can_submit_application(True) == (True, None)


def test_link_lifetimes() -> None:
    assert TOKEN_LIFETIMES[TokenPurpose.CONFIRM_EMAIL] == timedelta(hours=48)
    assert TOKEN_LIFETIMES[TokenPurpose.RESET_PASSWORD] == timedelta(hours=1)
    assert LINK_EMAIL_INTERVAL.total_seconds() == 120
