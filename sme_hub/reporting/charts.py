"""What the dashboard pages draw: each chart as labelled rows of bars (one bar per series),
scaled to the chart's largest value, with the text a person reads beside every bar. The
template turns a chart into an SVG and a table of the same numbers."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sme_hub.core.i18n import N_, _, format_money
from sme_hub.grants.schemas import APPLICATION_STATUS_LABELS
from sme_hub.partners.rules import REFERRAL_STATUS_LABELS
from sme_hub.reporting.schemas import Figures
from sme_hub.training.schemas import ENROLMENT_STATUS_LABELS

SHARE_LABELS = {
    "women_led": N_("Women-led"),
    "green_none": N_("Not green"),
    "green_basic": N_("Green: basic"),
    "green_advanced": N_("Green: advanced"),
}
GENDER_LABELS = {
    "female": N_("Headed by a woman"),
    "male": N_("Headed by a man"),
    "unknown": N_("No business profile"),
}


@dataclass(frozen=True)
class Bar:
    series: int  # the index of its series: its colour and its row in the legend
    value: Decimal
    text: str  # as people read it: "12 345,00 грн", "42,5 %", "17"
    width_pct: Decimal  # of the widest bar of the chart


@dataclass(frozen=True)
class Row:
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    series: list[str]
    rows: list[Row]

    @property
    def empty(self) -> bool:
        return all(bar.value == 0 for row in self.rows for bar in row.bars)


def _number(value: Decimal) -> str:
    return f"{int(value):,}".replace(",", "\u202f")


def _percent(value: Decimal) -> str:
    return str(value).replace(".", ",") + "\u00a0%"


def _money(value: Decimal) -> str:
    return format_money(int(value))


def chart(
    key: str,
    title: str,
    series: list[str],
    rows: list[tuple[str, list[Decimal | int | None]]],
    *,
    text: Callable[[Decimal], str] = _number,
    scale_to: Decimal | None = None,
) -> Chart:
    """Bars of `rows` (a label and one value per series; None is "not applicable", drawn as
    nothing), scaled to `scale_to` or to the largest value."""
    values = [[None if v is None else Decimal(v) for v in vs] for _label, vs in rows]
    largest = scale_to or max((v for vs in values for v in vs if v is not None), default=0)
    return Chart(
        key=key,
        title=title,
        series=series,
        rows=[
            Row(
                label,
                [
                    Bar(
                        n,
                        v,
                        text(v),
                        (v * 100 / largest).quantize(Decimal("0.1")) if largest else Decimal(0),
                    )
                    for n, v in enumerate(vs)
                    if v is not None
                ],
            )
            for (label, _v), vs in zip(rows, values, strict=True)
        ],
    )


@dataclass(frozen=True)
class Dashboard:
    figures: Figures
    charts: list[Chart]


def dashboard(figures: Figures) -> Dashboard:
    """Every chart of a dashboard, in the reader's language."""
    by_status = figures.applications_by_status
    charts = [
        chart(
            "applications",
            _("Applications by status"),
            [_("Applications")],
            [
                (_(label), [by_status[status]])
                for status, label in APPLICATION_STATUS_LABELS.items()
                if by_status.get(status)
            ],
        ),
        chart(
            "shares",
            _("Women-led and green businesses: among applicants and among the awarded"),
            [_("Among applicants"), _("Among the awarded")],
            [
                (_(SHARE_LABELS[s.group]), [s.applicants_pct or 0, s.awarded_pct or 0])
                for s in figures.shares
            ],
            text=_percent,
            scale_to=Decimal(100),
        ),
        chart(
            "money",
            _("Money"),
            [_("Amount")],
            [
                (_("Budget of the calls"), [figures.money.budget_kop]),
                (_("Requested"), [figures.money.requested_kop]),
                (_("Approved"), [figures.money.approved_kop]),
                (_("Paid"), [figures.money.paid_kop]),
            ],
            text=_money,
        ),
        chart(
            "jobs",
            _("Jobs"),
            [_("All"), _("Of them for women")],
            [
                (_("Planned"), [figures.jobs.planned, figures.jobs.planned_women]),
                (_("Created"), [figures.jobs.created, figures.jobs.created_women]),
            ],
        ),
    ]
    if figures.training is not None:
        charts.append(
            chart(
                "training",
                _("Training: enrolments and completions"),
                [_("Enrolments"), _("Completed")],
                [
                    (_(GENDER_LABELS[gender]), [t.enrolments, t.completed])
                    for gender, t in figures.training.by_gender.items()
                ],
            )
        )
        charts.append(
            chart(
                "enrolments",
                _("Enrolments by status"),
                [_("Enrolments")],
                [
                    (_(ENROLMENT_STATUS_LABELS[status]), [n])
                    for status, n in figures.training.by_status.items()
                    if status in ENROLMENT_STATUS_LABELS
                ],
            )
        )
    charts.append(
        chart(
            "referrals",
            _("Referrals to partners by outcome"),
            [_("Referrals")],
            [
                (_(REFERRAL_STATUS_LABELS[status]), [n])
                for status, n in figures.referrals_by_status.items()
            ],
        )
    )
    return Dashboard(figures, charts)


def percent_text(value: Decimal | None) -> str:
    """A share as the pages show it; a dash when there is nothing to divide."""
    return "—" if value is None else _percent(value)
