"""The officer's awarded grants as a file: recipient, project, amounts awarded, scheduled
and paid, status and the next open obligation (the recipients are personal data: audited)."""

from sqlalchemy import select as sa_select
from sqlalchemy import true
from sqlmodel import col

from sme_hub.accounts.models import User
from sme_hub.core.exports import AnyRow, Cell, Export, hryvnias
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import rules as grant_rules
from sme_hub.grants.models import Application
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import rules
from sme_hub.implementation.models import Obligation


def grants_export(user: CurrentUser) -> Export:
    """The grants of the officer's municipalities (the tenancy is the statement's)."""
    # The earliest open obligation of each grant, joined laterally: one statement, however
    # many grants.
    upcoming = (
        sa_select(col(Obligation.kind), col(Obligation.jobs), col(Obligation.due_on))
        .where(
            col(Obligation.application_id) == col(Application.id),
            col(Obligation.status) == "open",
        )
        .order_by(col(Obligation.due_on), col(Obligation.id))
        .limit(1)
        .lateral("upcoming")
    )
    business = Application.snapshot["name"].astext  # type: ignore[index]
    statement = (
        implementation_grants.grants_statement(user)
        .with_only_columns(
            col(Application.id),
            business,
            col(User.full_name),
            col(Application.project_title),
            col(Application.awarded_kop),
            col(Application.scheduled_kop),
            col(Application.paid_kop),
            col(Application.status),
            col(Application.decision_reference),
            upcoming.c.kind,
            upcoming.c.jobs,
            upcoming.c.due_on,
            maintain_column_froms=False,
        )
        .join_from(Application, User, col(User.id) == col(Application.applicant_id))
        .outerjoin(upcoming, true())
    )
    header = [
        _("Number"),
        _("Recipient"),
        _("Grantee"),
        _("Project"),
        _("Awarded, UAH"),
        _("Scheduled, UAH"),
        _("Paid, UAH"),
        _("Status"),
        _("Decision reference"),
        _("Next obligation"),
        _("Due on"),
    ]

    def cells(row: AnyRow) -> list[Cell]:
        number, name, person, title, awarded, scheduled, paid, status, ref, kind, jobs, due = row
        return [
            number,
            name or person,
            person,
            title,
            hryvnias(awarded),
            hryvnias(scheduled),
            hryvnias(paid),
            grant_rules.APPLICATION.label(status),
            ref,
            _(rules.OBLIGATION_TEXTS[kind]).format(jobs=jobs) if kind else "",
            due,
        ]

    return Export(
        name="grants",
        header=header,
        statement=statement,
        cells=cells,
        object_type="grant_list",
        object_id="export",
        municipality_id=min(user.municipality_ids(), default=None),
    )
