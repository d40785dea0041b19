"""The email outbox: rendered in the recipient's language when queued, deferred as a job in
the same transaction, and delivered to a real (local) SMTP server.

These tests use a database of their own: a `sme-hub serve` started by the browser tests runs
a job worker on the shared test database, and it would deliver these emails first."""

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text, update
from sqlmodel import col

from sme_hub.config import ConfigurationError, Settings
from sme_hub.core.jobs import run_worker
from sme_hub.core.mail import (
    MAX_ATTEMPTS,
    EmailOutbox,
    deliver,
    deliver_due,
    notify,
    queue_email,
    smtp_options,
)
from sme_hub.core.models import utcnow
from sme_hub.db import Database, scratch_database
from tests.factories import fetch_rows, job_settings, make_user
from tests.servers import free_port


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free local port."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mail_database_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, "sme_hub_mail") as url:
        yield url


@pytest.fixture(scope="module")
async def mail_settings(
    mail_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await job_settings(
        mail_database_url,
        tmp_path_factory.mktemp("mail-data"),
        mail_from="SME Hub <noreply@sme-hub.test>",
    )


@pytest.fixture(scope="module")
async def mail_db(mail_settings: Settings) -> AsyncIterator[Database]:
    database = Database.connect(mail_settings, pool_size=2)
    yield database
    await database.engine.dispose()


@pytest.fixture(autouse=True)
async def empty_outbox(mail_db: Database) -> AsyncIterator[None]:
    yield
    async with mail_db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE email_outbox, procrastinate_jobs RESTART IDENTITY CASCADE")
        )


def with_smtp(settings: Settings, port: int) -> Settings:
    return replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")


async def queue(db: Database, to: str, locale: str, name: str = "Олена") -> int:
    async with db.sessionmaker() as session, session.begin():
        email = await queue_email(
            session,
            to=to,
            template="confirm_email",
            locale=locale,
            context={"name": name, "link": "http://sme-hub.test/confirm-email/abc"},
        )
    assert email.id is not None
    return email.id


async def row(db: Database, outbox_id: int) -> EmailOutbox:
    (email,) = await fetch_rows(db, EmailOutbox, col(EmailOutbox.id) == outbox_id)
    return email


async def jobs_for(db: Database, outbox_id: int) -> list[str]:
    """Statuses of the delivery jobs of one email."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT status FROM procrastinate_jobs WHERE task_name = 'deliver_outbox' "
                "AND (args->>'outbox_id')::int = :id"
            ),
            {"id": outbox_id},
        )
        return [str(status) for (status,) in rows]


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    content: str = part.get_content()  # type: ignore[attr-defined]
    return content


# --- queueing -------------------------------------------------------------------------------


async def test_queueing_renders_in_the_recipients_language_and_defers_a_job(
    mail_db: Database,
) -> None:
    uk_id = await queue(mail_db, "olena@example.org", "uk")
    en_id = await queue(mail_db, "olena@example.com", "en", name="Olena")

    uk, en = await row(mail_db, uk_id), await row(mail_db, en_id)
    assert (uk.status, uk.attempts, uk.locale, uk.template) == ("queued", 0, "uk", "confirm_email")
    assert uk.body_text.startswith("Вітаємо, Олена!")
    assert "http://sme-hub.test/confirm-email/abc" in uk.body_text
    assert "українських громад" in uk.body_text
    assert uk.body_html is not None and '<html lang="uk">' in uk.body_html
    assert en.body_text.startswith("Hello, Olena!")
    assert en.subject == "Confirm your email address for SME Hub"
    assert "\n" not in en.subject
    assert en.body_html is not None and '<html lang="en">' in en.body_html
    assert await jobs_for(mail_db, uk_id) == ["todo"]
    assert await jobs_for(mail_db, en_id) == ["todo"]


async def test_notify_emails_a_user_by_name_in_their_language(mail_db: Database) -> None:
    call = {"title_uk": "Гранти для громади", "title_en": "Community grants"}
    async with mail_db.sessionmaker() as session:
        olena = await make_user(session, full_name="Олена Коваль")
        john = await make_user(session, full_name="John Smith")
        john.locale = "en"
        await session.commit()
        assert olena.id is not None and john.id is not None
        for user_id in (olena.id, john.id):
            await notify(
                session,
                user_id,
                "application_screened",
                project="Пекарня",
                call=call,
                eligible=True,
                reason="",
                link="http://sme-hub.test/me/applications/1",
            )
        await session.commit()

    uk, en = await fetch_rows(mail_db, EmailOutbox)
    assert (uk.to_address, uk.locale) == (olena.email, "uk")
    assert (en.to_address, en.locale) == (john.email, "en")
    assert "Олена Коваль" in uk.body_text and "John Smith" in en.body_text
    # The call's title in the recipient's language, chosen while the email is rendered.
    assert "Гранти для громади" in uk.subject and "Community grants" in en.subject
    assert "Community grants" not in uk.body_text
    assert await jobs_for(mail_db, en.id or 0) == ["todo"]


async def test_no_email_and_no_job_when_the_transaction_rolls_back(mail_db: Database) -> None:
    async with mail_db.sessionmaker() as session:
        email = await queue_email(
            session,
            to="ghost@example.org",
            template="reset_password",
            locale="en",
            context={"name": "Ghost", "link": "http://sme-hub.test/password-reset/x"},
        )
        assert email.id is not None
        assert "one hour" in email.body_text
        await session.rollback()

    assert await fetch_rows(mail_db, EmailOutbox) == []
    assert await jobs_for(mail_db, email.id) == []


# --- delivery -------------------------------------------------------------------------------


async def test_delivery_sends_each_email_in_its_language(
    mail_db: Database, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    server, port = inbox
    settings = with_smtp(mail_settings, port)
    uk_id = await queue(mail_db, "olena@example.org", "uk")
    en_id = await queue(mail_db, "olena@example.com", "en", name="Olena")

    assert await deliver(mail_db, settings, uk_id) == "sent"
    assert await deliver(mail_db, settings, en_id) == "sent"
    assert await deliver(mail_db, settings, en_id) is None  # sent once, not twice

    by_recipient = {message["To"]: message for message in server.messages}
    assert len(server.messages) == 2
    uk, en = by_recipient["olena@example.org"], by_recipient["olena@example.com"]
    assert uk["Content-Language"] == "uk"
    assert uk["From"] == "SME Hub <noreply@sme-hub.test>"
    assert body(uk, "plain").startswith("Вітаємо, Олена!")
    assert "Вітаємо, Олена!" in body(uk, "html")
    assert en["Content-Language"] == "en"
    assert en["Subject"] == "Confirm your email address for SME Hub"
    assert body(en, "plain").startswith("Hello, Olena!")
    assert "http://sme-hub.test/confirm-email/abc" in body(en, "html")
    for outbox_id in (uk_id, en_id):
        email = await row(mail_db, outbox_id)
        assert (email.status, email.attempts, email.last_error) == ("sent", 1, None)
        assert email.sent_at is not None


async def test_the_worker_delivers_the_deferred_job(
    mail_db: Database, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    server, port = inbox
    outbox_id = await queue(mail_db, "worker@example.org", "en", name="Worker")

    await run_worker(
        with_smtp(mail_settings, port),
        wait=False,
        listen_notify=False,
        install_signal_handlers=False,
    )

    assert [message["To"] for message in server.messages] == ["worker@example.org"]
    assert (await row(mail_db, outbox_id)).status == "sent"
    assert await jobs_for(mail_db, outbox_id) == ["succeeded"]


async def test_an_unreachable_server_leaves_the_email_queued(
    mail_db: Database, mail_settings: Settings
) -> None:
    closed_port = free_port()  # nothing listens there
    settings = with_smtp(mail_settings, closed_port)
    outbox_id = await queue(mail_db, "olena@example.org", "uk")

    assert await deliver(mail_db, settings, outbox_id) == "queued"

    email = await row(mail_db, outbox_id)
    assert (email.status, email.attempts, email.sent_at) == ("queued", 1, None)
    assert email.last_error


async def test_the_last_failed_attempt_gives_up(mail_db: Database, mail_settings: Settings) -> None:
    settings = with_smtp(mail_settings, free_port())
    outbox_id = await queue(mail_db, "olena@example.org", "uk")
    async with mail_db.sessionmaker() as session, session.begin():
        await session.execute(
            update(EmailOutbox)
            .where(col(EmailOutbox.id) == outbox_id)
            .values(attempts=MAX_ATTEMPTS - 1)
        )

    assert await deliver(mail_db, settings, outbox_id) == "failed"
    assert (await row(mail_db, outbox_id)).attempts == MAX_ATTEMPTS
    assert await deliver(mail_db, settings, outbox_id) is None


async def test_retries_wait_longer_after_each_failure(
    mail_db: Database, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    server, port = inbox
    settings = with_smtp(mail_settings, port)
    fresh = await queue(mail_db, "fresh@example.org", "en")
    failed_now = await queue(mail_db, "now@example.org", "en")
    failed_before = await queue(mail_db, "before@example.org", "en")
    async with mail_db.sessionmaker() as session, session.begin():
        for outbox_id, minutes_ago in ((failed_now, 0), (failed_before, 4)):
            await session.execute(
                update(EmailOutbox)
                .where(col(EmailOutbox.id) == outbox_id)
                .values(attempts=2, created_at=utcnow() - timedelta(minutes=minutes_ago))
            )

    # Two failures: the third attempt is due 2^2 - 1 = 3 minutes after queueing.
    assert await deliver_due(mail_db, settings) == 2
    assert sorted(message["To"] for message in server.messages) == [
        "before@example.org",
        "fresh@example.org",
    ]
    assert (await row(mail_db, failed_now)).status == "queued"
    assert (await row(mail_db, fresh)).status == "sent"


async def test_without_smtp_the_email_goes_to_the_log(
    mail_db: Database, mail_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    outbox_id = await queue(mail_db, "dev@example.org", "en", name="Dev")

    with caplog.at_level(logging.INFO, logger="sme_hub.core.mail"):
        assert await deliver(mail_db, replace(mail_settings, smtp_url=None), outbox_id) == "logged"

    # Marked for what happened, not "sent": nobody reading the outbox is told it left.
    email = await row(mail_db, outbox_id)
    assert (email.status, email.sent_at) == ("logged", None)
    assert "dev@example.org" in caplog.text
    assert "Confirm your email address for SME Hub" in caplog.text
    assert "http://sme-hub.test/confirm-email/abc" in caplog.text


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail:2525", ("mail", 2525, None, None, False, False)),
        ("smtp://mail", ("mail", 25, None, None, False, False)),
        (
            "smtp+starttls://user%40x:p%3Ass@mail.example.org",
            ("mail.example.org", 587, "user@x", "p:ss", False, True),
        ),
        ("smtps://u:p@mail:4650", ("mail", 4650, "u", "p", True, False)),
    ],
)
def test_smtp_urls(url: str, expected: tuple[Any, ...]) -> None:
    options = smtp_options(url)
    keys = ("hostname", "port", "username", "password", "use_tls", "start_tls")
    assert tuple(options[key] for key in keys) == expected


def test_unknown_smtp_scheme_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="smtp"):
        smtp_options("http://mail:25")
