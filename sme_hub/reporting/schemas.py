"""Dashboard figures as the API returns them (`/api/v1/reports/...`)."""

from decimal import Decimal

from pydantic import BaseModel

from sme_hub.reporting import rules


class MunicipalityRef(BaseModel):
    id: int
    name_uk: str
    name_en: str
    katottg: str
    oblast: str


class CallRef(BaseModel):
    id: int
    title_uk: str
    title_en: str
    status: str
    budget_kop: int


class ShareRead(BaseModel):
    """A group (`women_led`, `green_none`, `green_basic`, `green_advanced`) among applicants
    and among the awarded, in numbers and per cent (null without any)."""

    group: str
    applicants: int
    applicants_pct: Decimal | None
    awarded: int
    awarded_pct: Decimal | None


class MoneyFigures(BaseModel):
    budget_kop: int
    requested_kop: int
    approved_kop: int
    paid_kop: int


class JobFigures(BaseModel):
    """Planned: promised by the awarded applications; created: each grant's latest accepted
    progress report."""

    planned: int
    planned_women: int
    created: int
    created_women: int


class GenderTraining(BaseModel):
    enrolments: int
    completed: int
    not_completed: int
    completion_rate_pct: Decimal | None


class TrainingFigures(BaseModel):
    """Enrolments by status; by the gender of the head of the business (`female`, `male`,
    `unknown` for people without a business profile)."""

    by_status: dict[str, int]
    completion_rate_pct: Decimal | None
    by_gender: dict[str, GenderTraining]


class Figures(BaseModel):
    applications_by_status: dict[str, int]
    applicants: int
    awarded: int
    shares: list[ShareRead]
    money: MoneyFigures
    jobs: JobFigures
    training: TrainingFigures | None
    referrals_by_status: dict[str, int]

    @classmethod
    def of(cls, counts: rules.Counts, *, training: bool = True) -> "Figures":
        return cls(
            applications_by_status=dict(sorted(counts.applications_by_status.items())),
            applicants=counts.applicants,
            awarded=counts.awarded,
            shares=[ShareRead(group=s.key, **_share(s)) for s in rules.shares(counts)],
            money=MoneyFigures(
                budget_kop=counts.budget_kop,
                requested_kop=counts.requested_kop,
                approved_kop=counts.approved_kop,
                paid_kop=counts.paid_kop,
            ),
            jobs=JobFigures(
                planned=counts.jobs_planned,
                planned_women=counts.jobs_planned_women,
                created=counts.jobs_created,
                created_women=counts.jobs_created_women,
            ),
            training=_training(counts) if training else None,
            referrals_by_status={
                s: counts.referrals_by_status.get(s, 0) for s in rules.REFERRAL_STATUSES
            },
        )


def _share(share: rules.Share) -> dict[str, object]:
    return {
        "applicants": share.applicants,
        "applicants_pct": share.applicants_pct,
        "awarded": share.awarded,
        "awarded_pct": share.awarded_pct,
    }


def _training(counts: rules.Counts) -> TrainingFigures:
    by_gender = {}
    for gender in rules.GENDERS:
        by_status = counts.enrolments.get(gender, {})
        by_gender[gender] = GenderTraining(
            enrolments=sum(by_status.values()),
            completed=by_status.get("completed", 0),
            not_completed=by_status.get("not_completed", 0),
            completion_rate_pct=rules.completion_rate(by_status),
        )
    by_status = rules.enrolment_totals(counts)
    return TrainingFigures(
        by_status=by_status,
        completion_rate_pct=rules.completion_rate(by_status),
        by_gender=by_gender,
    )


class MunicipalityReport(BaseModel):
    municipality: MunicipalityRef
    figures: Figures


class CallReport(BaseModel):
    call: CallRef
    municipality: MunicipalityRef
    figures: Figures


class OblastReport(BaseModel):
    """Every municipality of an oblast on SME Hub, and their totals."""

    oblast: str
    totals: Figures
    municipalities: list[MunicipalityReport]
