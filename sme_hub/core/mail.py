"""The email outbox: emails are rendered and stored in the caller's transaction, and a
background job sends them over SMTP.

How an email travels:
1. `notify` (a user, in their language) or `queue_email` (any address) renders the subject,
   text and HTML in the recipient's language, adds an `email_outbox` row and defers
   `deliver_outbox(outbox_id=…)` with procrastinate on the same session (`core.jobs.defer_in`).
   Row and job are committed together or not at all, and the worker is notified when the
   transaction commits, so the email leaves at once.
2. `deliver_outbox` sends that one row (`deliver`). The row is locked `FOR UPDATE SKIP LOCKED`
   while it is sent and marked in the same transaction, so two workers never send it twice.
   A failure adds one to `attempts` and keeps `last_error`; after MAX_ATTEMPTS the row is
   'failed'. Without SMTP settings (development) the email is written to the log and
   'logged', so nobody is told it was sent.
3. `retry_outbox`, a periodic task run by the worker every minute, sends every queued row
   that is due (`deliver_due`): failed attempts are retried 1, 3, 7 and 15 minutes after the
   row was queued (2^attempts - 1), and a row whose job was lost is still delivered.
The outbox row is the only source of truth; procrastinate's jobs only say "look now".
"""

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import aiosmtplib
import sqlalchemy as sa
from jinja2 import Environment, TemplateNotFound
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col, select

from sme_hub.config import ConfigurationError, Settings
from sme_hub.core.i18n import N_, current_locale
from sme_hub.core.jobs import defer_in, jobs, worker_resources
from sme_hub.core.models import created_at_field, timestamp_field, utcnow
from sme_hub.core.templating import jinja_environment
from sme_hub.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 30
EmailStatus = Literal["queued", "sent", "logged", "failed"]
# "logged": no SMTP server was configured, so the email went to the log only (development).
STATUS_LABELS = {
    "queued": N_("queued"),
    "sent": N_("sent"),
    "logged": N_("not sent: no mail server configured"),
    "failed": N_("not sent: delivery failed"),
}


class EmailOutbox(SQLModel, table=True):
    """One email, rendered, waiting to be sent or kept as the record of what was sent."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'sent', 'logged', 'failed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=320)
    locale: str = Field(max_length=5)
    template: str = Field(max_length=60)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    body_html: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(default="queued", max_length=10, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()


# --- queueing -------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return jinja_environment()


def render_email(
    template: str, locale: str, context: dict[str, Any]
) -> tuple[str, str, str | None]:
    """Subject, text and HTML (None without an .html template) of
    `templates/emails/<template>.*`, in `locale`."""
    environment = _environment()
    token = current_locale.set(locale)
    try:
        subject = environment.get_template(f"emails/{template}.subject.txt").render(context)
        body_text = environment.get_template(f"emails/{template}.txt").render(context)
        try:
            html_template = environment.get_template(f"emails/{template}.html")
        except TemplateNotFound:
            body_html = None
        else:
            body_html = html_template.render(context)
    finally:
        current_locale.reset(token)
    # One line: a subject is a header, and a header never carries a line break.
    return " ".join(subject.split()), body_text.strip() + "\n", body_html


async def queue_email(
    session: AsyncSession, *, to: str, template: str, locale: str, context: dict[str, Any]
) -> EmailOutbox:
    """Render the email in `locale` and queue it in the caller's transaction; it is sent
    after that transaction commits."""
    subject, body_text, body_html = render_email(template, locale, context)
    email = EmailOutbox(
        to_address=to,
        locale=locale,
        template=template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )
    session.add(email)
    await session.flush()
    await defer_in(session, deliver_outbox, outbox_id=email.id)
    return email


# The recipient's columns, read without importing accounts: core imports no feature (the
# import contract), and a table of that name is all it needs.
_RECIPIENT = sa.table(
    "user_account", sa.column("id"), sa.column("email"), sa.column("full_name"), sa.column("locale")
)


async def notify(session: AsyncSession, user_id: int, template: str, **context: Any) -> EmailOutbox:
    """Email a user in their own language; the template gets their name as `name` along with
    `context`. Queued in the caller's transaction like `queue_email`, which is for an address
    that is not a user's."""
    recipient = (
        await session.execute(
            sa.select(_RECIPIENT.c.email, _RECIPIENT.c.full_name, _RECIPIENT.c.locale).where(
                _RECIPIENT.c.id == user_id
            )
        )
    ).one()
    return await queue_email(
        session,
        to=recipient.email,
        template=template,
        locale=recipient.locale,
        context={"name": recipient.full_name, **context},
    )


# --- sending --------------------------------------------------------------------------------

_SCHEMES = {  # scheme: (default port, implicit TLS, STARTTLS)
    "smtp": (25, False, False),
    "smtp+starttls": (587, False, True),
    "smtps": (465, True, False),
}


def smtp_options(url: str) -> dict[str, Any]:
    """aiosmtplib.send's connection arguments for `smtp://host:port`,
    `smtp+starttls://user:pass@host:587` or `smtps://user:pass@host:465`."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ConfigurationError("SME_HUB_SMTP_URL must be smtp://, smtp+starttls:// or smtps://")
    default_port, use_tls, start_tls = _SCHEMES[parts.scheme]
    return {
        "hostname": parts.hostname,
        "port": parts.port or default_port,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_tls": use_tls,
        "start_tls": start_tls,
        "timeout": SMTP_TIMEOUT_SECONDS,
    }


def build_message(email: EmailOutbox, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    message["Content-Language"] = email.locale  # after the content, which resets Content-*
    return message


async def send(settings: Settings, email: EmailOutbox) -> EmailStatus:
    """Hand the email to the SMTP server ("sent"), or to the log when none is configured
    ("logged")."""
    if not settings.smtp_url:
        log.info(
            "email not sent (no SMTP server configured): to=%s subject=%r\n%s",
            email.to_address,
            email.subject,
            email.body_text,
        )
        return "logged"
    await aiosmtplib.send(
        build_message(email, settings.mail_from), **smtp_options(settings.smtp_url)
    )
    return "sent"


async def deliver(db: Database, settings: Settings, outbox_id: int) -> str | None:
    """Try to send one queued email; its new status, or None when it is not queued (sent,
    failed, gone) or another worker is sending it right now."""
    async with db.sessionmaker() as session, session.begin():
        email = await session.scalar(
            select(EmailOutbox)
            .where(col(EmailOutbox.id) == outbox_id, col(EmailOutbox.status) == "queued")
            .with_for_update(skip_locked=True)
        )
        if email is None:
            return None
        email.attempts += 1
        try:
            status = await send(settings, email)
        except Exception as exc:  # whatever went wrong belongs on the row, not in a crash
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = "failed"
            log.warning(
                "email %s to %s: attempt %s failed: %s",
                email.id,
                email.to_address,
                email.attempts,
                email.last_error,
            )
        else:
            email.status = status
            email.sent_at = utcnow() if status == "sent" else None
        return email.status


# Retry n (n = attempts so far) is due 2^n - 1 minutes after the email was queued.
_DUE = sa.text("created_at + interval '1 minute' * (power(2, attempts) - 1) <= now()")


async def deliver_due(db: Database, settings: Settings) -> int:
    """Try every queued email whose next attempt is due, each once; how many were sent."""
    async with db.sessionmaker() as session:
        ids = (
            await session.scalars(
                select(col(EmailOutbox.id))
                .where(col(EmailOutbox.status) == "queued", _DUE)
                .order_by(col(EmailOutbox.id))
            )
        ).all()
    sent = 0
    for outbox_id in ids:
        assert outbox_id is not None
        if await deliver(db, settings, outbox_id) == "sent":
            sent += 1
    return sent


# --- jobs -----------------------------------------------------------------------------------


@jobs.task(name="deliver_outbox", pass_context=True)
async def deliver_outbox(context: Any, outbox_id: int) -> None:
    db, settings = worker_resources(context)
    await deliver(db, settings, outbox_id)


@jobs.periodic(cron="* * * * *")
@jobs.task(name="retry_outbox", pass_context=True)
async def retry_outbox(context: Any, timestamp: int) -> None:
    db, settings = worker_resources(context)
    await deliver_due(db, settings)


async def latest_emails(session: AsyncSession, limit: int = 20) -> list[EmailOutbox]:
    """The newest emails, for the admin (in development they are only logged otherwise)."""
    rows = await session.scalars(
        select(EmailOutbox).order_by(col(EmailOutbox.id).desc()).limit(limit)
    )
    return list(rows.all())
