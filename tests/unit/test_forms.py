"""Form errors: every pydantic error becomes a message, never a crash."""

import pytest

from sme_hub.accounts.schemas import RegisterRequest
from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import parse_form
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
