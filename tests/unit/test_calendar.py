"""The iCalendar export: valid structure, UTC times, escaping and folding."""

from datetime import UTC, datetime, timedelta, timezone

from sme_hub.training.calendar import CalendarEvent, ics


def test_events_in_utc_with_escaping_and_folding() -> None:
    kyiv = timezone(timedelta(hours=2))
    text = ics(
        [
            CalendarEvent(
                uid="session-1@sme-hub",
                starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=kyiv),
                minutes=90,
                summary="Фінанси; податки, облік",
                location="Львів, пл. Ринок 1",
                description="Рядок 1\nРядок 2 " * 5,
            )
        ],
        name="Основи бізнесу",
        now=datetime(2026, 11, 25, tzinfo=UTC),
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261201T080000Z" in text and "DTEND:20261201T093000Z" in text
    assert "SUMMARY:Фінанси\\; податки\\, облік" in text
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert text.count("BEGIN:VEVENT") == 1
