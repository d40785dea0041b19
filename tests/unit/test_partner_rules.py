"""The referral workflow as data, services matched by name, and the figures reports count."""

from datetime import date

import pytest

from sme_hub.partners import rules


@pytest.mark.parametrize(
    ("status", "wanted", "allowed"),
    [
        ("sent", "accepted", True),
        ("sent", "declined", True),
        ("sent", "completed", False),  # a state cannot be skipped
        ("accepted", "completed", True),
        ("accepted", "declined", False),
        ("accepted", "accepted", False),
        ("declined", "accepted", False),
        ("completed", "sent", False),
        ("unknown", "accepted", False),
    ],
)
def test_the_referral_flow(status: str, wanted: str, allowed: bool) -> None:
    assert rules.can_move(status, wanted) is allowed


def test_only_completing_needs_an_outcome() -> None:
    assert rules.needs_outcome("completed")
    assert not rules.needs_outcome("accepted") and not rules.needs_outcome("declined")


def test_services_match_by_name_whatever_the_spaces_and_case() -> None:
    services = ["Мікрокредит", "Лізинг  обладнання"]
    assert rules.offered_service(services, "  мікрокредит ") == "Мікрокредит"
    assert rules.offered_service(services, "лізинг обладнання") == "Лізинг  обладнання"
    assert rules.offered_service(services, "Іпотека") is None
    assert rules.clean_services([" Кредит", "кредит", "", "Лізинг ", "  "]) == ["Кредит", "Лізинг"]


def test_figures_add_up_every_view() -> None:
    november, december = date(2026, 11, 1), date(2026, 12, 1)
    rows = [
        rules.FigureRow(november, 1, "Банк", "bank", "private", "sent", 2),
        rules.FigureRow(november, 1, "Банк", "bank", "private", "completed", 1),
        rules.FigureRow(december, 2, "Інкубатор", "incubator", "civil_society", "declined", 3),
        rules.FigureRow(december, 3, "Спілка", "bank", "private", "accepted", 1),
    ]
    found = rules.figures(rows)
    assert found.total == {"sent": 2, "accepted": 1, "declined": 3, "completed": 1}
    assert found.by_partner[1] == {"sent": 2, "accepted": 0, "declined": 0, "completed": 1}
    assert found.by_kind["bank"] == {"sent": 2, "accepted": 1, "declined": 0, "completed": 1}
    assert found.by_sector["civil_society"]["declined"] == 3
    assert list(found.by_month) == [november, december]
    assert sum(sum(c.values()) for c in found.by_month.values()) == 7
    assert rules.figures([]).total == {"sent": 0, "accepted": 0, "declined": 0, "completed": 0}
