"""What the training pages of anyone and of an entrepreneur show and do: the course catalogue,
the entrepreneur's start page (their profile and courses), enrolling from it and cancelling an
enrolment (after a confirmation)."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.errors import Conflict, Forbidden
from sme_hub.core.i18n import _
from sme_hub.core.outcome import PageResult
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.organisations import service as organisations
from sme_hub.training import catalogue, enrolment, forms, schemas

CABINET = "/me"


async def dashboard_view(session: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    """The entrepreneur's start page: the profile, if any, and their courses."""
    profile = await entrepreneurs.get_profile(session, user.id)
    return {
        "profile": entrepreneurs.to_read(profile) if profile else None,
        "courses": await catalogue.my_courses(session, user),
        "training_labels": schemas,
    }


async def catalogue_view(
    session: AsyncSession,
    user: CurrentUser | None,
    given: Mapping[str, str | None],
    *,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The open cohorts the filters find, with the filters' choices; an entrepreneur sees
    the enrol buttons."""
    filters = catalogue.CatalogueFilters(**forms.catalogue_filters(given))
    entries, total = await catalogue.open_cohorts(session, filters, limit=limit, offset=offset)
    municipalities, _total = await organisations.list_municipalities(session)
    return {
        "entries": entries,
        "total": total,
        "filters": filters,
        "topics": await catalogue.topics(session),
        "municipalities": municipalities,
        "labels": schemas,
        "hosts": await catalogue.host_names(session, (e.programme for e in entries)),
        "can_enrol": bool(user and user.has_role(Role.ENTREPRENEUR)),
    }


async def enrol(session: AsyncSession, user: CurrentUser, cohort_id: int) -> PageResult:
    """Enrols the entrepreneur: a seat, or a place on the waitlist when the course is full."""
    try:
        created = await enrolment.enrol(session, user, cohort_id)
    except (Conflict, Forbidden) as exc:
        return PageResult(url="/courses", message=exc.detail, category="error")
    if created.status == "enrolled":
        message = _("You are enrolled. The course is in your cabinet.")
    else:
        message = _(
            "The course is full: you are number {n} on the waitlist. We will "
            "email you if a seat becomes free."
        ).format(n=created.waitlist_position)
    return PageResult(url=CABINET, message=message)


async def cancel(
    session: AsyncSession, user: CurrentUser, enrolment_id: int, *, confirmed: bool
) -> PageResult:
    """Cancels the entrepreneur's enrolment, once they confirm that they give up the seat
    (or the place on the waitlist)."""
    mine = {e.id: e for e in await enrolment.my_enrolments(session, user)}
    active = mine.get(enrolment_id)
    if not confirmed and active and active.status in ("enrolled", "waitlisted"):
        return PageResult(
            confirm={
                "title": _("Cancel your enrolment?"),
                "consequences": [
                    _("Your seat goes to the next person on the waitlist.")
                    if active.status == "enrolled"
                    else _("You leave the waitlist."),
                    _("To take part later you would have to enrol again, if seats are left."),
                ],
                "button": _("Yes, cancel my enrolment"),
                "cancel": CABINET,
            }
        )
    try:
        await enrolment.cancel(session, user, enrolment_id)
    except Conflict as exc:
        return PageResult(url=CABINET, message=exc.detail, category="error")
    return PageResult(url=CABINET, message=_("Your enrolment is cancelled."), category="info")
