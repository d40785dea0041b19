"""Validation messages a person can act on, in their language, from pydantic's errors."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import N_, _

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is too short."),
    "string_too_long": N_("This field is too long."),
    "extra_forbidden": N_("This field is not expected here."),
    "literal_error": N_("Choose one of the offered values."),
    "enum": N_("Choose one of the offered values."),
    "int_parsing": N_("Enter a whole number."),
    "greater_than_equal": N_("The number is too small."),
    "less_than_equal": N_("The number is too large."),
    "bool_parsing": N_("Choose yes or no."),
}


def message_for(error: Any) -> str:
    """The translated message for one pydantic error."""
    kind = error["type"]
    if kind == "value_error":
        # Our validators raise ValueError with an English msgid; pydantic prefixes it.
        text = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        if "email address" in text and "valid" in text:  # email-validator's wording
            return _(N_("Enter a valid email address."))
        return _(text)
    if kind in _MESSAGES:
        return _(_MESSAGES[kind])
    return _("Enter a valid value.")


def field_errors(exc: ValidationError) -> dict[str, str]:
    """The first problem of each field, keyed by the field's dotted name."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "__root__"
        errors.setdefault(key, message_for(error))
    return errors


def parse_form(model: type[M], data: dict[str, Any]) -> M:
    """Validate form data into `model`, raising InvalidInput (422) with every field's problem."""
    fields = {key: value for key, value in data.items() if not key.startswith("_")}  # CSRF token
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from exc
