"""Certificates of completed training: a unique code per completed enrolment, a PDF rendered on
demand from the data, a public verification page, and a background batch for a whole cohort.

- `issue_certificate` gives a completed enrolment its code once (idempotent; concurrent
  callers serialise on the enrolment row). The code is 12 random base32 characters
  (60 bits), printed as ABCD-EFGH-JKLM, without the look-alikes I, O, 0 and 1.
- `certificate_pdf` is what a user downloads: the owner, staff of the cohort's centre and
  admins may; anyone else gets 404 (tenancy: not found, not forbidden); an enrolment that is
  not completed gets 409. Nothing is stored but the code: the PDF is rendered from the data
  each time, so a corrected name or title shows on the next download.
- `queue_cohort_certificates` (called when a cohort is finished) resets the cohort's
  `certificate_batch` row and defers `generate_cohort_certificates` in the caller's
  transaction. The job issues every code and renders each PDF once, to prove it renders,
  counting `done` of `total` as it goes; staff watch that progress on the cohort's page.
"""

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select, update

from sme_hub.accounts.models import User
from sme_hub.config import Settings
from sme_hub.core.errors import Conflict, NotFound
from sme_hub.core.i18n import _, current_locale, pick
from sme_hub.core.jobs import jobs, worker_resources
from sme_hub.core.pdf import render_pdf
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.db import Database
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.training.certificate_models import CertificateBatch
from sme_hub.training.models import Cohort, Enrolment, Programme, TrainingSession

log = logging.getLogger(__name__)

COMPLETED = "completed"
PDF_TEMPLATE = "training/pdf/certificate.html"

# Crockford-like base32: 32 symbols, no I, O, 0 or 1 to misread on paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def certificate_code() -> str:
    """A fresh random code, e.g. `K7QM-3XRT-9BWE` (60 bits from `secrets`)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(code: str) -> str | None:
    """A code as typed (any case, spaces, with or without dashes) in its stored form; None
    when it cannot be one."""
    raw = _NOT_CODE.sub("", code.upper())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def verification_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/certificates/{code}"


# --- the facts a certificate states ---------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    enrolment_id: int
    user_id: int
    cohort_id: int
    centre_id: int
    status: str
    code: str | None
    full_name: str
    owner_locale: str
    programme_title: str
    starts_on: date
    ends_on: date
    minutes: int
    centre_name: str
    municipality_name_uk: str
    municipality_name_en: str


def _hours_minutes() -> Any:
    """Total minutes of a cohort's sessions (a correlated subquery)."""
    return (
        select(func.coalesce(func.sum(col(TrainingSession.duration_minutes)), 0))
        .where(col(TrainingSession.cohort_id) == col(Cohort.id))
        .scalar_subquery()
    )


def _facts_query() -> Any:
    return (
        sa.select(
            col(Enrolment.id),
            col(Enrolment.user_id),
            col(Enrolment.cohort_id),
            col(Cohort.centre_id),
            col(Enrolment.status),
            col(Enrolment.certificate_code),
            col(User.full_name),
            col(User.locale),
            col(Programme.title),
            col(Cohort.starts_on),
            col(Cohort.ends_on),
            _hours_minutes(),
            col(SupportCentre.name),
            col(Municipality.name_uk),
            col(Municipality.name_en),
        )
        .join(Cohort, col(Cohort.id) == col(Enrolment.cohort_id))
        .join(Programme, col(Programme.id) == col(Cohort.programme_id))
        .join(User, col(User.id) == col(Enrolment.user_id))
        .join(SupportCentre, col(SupportCentre.id) == col(Cohort.centre_id))
        .join(Municipality, col(Municipality.id) == col(Cohort.municipality_id))
    )


async def _facts(session: AsyncSession, *conditions: Any) -> CertificateFacts | None:
    row = (await session.execute(_facts_query().where(*conditions))).one_or_none()
    return None if row is None else CertificateFacts(*row)


def certificate_context(facts: CertificateFacts, locale: str, base_url: str) -> dict[str, Any]:
    """What the PDF and the verification page show, formatted for `locale`."""
    assert facts.code is not None
    url = verification_url(base_url, facts.code)
    hours = facts.minutes / 60
    return {
        "full_name": facts.full_name,
        "programme_title": facts.programme_title,
        "starts_on": format_date(facts.starts_on, "long", locale=locale),
        "ends_on": format_date(facts.ends_on, "long", locale=locale),
        "hours": format_decimal(round(hours, 1), format="#,##0.#", locale=locale),
        "hours_number": hours,
        "centre_name": facts.centre_name,
        "municipality_name": pick(facts, "municipality_name", locale),
        "code": facts.code,
        "verification_url": url,
        "locale": locale,
    }


# --- issuing --------------------------------------------------------------------------------


async def issue_certificate(session: AsyncSession, enrolment_id: int) -> str:
    """The enrolment's certificate code, set now if it has none (once: idempotent).
    404 for an unknown enrolment, 409 when it is not completed."""
    row = (
        await session.execute(
            select(col(Enrolment.status), col(Enrolment.certificate_code))
            .where(col(Enrolment.id) == enrolment_id)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        raise NotFound()
    status, code = row
    if status != COMPLETED:
        raise Conflict(detail=_not_completed_message())
    if code:
        return str(code)
    for _attempt in range(5):  # a clash of 60-bit codes is next to impossible, but cheap
        code = certificate_code()
        try:
            async with session.begin_nested():
                await session.execute(
                    update(Enrolment)
                    .where(col(Enrolment.id) == enrolment_id)
                    .values(certificate_code=code)
                )
        except IntegrityError:
            continue
        return str(code)
    raise RuntimeError("could not find a free certificate code")


def _not_completed_message() -> str:
    return _(
        "The certificate is not available yet: it is issued once the training has been completed."
    )


def _may_see(user: CurrentUser, facts: CertificateFacts) -> bool:
    return (
        user.id == facts.user_id
        or user.is_admin
        or (user.has_role(Role.CENTRE_STAFF) and facts.centre_id in user.centre_ids())
    )


async def certificate_pdf(
    session: AsyncSession,
    user: CurrentUser,
    enrolment_id: int,
    locale: str,
    *,
    base_url: str,
) -> bytes:
    """The certificate of an enrolment as a PDF in `locale` (issuing its code on first use)."""
    facts = await _facts(session, col(Enrolment.id) == enrolment_id)
    if facts is None or not _may_see(user, facts):
        raise NotFound()
    if facts.status != COMPLETED:
        raise Conflict(detail=_not_completed_message())
    if facts.code is None:
        await issue_certificate(session, enrolment_id)
        facts = await _facts(session, col(Enrolment.id) == enrolment_id)
        assert facts is not None
    return await render_pdf(
        PDF_TEMPLATE, certificate_context(facts, locale, base_url), locale=locale
    )


async def verify(
    session: AsyncSession, code: str, *, base_url: str = "", locale: str | None = None
) -> dict[str, Any] | None:
    """What the public verification page shows for a code; None for no valid certificate."""
    normalised = normalise_code(code)
    if normalised is None:
        return None
    facts = await _facts(
        session,
        col(Enrolment.certificate_code) == normalised,
        col(Enrolment.status) == COMPLETED,
    )
    if facts is None:
        return None
    return certificate_context(facts, locale or current_locale.get(), base_url)


# --- the cohort's batch ---------------------------------------------------------------------


async def _completed_ids(session: AsyncSession, cohort_id: int) -> list[int]:
    rows = await session.scalars(
        select(col(Enrolment.id))
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status) == COMPLETED)
        .order_by(col(Enrolment.id))
    )
    return [enrolment_id for enrolment_id in rows.all() if enrolment_id is not None]


async def _set_batch(session: AsyncSession, cohort_id: int, **values: Any) -> None:
    values = {**values, "updated_at": sa.func.now()}
    statement = insert(CertificateBatch).values(cohort_id=cohort_id, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["cohort_id"], set_=values)
    )


async def queue_cohort_certificates(session: AsyncSession, cohort_id: int) -> None:
    """Reset the cohort's batch to 'queued' and defer the job, both in the caller's
    transaction (no job without the row, none at all if the caller rolls back)."""
    total = len(await _completed_ids(session, cohort_id))
    await _set_batch(session, cohort_id, total=total, done=0, status="queued", error=None)
    # One batch of a cohort at a time: a second job for it waits for the first to end.
    await generate_cohort_certificates.configure(
        connection=session, lock=f"certificates-{cohort_id}"
    ).defer_async(cohort_id=cohort_id)


async def batch_progress(
    session: AsyncSession, user: CurrentUser, cohort_id: int
) -> CertificateBatch | None:
    """The cohort's batch (None before any was queued), for staff of its centre and admins;
    404 for anyone else and for an unknown cohort."""
    centre_id = await session.scalar(
        select(col(Cohort.centre_id)).where(col(Cohort.id) == cohort_id)
    )
    if centre_id is None or not (
        user.is_admin or (user.has_role(Role.CENTRE_STAFF) and centre_id in user.centre_ids())
    ):
        raise NotFound()
    return await session.get(CertificateBatch, cohort_id, populate_existing=True)


async def run_cohort_batch(db: Database, settings: Settings, cohort_id: int) -> CertificateBatch:
    """Issue the codes of every completed enrolment of the cohort and render each PDF once
    (in its owner's language), counting progress; the batch row as it ends."""
    async with db.sessionmaker() as session, session.begin():
        ids = await _completed_ids(session, cohort_id)
        await _set_batch(session, cohort_id, total=len(ids), done=0, status="running", error=None)
    try:
        for enrolment_id in ids:
            async with db.sessionmaker() as session, session.begin():
                await issue_certificate(session, enrolment_id)
                facts = await _facts(session, col(Enrolment.id) == enrolment_id)
            assert facts is not None
            locale = facts.owner_locale
            pdf = await render_pdf(
                PDF_TEMPLATE,
                certificate_context(facts, locale, settings.base_url),
                locale=locale,
            )
            if not pdf.startswith(b"%PDF"):
                raise RuntimeError(f"the certificate of enrolment {enrolment_id} is no PDF")
            async with db.sessionmaker() as session, session.begin():
                await session.execute(
                    update(CertificateBatch)
                    .where(col(CertificateBatch.cohort_id) == cohort_id)
                    .values(done=col(CertificateBatch.done) + 1, updated_at=sa.func.now())
                )
    except Exception as exc:
        log.exception("certificate batch of cohort %s failed", cohort_id)
        async with db.sessionmaker() as session, session.begin():
            await session.execute(
                update(CertificateBatch)
                .where(col(CertificateBatch.cohort_id) == cohort_id)
                .values(
                    status="failed",
                    error=f"{type(exc).__name__}: {exc}"[:500],
                    updated_at=sa.func.now(),
                )
            )
        raise
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(CertificateBatch)
            .where(col(CertificateBatch.cohort_id) == cohort_id)
            .values(status="done", updated_at=sa.func.now())
        )
        batch = await session.get(CertificateBatch, cohort_id)
    assert batch is not None
    return batch


@jobs.task(name="generate_cohort_certificates", pass_context=True)
async def generate_cohort_certificates(context: Any, cohort_id: int) -> None:
    db, settings = worker_resources(context)
    await run_cohort_batch(db, settings, cohort_id)
