"""The forms of the training pages, parsed: the catalogue's filters, a programme, a cohort,
a session, the attendance of a session. Pure functions, no I/O."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sme_hub.core.filters import Field, choice, number, parse_public_filters
from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import KYIV, _
from sme_hub.training import schemas
from sme_hub.training.schemas import CohortCreate, ProgrammeCreate, SessionCreate

M = TypeVar("M", bound=BaseModel)
CATALOGUE_FIELDS = {
    "topic": Field(strip=False),
    "format": choice(schemas.FORMAT_LABELS, strip=False),
    "municipality_id": number(),
    "target_group": choice(schemas.TARGET_GROUP_LABELS, strip=False),
}
PROGRAMME_TEXTS = ("title", "description", "target_group", "format")
COHORT_FIELDS = (
    "starts_on",
    "ends_on",
    "enrolment_deadline",
    "capacity",
    "reserved_women_seats",
    "place",
)


def catalogue_filters(given: Mapping[str, str | None]) -> dict[str, Any]:
    """The catalogue's filters, leniently: one that cannot be read is no filter (the
    catalogue shows no errors)."""
    values, _errors = parse_public_filters(dict(given), CATALOGUE_FIELDS)
    return values


def _model(model: type[M], fields: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(fields), {}
    except ValidationError as exc:
        return None, field_errors(exc)


def parse_programme(data: Mapping[str, Any]) -> tuple[ProgrammeCreate | None, dict[str, str]]:
    """A new programme; topics are typed separated by commas."""
    fields: dict[str, Any] = {k: data.get(k, "") for k in PROGRAMME_TEXTS}
    fields["topics"] = [t.strip() for t in str(data.get("topics", "")).split(",") if t.strip()]
    fields["host_partner_id"] = data.get("host_partner_id") or None
    return _model(ProgrammeCreate, fields)


def parse_cohort(data: Mapping[str, Any]) -> tuple[CohortCreate | None, dict[str, str]]:
    """A new cohort of a programme; empty fields are left to the schema's defaults."""
    fields: dict[str, Any] = {k: data.get(k) or None for k in COHORT_FIELDS}
    fields["reserved_women_seats"] = fields["reserved_women_seats"] or 0
    fields["place"] = fields["place"] or ""
    fields["open"] = data.get("open") == "true"
    return _model(CohortCreate, fields)


def parse_session(data: Mapping[str, Any]) -> tuple[SessionCreate | None, dict[str, str]]:
    """A session: its day and time in Kyiv, its topic and length (120 minutes if not given);
    one message for the whole form."""
    starts = f"{data.get('date', '')}T{data.get('time', '')}:00"
    try:
        return SessionCreate(
            starts_at=datetime.fromisoformat(starts).replace(tzinfo=KYIV),
            topic=str(data.get("topic", "")),
            duration_minutes=int(data.get("duration_minutes") or 120),
        ), {}
    except ValueError:  # a validation error of the schema is a ValueError too
        return None, {"__all__": _("Give the date, the time and the topic of the session.")}


def present_ids(data: Mapping[str, Any]) -> list[int]:
    """The enrolments ticked present (a repeated field; one tick arrives as a string)."""
    value = data.get("present", [])
    checked = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return [int(v) for v in checked if v.isdigit()]
