"""Validation messages a person can act on, in their language, from pydantic's errors; and
the checks of values that several features' forms share (a web address)."""

from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ValidationError

from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import N_, _

M = TypeVar("M", bound=BaseModel)

WEB_ADDRESS_WRONG = N_("A website address starts with https:// or http://.")


def web_address(value: str | None) -> str | None:
    """An http(s) address with a host, or None for an empty one. Every such address is shown
    to people as a link, so any other scheme is refused: `javascript:` would run in the page
    of whoever clicks it, `data:` would show them a page of the writer's making."""
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        raise ValueError(WEB_ADDRESS_WRONG)
    return value


# A schema field of a web address: `link: WebAddress = Field(default=None, max_length=500)`.
WebAddress = Annotated[str | None, AfterValidator(web_address)]

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
        # (EmailStr's errors carry a `reason`, not an `error`, in their context.)
        context = error.get("ctx") or {}
        text = str(context["error"]) if "error" in context else error["msg"]
        if "email address" in text and "valid" in text:  # email-validator's wording
            return _(N_("Enter a valid email address."))
        return _(text)
    if kind == "string_too_short" and error.get("input") == "":
        kind = "missing"  # an empty box is a missing answer, not a short one
    if kind in _MESSAGES:
        return _(_MESSAGES[kind])
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return _("Enter a date.")
    if kind in ("decimal_parsing", "float_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind in ("greater_than", "decimal_max_places"):
        return _("Enter a number greater than zero, with at most two decimals.")
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
