"""Demo calls of Lviv, made through the same use cases as production: drafts are filled and
submitted by their applicants (checks, snapshot, stored PDF copy, email), screened by the
centre, scored by the committee, decided, paid and reported on. Only the clock is faked: a
call's dates are moved back so that a finished call looks like one.

An open call with one submitted application and one draft. And a call past its deadline: a
committee of two evaluators scores three applications (one score sheet left in progress), the
recommendation is stored, one grant is approved, its first tranche paid and a progress report
sent. Every role then has application, evaluation and implementation pages with something on
them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.accounts.schemas import GrantRequest
from sme_hub.config import Settings
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.storage import storage_for
from sme_hub.demo.people import ensure_user
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import decisions
from sme_hub.evaluation import scoring as evaluation_scoring
from sme_hub.evaluation.models import Assignment
from sme_hub.evaluation.schemas import ConflictDeclaration, DecisionIn, ScoresIn
from sme_hub.grants import applications, calls, screening, submission
from sme_hub.grants.call_schemas import CallCreate
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.schemas import ApplicationIn, EligibilityDecision
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation import tranches as grant_tranches
from sme_hub.implementation.models import Tranche
from sme_hub.implementation.schemas import PaymentIn, ReportIn, SpendingLine
from sme_hub.organisations.models import Municipality

NO_SCREENING_FLAGS = dict.fromkeys(
    (
        "protected_area",
        "hazardous_waste",
        "new_construction",
        "emissions_or_discharges",
        "noise_or_traffic",
    ),
    False,
)

DEMO_CALL_TITLE = "Зелений старт 2027: гранти для малого бізнесу Львова"


def demo_call_body(
    title_uk: str, title_en: str, opens_at: datetime, closes_at: datetime
) -> dict[str, Any]:
    """A Lviv call with three criteria, women-led and green priorities and group bonuses."""
    return {
        "title_uk": title_uk,
        "title_en": title_en,
        "description_uk": (
            "Громада підтримує малий бізнес, що створює робочі місця та зменшує вплив "
            "на довкілля. Пріоритет — бізнесам, які очолюють жінки, і зеленим бізнесам."
        ),
        "description_en": (
            "The community supports small businesses that create jobs and reduce their "
            "environmental impact. Priority goes to women-led and green businesses."
        ),
        "budget_kop": 200_000_000,
        "min_grant_kop": 5_000_000,
        "max_grant_kop": 30_000_000,
        "own_contribution_pct": 20,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "threshold": 60,
        "criteria": [
            {
                "key": "impact",
                "name_uk": "Економічний ефект і робочі місця",
                "name_en": "Economic effect and jobs",
                "weight": 3,
                "max_score": 10,
            },
            {
                "key": "feasibility",
                "name_uk": "Реалістичність плану і бюджету",
                "name_en": "Feasibility of the plan and budget",
                "weight": 2,
                "max_score": 10,
            },
            {
                "key": "environment",
                "name_uk": "Вплив на довкілля",
                "name_en": "Environmental impact",
                "weight": 1,
                "max_score": 10,
            },
        ],
        "priorities": {
            "women_led_budget_share": "0.3",
            "group_bonuses": {"veteran_owned": 5, "idp_owned": 5},
        },
        "eligibility": {
            "in_municipality": True,
            "min_business_age_months": 12,
            "legal_forms": ["fop", "llc", "farm", "cooperative"],
            "excluded_kved": ["05", "06", "19"],
            "one_active_grant": True,
        },
        "questions": [
            {
                "key": "customers",
                "label_uk": "Хто ваші клієнти і як ви їх знайдете?",
                "label_en": "Who are your customers and how will you reach them?",
                "required": True,
            },
        ],
    }


async def submitted_application(
    session: AsyncSession,
    applicant: CurrentUser,
    call_id: int,
    content: ApplicationIn,
    settings: Settings,
) -> Application:
    """An application as its applicant makes one: a draft, its content, the submission."""
    draft = await applications.create_draft(session, applicant, call_id)
    assert draft.id is not None
    await applications.update_draft(session, applicant, draft.id, content)
    return await submission.submit(
        session, applicant, draft.id, storage=storage_for(settings), settings=settings
    )


async def published_call(
    session: AsyncSession, officer: CurrentUser, title_uk: str, title_en: str, closes_at: datetime
) -> GrantCall:
    """A call created and published by the officer, open since a moment ago."""
    now = datetime.now(UTC)
    call = await calls.create_call(
        session,
        officer,
        CallCreate.model_validate(demo_call_body(title_uk, title_en, now, closes_at)),
    )
    assert call.id is not None
    return await calls.transition(session, officer, call.id, "publish")


async def ensure_demo_call(session: AsyncSession, lviv: Municipality, settings: Settings) -> None:
    """An open call of Lviv with one submitted application and one draft, so every role has
    something to look at."""
    if await session.scalar(
        select(col(GrantCall.id)).where(col(GrantCall.title_uk) == DEMO_CALL_TITLE)
    ):
        return
    assert lviv.id is not None
    officer = await _acting(session, "officer@demo.sme-hub.org", Role.MUNICIPAL_OFFICER, lviv.id)
    closes_at = (datetime.now(UTC) + timedelta(days=45)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    call = await published_call(
        session,
        officer,
        DEMO_CALL_TITLE,
        "Green Start 2027: grants for small businesses of Lviv",
        closes_at,
    )
    assert call.id is not None
    solar = await _acting(session, "solar@demo.sme-hub.org", Role.ENTREPRENEUR, None)
    bakery = await _acting(session, "bakery@demo.sme-hub.org", Role.ENTREPRENEUR, None)
    await submitted_application(
        session,
        solar,
        call.id,
        ApplicationIn(
            project_title="Сонячні станції для дахів ОСББ",
            summary="Монтуємо сонячні станції на дахах багатоквартирних будинків.",
            description="Купуємо підйомник і інструменти, навчаємо двох монтажниць.",
            requested_amount_kop=24_000_000,
            own_contribution_kop=6_000_000,
            budget_lines=[
                {"item": "Автовишка (вживана)", "amount_kop": 21_000_000},
                {"item": "Інструменти та засоби безпеки", "amount_kop": 6_000_000},
                {"item": "Навчання монтажників", "amount_kop": 3_000_000},
            ],
            jobs_total=3,
            jobs_women=2,
            environmental_effect="Близько 400 МВт·год сонячної енергії на рік.",
            screening=NO_SCREENING_FLAGS,
            answers={"customers": "ОСББ Львова; знаходимо через асоціацію ОСББ."},
            iban="UA213223130000026007233566001",
            contact_phone="+380 67 000 11 22",
            business_address="м. Львів, вул. Сонячна, 5",
        ),
        settings,
    )
    draft = await applications.create_draft(session, bakery, call.id)
    assert draft.id is not None
    await applications.update_draft(
        session, bakery, draft.id, ApplicationIn(project_title="Піч на тепловому насосі")
    )


EVALUATION_CALL_TITLE = "Жіночий бізнес Львова 2026: мікрогранти"
SECOND_EVALUATOR = ("evaluator2@demo.sme-hub.org", "Оксана Оцінювачка")

# Applicant email → project, amounts (kopiykas), jobs (all, women), IBAN, and the two
# evaluators' scores (impact, feasibility, environment).
PROJECTS: list[tuple[str, str, int, int, tuple[int, int], str, list[tuple[int, int, int]]]] = [
    (
        "entrepreneur@demo.sme-hub.org",
        "Цех безглютенової випічки",
        12_000_000,
        3_000_000,
        (3, 3),
        "UA213223130000026007233566001",
        [(9, 8, 7), (8, 8, 6)],
    ),
    (
        "bakery@demo.sme-hub.org",
        "Друга піч і доставка електробайком",
        20_000_000,
        5_000_000,
        (4, 2),
        "UA213223130000026007233566001",
        [(7, 7, 6), (6, 6, 5)],
    ),
    (
        "solar@demo.sme-hub.org",
        "Сонячна станція для власного складу",
        15_000_000,
        4_000_000,
        (2, 1),
        "UA213223130000026007233566001",
        [(8, 6, 10), (7, 7, 9)],
    ),
]


async def _acting(
    session: AsyncSession, email: str, role: Role, municipality_id: int | None
) -> CurrentUser:
    found = await session.scalar(select(col(User.id)).where(col(User.email) == email))
    assert found is not None, email
    return CurrentUser.acting(int(found), role, email=email, municipality_id=municipality_id)


async def ensure_demo_evaluation(
    session: AsyncSession, lviv: Municipality, settings: Settings
) -> None:
    """Create the call once; a second run finds it and adds nothing."""
    if await session.scalar(
        select(col(GrantCall.id)).where(col(GrantCall.title_uk) == EVALUATION_CALL_TITLE)
    ):
        return
    assert lviv.id is not None
    officer = await _acting(session, "officer@demo.sme-hub.org", Role.MUNICIPAL_OFFICER, lviv.id)
    centre = await _acting(session, "centre@demo.sme-hub.org", Role.CENTRE_STAFF, lviv.id)
    email, name = SECOND_EVALUATOR
    await ensure_user(
        session, email, name, GrantRequest(role=Role.EVALUATOR, organisation_id=lviv.id)
    )
    now = datetime.now(UTC)
    call = await published_call(
        session,
        officer,
        EVALUATION_CALL_TITLE,
        "Women's business in Lviv 2026: micro-grants",
        now + timedelta(days=1),
    )
    assert call.id is not None
    call.budget_kop = 30_000_000
    call.priorities = {**call.priorities, "women_led_budget_share": "0.4"}

    by_applicant: dict[int, Application] = {}
    for email, title, requested, own, jobs, iban, _scores in PROJECTS:
        applicant = await _acting(session, email, Role.ENTREPRENEUR, None)
        application = await submitted_application(
            session,
            applicant,
            call.id,
            ApplicationIn(
                project_title=title,
                summary=f"{title}: розширюємо виробництво і створюємо робочі місця.",
                description="Купуємо обладнання, навчаємо працівниць, виходимо на нові ринки.",
                requested_amount_kop=requested,
                own_contribution_kop=own,
                budget_lines=[
                    {"item": "Обладнання", "amount_kop": (requested + own) * 7 // 10},
                    {"item": "Навчання і маркетинг", "amount_kop": (requested + own) * 3 // 10},
                ],
                jobs_total=jobs[0],
                jobs_women=jobs[1],
                environmental_effect="Менше відходів і енергії на одиницю продукції.",
                screening=NO_SCREENING_FLAGS,
                answers={"customers": "Магазини і кав'ярні Львова; онлайн-замовлення."},
                iban=iban,
                contact_phone="+380 67 000 11 22",
                business_address="м. Львів, вул. Городоцька, 10",
            ),
            settings,
        )
        by_applicant[applicant.id] = application
    # The demo's only fake: the call ran two months ago.
    call.opens_at, call.closes_at = now - timedelta(days=60), now - timedelta(days=20)
    for application in by_applicant.values():
        application.submitted_at = now - timedelta(days=25)
    await session.flush()
    await calls.transition(session, officer, call.id, "close")
    for application in by_applicant.values():
        assert application.id is not None
        await screening.decide_eligibility(
            session,
            centre,
            application.id,
            EligibilityDecision(eligible=True, reason="Відповідає умовам конкурсу."),
            settings=settings,
        )

    evaluators = [
        await _acting(session, e, Role.EVALUATOR, lviv.id)
        for e in ("evaluator@demo.sme-hub.org", SECOND_EVALUATOR[0])
    ]
    await evaluation_committee.set_committee(session, officer, call.id, [e.id for e in evaluators])
    await evaluation_committee.assign(session, officer, call.id)
    scores_of = {
        by_applicant[(await _acting(session, p[0], Role.ENTREPRENEUR, None)).id].id or 0: p[6]
        for p in PROJECTS
    }
    for n, evaluator in enumerate(evaluators):
        for assignment in await session.scalars(
            select(Assignment)
            .where(col(Assignment.call_id) == call.id, col(Assignment.evaluator_id) == evaluator.id)
            .order_by(col(Assignment.application_id))
        ):
            assert assignment.id is not None
            impact, feasibility, environment = scores_of[assignment.application_id][n]
            await evaluation_committee.declare(
                session, evaluator, assignment.id, ConflictDeclaration(has_conflict=False)
            )
            await evaluation_scoring.save_scores(
                session,
                evaluator,
                assignment.id,
                ScoresIn(
                    scores={
                        "impact": Decimal(impact),
                        "feasibility": Decimal(feasibility),
                        "environment": Decimal(environment),
                    },
                    comments={"impact": "Реалістичний план, зрозумілі клієнти."},
                ),
            )
            # The first evaluator's last sheet stays a draft: their page has work in progress.
            if n == 0 and assignment.application_id == max(scores_of):
                continue
            await evaluation_scoring.submit_scores(session, evaluator, assignment.id)

    await decisions.recommend(session, officer, call.id)
    grant = by_applicant[(await _acting(session, PROJECTS[0][0], Role.ENTREPRENEUR, None)).id]
    assert grant.id is not None
    await decisions.decide(
        session,
        officer,
        grant.id,
        DecisionIn(
            decision="approved",
            amount_kop=11_000_000,
            reference="Рішення виконкому № 418 від 20.11.2026",
        ),
        settings=settings,
    )
    first = await session.scalar(
        select(Tranche).where(col(Tranche.application_id) == grant.id, col(Tranche.number) == 1)
    )
    assert first is not None and first.id is not None
    await grant_tranches.pay(
        session,
        officer,
        grant.id,
        first.id,
        PaymentIn(paid_on=implementation_grants.today_in_kyiv()),
    )
    grantee = await _acting(session, PROJECTS[0][0], Role.ENTREPRENEUR, None)
    await progress_reports.submit_report(
        session,
        grantee,
        grant.id,
        ReportIn(
            period="Листопад 2026",
            jobs_created=2,
            women_employed=2,
            spending=[SpendingLine(item="Обладнання: тістоміс", amount_kop=6_500_000)],
            environmental_results="Нова піч споживає на 30 % менше газу.",
            narrative="Обладнання куплено і встановлено, дві пекарки працюють.",
        ),
    )
