"""Pure rules of the audit trail: reading `object=type:id`, naming actions, diffing changes."""

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sme_hub.core.i18n import N_

# The object types the log holds (see `audit.record(...)` calls), with a word for people.
OBJECT_LABELS = {
    "application": N_("Application"),
    "grant_call": N_("Grant call"),
    "grant": N_("Grant"),
    "user": N_("User account"),
    "business_profile": N_("Business profile"),
    "programme": N_("Training programme"),
    "cohort": N_("Cohort"),
    "training_session": N_("Training session"),
    "enrolment": N_("Enrolment"),
    "assignment": N_("Evaluation assignment"),
    "referral": N_("Referral"),
    "partner": N_("Partner"),
    "municipality": N_("Municipality"),
    "support_centre": N_("Business support centre"),
    "client_list": N_("Client list"),
    "referral_list": N_("Referral list"),
    "user_list": N_("Account list"),
    "audit_trail": N_("History of an object"),
}
# Short names people type; the log's own names are accepted as well.
ALIASES = {"call": "grant_call", "centre": "support_centre", "profile": "business_profile"}
# Lists and histories are not rows: their "id" is a word (`search`) or another object.
WORD_IDS = {"client_list", "referral_list", "user_list", "audit_trail"}
_WORD = re.compile(r"[a-z_]{1,20}")

ACTION_LABELS = {
    "created": N_("created"),
    "updated": N_("changed"),
    "amended": N_("amended (published call)"),
    "publish": N_("published"),
    "close": N_("closed"),
    "submit": N_("submitted"),
    "withdraw": N_("withdrawn"),
    "assisted_draft": N_("draft prepared by centre staff"),
    "assisted_edit": N_("draft changed by centre staff"),
    "mark_eligible": N_("marked eligible"),
    "mark_ineligible": N_("marked not eligible"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "attachment_added": N_("file attached"),
    "attachment_removed": N_("file removed"),
    "viewed": N_("viewed (personal data)"),
    "viewed_personal_data": N_("viewed (personal data)"),
    "applications_viewed": N_("list of applications viewed"),
    "attachment_viewed": N_("file opened"),
    "pdf_viewed": N_("PDF copy opened"),
    "exported": N_("exported to a spreadsheet"),
    "agreement_downloaded": N_("agreement downloaded"),
    "receipt_downloaded": N_("receipt downloaded"),
    "roster_viewed": N_("list of participants viewed"),
    "history_viewed": N_("history viewed"),
    "committee": N_("committee named"),
    "start_evaluation": N_("evaluation started"),
    "assigned": N_("evaluators assigned"),
    "conflict": N_("conflict of interest declared"),
    "no_conflict": N_("no conflict of interest declared"),
    "submit_scores": N_("scores submitted"),
    "reopen": N_("score sheet reopened"),
    "recommendation": N_("recommendation stored"),
    "decided": N_("all decisions made"),
    "partners": N_("partners of the call changed"),
    "tranche_added": N_("tranche added"),
    "tranche_paid": N_("tranche paid"),
    "report_submitted": N_("progress report submitted"),
    "report_resubmitted": N_("progress report resubmitted"),
    "report_accepted": N_("progress report accepted"),
    "report_returned": N_("progress report returned"),
    "receipt_added": N_("receipt attached"),
    "obligation_met": N_("obligation met"),
    "registered": N_("registered"),
    "email_confirmed": N_("email confirmed"),
    "password_reset": N_("password reset"),
    "exported_own_data": N_("own data downloaded"),
    "deleted_own_account": N_("own account deleted"),
    "enrolled": N_("enrolled"),
    "waitlisted": N_("put on the waiting list"),
    "cancelled": N_("cancelled"),
    "open": N_("opened"),
    "start": N_("started"),
    "finish": N_("finished"),
    "cancel": N_("cancelled"),
    "attendance": N_("attendance recorded"),
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "completed": N_("completed"),
}

MAX_VALUE = 120  # characters of one value shown in a diff; the API keeps the whole value


@dataclass(frozen=True)
class ObjectRef:
    type: str  # the log's object_type
    id: str  # the log's object_id

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


def parse_object(text: str) -> ObjectRef:
    """`type:id` (e.g. `application:12`, `call:3`, `audit_trail:grant:7`); raises ValueError
    with a message (a gettext msgid) naming what is wrong."""
    kind, sep, ident = (text or "").strip().partition(":")
    kind = ALIASES.get(kind.strip().lower(), kind.strip().lower())
    ident = ident.strip()
    if not sep or not kind or not ident:
        raise ValueError(N_("Write the object as type:id, for example application:12."))
    if kind not in OBJECT_LABELS:
        raise ValueError(N_("Unknown object type: choose one from the list."))
    if kind == "audit_trail":
        inner = parse_object(ident)
        if inner.type == "audit_trail":
            raise ValueError(N_("Unknown object type: choose one from the list."))
        return ObjectRef(kind, str(inner))
    if kind in WORD_IDS:
        if not _WORD.fullmatch(ident):
            raise ValueError(N_("The id of a list is a word, for example client_list:search."))
        return ObjectRef(kind, ident)
    if not ident.isdigit() or len(ident) > 18 or int(ident) < 1:
        raise ValueError(N_("The id must be a whole number, for example application:12."))
    return ObjectRef(kind, str(int(ident)))


@dataclass(frozen=True)
class TrailQuery:
    """What the API and the page ask for: one object and optional filters."""

    object: ObjectRef
    actor: int | None = None
    action: str | None = None
    since: date | None = None  # Kyiv calendar days, both ends included
    until: date | None = None


def parse_query(values: dict[str, str]) -> tuple[TrailQuery | None, dict[str, str]]:
    """The query from `object`, `actor`, `action`, `since`, `until` (text as typed), or the
    problems by field (gettext msgids)."""
    errors: dict[str, str] = {}
    ref = None
    try:
        ref = parse_object(values.get("object", ""))
    except ValueError as exc:
        errors["object"] = str(exc)
    actor = (values.get("actor") or "").strip()
    if actor and not (actor.isdigit() and len(actor) <= 18):
        errors["actor"] = N_("The user is given by their number (id).")
    action = (values.get("action") or "").strip()
    if len(action) > 60:
        errors["action"] = N_("No action has so long a name.")
    days: dict[str, date | None] = {}
    for key in ("since", "until"):
        text = (values.get(key) or "").strip()
        try:
            days[key] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[key] = N_("Write the date as YYYY-MM-DD.")
    since, until = days.get("since"), days.get("until")
    if since and until and since > until:
        errors["until"] = N_("The end date is before the start date.")
    if errors or ref is None:
        return None, errors
    return TrailQuery(ref, int(actor) if actor else None, action or None, since, until), {}


def action_label_key(action: str) -> str | None:
    """The msgid naming `action`, or None when there is none (the caller shows a fallback)."""
    return ACTION_LABELS.get(action)


def readable_key(key: str) -> str:
    """A fallback for a key without a label: `report_accepted` → `report accepted`."""
    return key.replace("_", " ").strip()


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field was not there
    after: str | None


def show(value: Any) -> str:
    """A value in a cell: text as is, the rest as compact JSON, cut to MAX_VALUE."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields that differ between the two summaries, in the order they were written
    (`after`'s first); a field the same on both sides is left out."""
    old, new = before or {}, after or {}
    keys = [*new, *(k for k in old if k not in new)]
    return [
        Change(
            field=key,
            before=show(old[key]) if key in old else None,
            after=show(new[key]) if key in new else None,
        )
        for key in keys
        if old.get(key, ...) != new.get(key, ...)
    ]
