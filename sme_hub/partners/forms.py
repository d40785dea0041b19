"""The forms of the partner pages, parsed: the directory's filters, the partner form (into
PartnerCreate's shape, and back), a referral asked for, made or answered. Pure functions, no
I/O. Services are typed one per line; coordinates as people copy them from a map (`50,4501`
or `50.4501234`, kept to six decimals as the database stores them)."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sme_hub.core import filters
from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import N_, _
from sme_hub.partners import rules
from sme_hub.partners.schemas import (
    DirectoryFilters,
    PartnerCreate,
    PartnerRead,
    ReferralChange,
    ReferralIn,
)

TEXTS = ("name", "kind", "sector", "description_uk", "description_en")
OPTIONAL_TEXTS = ("address", "website", "contact_email", "contact_phone")
COORDINATES = ("latitude", "longitude")
MAX_SERVICES = 50
SIX_PLACES = Decimal("0.000001")
# Kind, sector and municipality are compared as given (no spaces dropped), as ever.
DIRECTORY_FIELDS = {
    "kind": filters.choice(set(rules.KIND_LABELS), N_("Choose a kind from the list."), strip=False),
    "sector": filters.choice(
        set(rules.SECTOR_LABELS), N_("Choose a sector from the list."), strip=False
    ),
    "municipality": filters.number(N_("Choose a municipality from the list.")),
    "service": filters.text(),
    "q": filters.text(),
}
M = TypeVar("M", bound=BaseModel)
REFERRAL_FIELDS = ("entrepreneur_id", "partner_id", "service", "note")


def parse_directory_filters(
    given: Mapping[str, str | None],
) -> tuple[DirectoryFilters | None, dict[str, str]]:
    """The directory's filters (empty means "any"), or None and each filter's problem."""
    values, errors = filters.parse_public_filters(dict(given), DIRECTORY_FIELDS)
    return (None, errors) if errors else (DirectoryFilters(**values), {})


def _model(model: type[M], fields: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(fields), {}
    except ValidationError as exc:
        return None, field_errors(exc)


def parse_referral_request(
    partner_id: int, data: Mapping[str, Any]
) -> tuple[ReferralIn | None, dict[str, str]]:
    """An entrepreneur's request for a referral from a partner's page."""
    values = {key: str(data.get(key, "")) for key in ("service", "note")}
    return _model(ReferralIn, {"partner_id": partner_id, **values})


def referral_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The centre's referral form as typed (kept to be shown again)."""
    return {key: str(data.get(key, "")).strip() for key in REFERRAL_FIELDS}


def parse_referral(values: Mapping[str, str]) -> tuple[ReferralIn | None, dict[str, str]]:
    """The centre's referral form as a ReferralIn, every missing choice named at once."""
    errors = {}
    if not values["entrepreneur_id"].isdigit():
        errors["entrepreneur_id"] = _("Choose a client.")
    if not values["partner_id"].isdigit():
        errors["partner_id"] = _("Choose a partner.")
    if not values["service"]:
        errors["service"] = _("Choose one of the partner's services.")
    if errors:
        return None, errors
    return _model(ReferralIn, dict(values))


def parse_referral_change(data: Mapping[str, Any]) -> tuple[ReferralChange | None, dict[str, str]]:
    """A partner's answer to a referral: the new status and the outcome."""
    fields = {"status": data.get("status", ""), "outcome_note": str(data.get("outcome_note", ""))}
    return _model(ReferralChange, fields)


def values_of(data: Mapping[str, Any], key: str) -> list[str]:
    """Every value of a repeated form field (one value arrives as a plain string)."""
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _coordinate(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", ".").replace(" ", "")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(N_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(N_("Enter a number."))
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def services_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def partner_from_form(
    data: Mapping[str, Any], *, with_municipalities: bool
) -> tuple[PartnerCreate | None, dict[str, str]]:
    """The checked partner from the form, or None and every field's problem."""
    errors: dict[str, str] = {}
    # Browsers send a text area's line breaks as CRLF; paragraphs are split on blank lines.
    fields: dict[str, Any] = {
        key: str(data.get(key, "")).replace("\r\n", "\n").strip() for key in TEXTS
    }
    for key in OPTIONAL_TEXTS:
        fields[key] = str(data.get(key, "")).strip() or None
    for key in COORDINATES:
        try:
            fields[key] = _coordinate(str(data.get(key, "")))
        except ValueError as exc:
            errors[key] = _(str(exc))
    given = [key for key in COORDINATES if fields.get(key) is not None]
    if len(given) == 1 and not errors:
        # Checked here too: the schema's own check waits until every field reads well.
        missing = "longitude" if given == ["latitude"] else "latitude"
        errors[missing] = _("Give both the latitude and the longitude, or neither.")
    fields["services"] = services_of(str(data.get("services", "")))
    if len(fields["services"]) > MAX_SERVICES:
        errors["services"] = _("List at most {n} services.").format(n=MAX_SERVICES)
    fields["is_active"] = "is_active" in data
    if with_municipalities:
        chosen = values_of(data, "municipality_ids")
        if not all(v.isdigit() for v in chosen):
            errors["municipality_ids"] = _("Choose municipalities from the list.")
        fields["municipality_ids"] = [int(v) for v in chosen if v.isdigit()]
    try:
        checked = PartnerCreate.model_validate(fields)
    except ValidationError as exc:
        return None, {**by_field(field_errors(exc), fields), **errors}
    return (None, errors) if errors else (checked, {})


def by_field(errors: dict[str, str], fields: Mapping[str, Any]) -> dict[str, str]:
    """Messages keyed by the form's field names: an item's problem is its list's, and the
    rule on both coordinates belongs beside the one left empty."""
    found: dict[str, str] = {}
    for key, message in errors.items():
        if key == "__root__":
            key = "longitude" if fields.get("latitude") is not None else "latitude"
        found.setdefault(key.split(".")[0], message)
    return found


def form_values(partner: PartnerRead | None) -> dict[str, Any]:
    """What the form shows for a stored partner (a new one: empty and active)."""
    if partner is None:
        return {"is_active": True, "municipality_ids": set()}
    values: dict[str, Any] = {key: getattr(partner, key) or "" for key in (*TEXTS, *OPTIONAL_TEXTS)}
    values.update(
        services="\n".join(partner.services),
        latitude="" if partner.latitude is None else f"{partner.latitude.normalize():f}",
        longitude="" if partner.longitude is None else f"{partner.longitude.normalize():f}",
        is_active=partner.is_active,
        municipality_ids={str(m) for m in partner.municipality_ids},
    )
    return values


def typed_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the person typed, shown again beside the problems."""
    values: dict[str, Any] = {
        key: str(data.get(key, "")) for key in (*TEXTS, *OPTIONAL_TEXTS, *COORDINATES)
    }
    values.update(
        services=str(data.get("services", "")),
        is_active="is_active" in data,
        municipality_ids=set(values_of(data, "municipality_ids")),
    )
    return values


def known_status(value: str | None) -> str:
    """A known referral status to filter by, or "" for all (an unknown one is ignored)."""
    return value if value and value in rules.REFERRAL_FLOW else ""
