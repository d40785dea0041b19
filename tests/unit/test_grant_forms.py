"""The application form's fields into ApplicationIn and back: pure functions."""

from sme_hub.core.i18n import current_locale
from sme_hub.grants import display, forms
from sme_hub.grants.models import Application


def test_a_posted_form_reads_into_the_api_shape() -> None:
    fields, errors = forms.from_form(
        {
            "_csrf_token": "x",
            "project_title": " Сушарка ",
            "requested_amount_kop": "80 000",
            "own_contribution_kop": "",
            "jobs_total": "2",
            "line_item": ["Сушарка", "", "Панелі"],
            "line_amount": ["60 000", "", "40000,50"],
            "screening.protected_area": "no",
            "screening.noise_or_traffic": "yes",
            "answer.market": "Кав'ярні",
            "answer.unknown": "ignored",
        },
        ["market"],
    )
    assert errors == {}
    assert fields == {
        "project_title": "Сушарка",
        "requested_amount_kop": 8_000_000,
        "own_contribution_kop": None,
        "jobs_total": "2",
        "budget_lines": [
            {"item": "Сушарка", "amount_kop": 6_000_000},
            {"item": "Панелі", "amount_kop": 4_000_050},
        ],
        "screening": {"protected_area": False, "noise_or_traffic": True},
        "answers": {"market": "Кав'ярні"},
    }


def test_bad_amounts_and_rows_are_reported_and_left_out() -> None:
    token = current_locale.set("en")
    try:
        fields, errors = forms.from_form(
            {
                "requested_amount_kop": "багато",
                "line_item": ["Сушарка", ""],
                "line_amount": ["x", "100"],
            },
            [],
        )
    finally:
        current_locale.reset(token)
    assert "requested_amount_kop" not in fields and "budget_lines" not in fields
    assert errors["requested_amount_kop"].startswith("Enter an amount in hryvnias")
    assert set(errors) == {"requested_amount_kop", "budget_lines.0", "budget_lines.1"}


def test_validate_partly_keeps_the_valid_fields() -> None:
    valid, errors = forms.validate_partly(
        {"project_title": "Сушарка", "iban": "UA00", "jobs_total": "abc", "jobs_women": "1"}
    )
    assert set(errors) == {"iban", "jobs_total"}
    assert valid.model_dump(exclude_unset=True) == {"project_title": "Сушарка", "jobs_women": 1}


def test_without_drops_refused_fields_and_the_jobs_pair() -> None:
    valid, _errors = forms.validate_partly({"summary": "S", "jobs_total": "1", "jobs_women": "2"})
    kept = forms.without(valid, {"jobs_women": "too many"})
    assert kept.model_dump(exclude_unset=True) == {"summary": "S"}


def test_the_budget_editor_adds_and_removes_rows() -> None:
    rows = display.typed_rows({"line_item": "A", "line_amount": "1"})
    assert rows == [{"item": "A", "amount": "1"}]
    rows = display.edit_rows(rows, "add")
    assert rows == [{"item": "A", "amount": "1"}, {"item": "", "amount": ""}]
    assert display.edit_rows(rows, "remove-0") == [{"item": "", "amount": ""}]
    assert display.edit_rows(rows, "remove-x") == rows
    assert display.rows_as_form(rows[:1]) == {"line_item": ["A"], "line_amount": ["1"]}


def test_errors_are_shown_on_their_row_or_field() -> None:
    assert display.shown_errors({"budget_lines.2.item": "m", "iban": "n"}) == {
        "budget_lines.2": "m",
        "iban": "n",
    }


def test_saved_values_are_shown_in_hryvnias_and_typed_ones_win() -> None:
    application = Application(
        call_id=1,
        municipality_id=1,
        applicant_id=1,
        requested_amount_kop=8_000_050,
        budget_lines=[{"item": "A", "amount_kop": 100}],
        screening={"protected_area": False},
        answers={"market": "x"},
    )
    values = display.application_values(application)
    assert values["requested_amount_kop"] == "80000,50"
    assert values["own_contribution_kop"] == ""
    assert values["budget_lines"] == [{"item": "A", "amount": "1"}]
    shown = display.shown_values(
        {"requested_amount_kop": "lots", "screening.protected_area": "yes"}, values, ["market"]
    )
    assert shown["requested_amount_kop"] == "lots"
    assert shown["screening"] == {"protected_area": True}
    assert values["screening"] == {"protected_area": False}  # the saved values are not touched


def test_sizes_are_readable() -> None:
    token = current_locale.set("en")
    try:
        assert display.size_text(2_516_582) == "2,4 MB"
        assert display.size_text(180 * 1024) == "180 KB"
        assert display.size_text(10) == "1 KB"
    finally:
        current_locale.reset(token)
    assert display.size_text(2_516_582) == "2,4 МБ"  # Ukrainian by default


def test_the_summary_lists_problems_in_page_order_with_their_fields() -> None:
    order = display.form_order(["market"], 1)
    errors = {
        "iban": "Enter the IBAN.",
        "answers.market": "Answer this question.",
        "project_title": "Give the project a title.",
        "email": "Confirm your email address.",
        "__all__": "Not now.",
    }
    assert display.summary(errors, order, {"answers.market": "Who are your customers?"}) == [
        (None, "Confirm your email address."),
        ("project_title", "Give the project a title."),
        ("answers.market", "Who are your customers? Answer this question."),
        ("iban", "Enter the IBAN."),
    ]
