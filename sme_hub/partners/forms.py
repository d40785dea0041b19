"""The partner form as the page sends it, into PartnerCreate's shape, and back: pure
functions, no I/O. Services are typed one per line; coordinates as people copy them from a
map (`50,4501` or `50.4501234`, kept to six decimals as the database stores them)."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import N_, _
from sme_hub.partners.schemas import PartnerCreate, PartnerRead

TEXTS = ("name", "kind", "sector", "description_uk", "description_en")
OPTIONAL_TEXTS = ("address", "website", "contact_email", "contact_phone")
COORDINATES = ("latitude", "longitude")
MAX_SERVICES = 50
SIX_PLACES = Decimal("0.000001")


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
