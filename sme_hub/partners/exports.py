"""Referrals as a file: a partner's inbox, those a centre made, or the caller's over the API
(the same statement and filter as the list; the people's names are personal data: audited)."""

from sqlmodel import col

from sme_hub.accounts.models import User
from sme_hub.core.errors import InvalidInput
from sme_hub.core.exports import AnyRow, Cell, Export
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners import rules
from sme_hub.partners.models import Partner, Referral


def checked_status(status: str | None) -> str | None:
    """A status of the referral flow, or None for all; anything else is refused (422)."""
    if status and status not in rules.REFERRAL_FLOW:
        raise InvalidInput({"status": _("Choose a status from the list.")})
    return status or None


def referrals_export(user: CurrentUser, *, status: str | None, side: str | None) -> Export:
    """The referrals of one side of the caller (`partner`, `centre`; None: every side the
    caller follows, as the API lists them), newest first."""
    # The visibility condition in the statement is the whole tenancy check.
    statement = partner_referrals.referrals_statement(
        user, status=status, side=side
    ).with_only_columns(
        col(Referral.id),
        col(Referral.created_at),
        col(User.full_name),
        col(Partner.name),
        col(Referral.service),
        col(Referral.source),
        col(Referral.status),
        col(Referral.note),
        col(Referral.outcome_note),
        col(Referral.answered_at),
        col(Referral.closed_at),
        maintain_column_froms=False,
    )
    header = [
        _("Number"),
        _("Sent"),
        _("Entrepreneur"),
        _("Partner"),
        _("Service"),
        _("How it came"),
        _("Status"),
        _("Note"),
        _("Outcome"),
        _("Answered"),
        _("Closed"),
    ]

    def cells(row: AnyRow) -> list[Cell]:
        number, sent, person, partner, what, source, state, note, outcome, answered, closed = row
        return [
            number,
            sent,
            person,
            partner,
            what,
            _(rules.SOURCE_LABELS[source]),
            rules.REFERRAL.label(state),
            note,
            outcome,
            answered,
            closed,
        ]

    partner_ids = sorted(
        g.partner_id for g in user.grants if g.role == Role.PARTNER and g.partner_id
    )
    return Export(
        name=f"referrals-{side}" if side else "referrals",
        header=header,
        statement=statement,
        cells=cells,
        object_type="referral_list",
        object_id=side or "all",
        municipality_id=min(user.municipality_ids(), default=None),
        filters={"status": status, "partner_ids": partner_ids if side == "partner" else None},
    )
