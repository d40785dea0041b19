"""Training pages: the public course catalogue, enrolling and cancelling from it, and an
entrepreneur's calendar file."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from sme_hub.core.auth import current_user, requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Page
from sme_hub.core.errors import Conflict, Forbidden
from sme_hub.core.filters import Field, choice, number, parse_public_filters
from sme_hub.core.i18n import _
from sme_hub.core.pages import confirmation, confirmed, redirect_with_message, render
from sme_hub.core.public_cache import public_cache
from sme_hub.core.roles import Role
from sme_hub.organisations import service as organisations
from sme_hub.training import catalogue, enrolment, schemas

entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]


CATALOGUE_FIELDS = {
    "topic": Field(strip=False),
    "format": choice(schemas.FORMAT_LABELS, strip=False),
    "municipality_id": number(),
    "target_group": choice(schemas.TARGET_GROUP_LABELS, strip=False),
}


class TrainingPagesController(Controller):
    include_in_schema = False

    @get("/courses", middleware=[public_cache])
    async def courses(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        page: Page,
        topic: FromQuery[str | None] = None,
        format: FromQuery[str | None] = None,
        municipality_id: FromQuery[str | None] = None,
        target_group: FromQuery[str | None] = None,
    ) -> Template:
        # Lenient: a filter that cannot be read is no filter (the errors are not shown).
        given = (topic, format, municipality_id, target_group)
        values, _errors = parse_public_filters(
            dict(zip(CATALOGUE_FIELDS, given, strict=True)), CATALOGUE_FIELDS
        )
        filters = catalogue.CatalogueFilters(**values)
        entries, total = await catalogue.open_cohorts(
            db_session, filters, limit=page.limit, offset=page.offset
        )
        municipalities, _total = await organisations.list_municipalities(db_session)
        user = current_user(request)
        return render(
            request,
            "training/catalogue.html",
            fragment="training/_course_list.html",
            entries=entries,
            total=total,
            filters=filters,
            topics=await catalogue.topics(db_session),
            municipalities=municipalities,
            labels=schemas,
            hosts=await catalogue.host_names(db_session, (e.programme for e in entries)),
            can_enrol=bool(user and user.has_role(Role.ENTREPRENEUR)),
        )

    @post("/courses/{cohort_id:int}/enrol", guards=entrepreneur_only)
    async def enrol(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        try:
            created = await enrolment.enrol(db_session, user, cohort_id)
        except (Conflict, Forbidden) as exc:
            return redirect_with_message(request, "/courses", exc.detail, "error")
        if created.status == "enrolled":
            message = _("You are enrolled. The course is in your cabinet.")
        else:
            message = _(
                "The course is full: you are number {n} on the waitlist. We will "
                "email you if a seat becomes free."
            ).format(n=created.waitlist_position)
        return redirect_with_message(request, "/me", message)

    @post("/me/enrolments/{enrolment_id:int}/cancel", guards=entrepreneur_only)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        enrolment_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        mine = {e.id: e for e in await enrolment.my_enrolments(db_session, user)}
        active = mine.get(enrolment_id)
        if not confirmed(data) and active and active.status in ("enrolled", "waitlisted"):
            return confirmation(
                request,
                title=_("Cancel your enrolment?"),
                consequences=[
                    _("Your seat goes to the next person on the waitlist.")
                    if active.status == "enrolled"
                    else _("You leave the waitlist."),
                    _("To take part later you would have to enrol again, if seats are left."),
                ],
                button=_("Yes, cancel my enrolment"),
                cancel="/me",
            )
        try:
            await enrolment.cancel(db_session, user, enrolment_id)
        except Conflict as exc:
            return redirect_with_message(request, "/me", exc.detail, "error")
        return redirect_with_message(request, "/me", _("Your enrolment is cancelled."), "info")

    @get("/me/enrolments/{enrolment_id:int}/calendar.ics", guards=entrepreneur_only)
    async def calendar(
        self, enrolment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[str]:
        return Response(
            await catalogue.calendar_for(db_session, user, enrolment_id),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="course.ics"'},
        )
