"""Form errors: every pydantic error becomes a message, never a crash."""

import pytest

from sme_hub.accounts.schemas import RegisterRequest
from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import parse_form, web_address
from sme_hub.core.i18n import current_locale


def test_a_malformed_email_is_a_field_error_not_a_crash() -> None:
    data = {"full_name": "Oksana", "email": "oksana.example.org", "password": "short"}
    token = current_locale.set("en")
    try:
        with pytest.raises(InvalidInput) as raised:
            parse_form(RegisterRequest, {"consent": False, **data})
    finally:
        current_locale.reset(token)
    assert raised.value.errors == {
        "email": "Enter a valid email address.",
        "password": "Use at least 12 characters.",
        "consent": "You must agree to the processing of your personal data.",
    }


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ks.example.org",
        "//ks.example.org",
        "http://",
        "https:ks.example.org",
        "ftp://files.example.org",
        "https://ks.example.org/a b",
        "https://ks.example.org/\x00",
    ],
)
def test_only_http_and_https_addresses_with_a_host_are_web_addresses(address: str) -> None:
    with pytest.raises(ValueError, match="https:// or http://"):
        web_address(address)


@pytest.mark.parametrize(
    "address", ["https://ks.example.org", "http://ks.example.org/path?q=1#top", "HTTPS://X.ORG"]
)
def test_web_addresses_are_kept_as_given(address: str) -> None:
    assert web_address(address) == address


def test_an_empty_web_address_is_none() -> None:
    assert web_address("") is None
    assert web_address(None) is None
