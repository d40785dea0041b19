"""Workflows as data (sme_hub/core/workflow.py) and every workflow table of the features."""

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_hub.core.i18n import current_locale
from sme_hub.core.roles import Role
from sme_hub.core.workflow import OWNER, SYSTEM, Action, State, Workflow
from sme_hub.evaluation.rules import ASSIGNMENT
from sme_hub.grants.rules import APPLICATION, AWARDED_STATUSES, CALL
from sme_hub.implementation.rules import OBLIGATION, REPORT, TRANCHE
from sme_hub.partners.rules import REFERRAL
from sme_hub.training.rules import COHORT, ENROLMENT
from sme_hub.workflows import WORKFLOWS

ALL = (CALL, APPLICATION, COHORT, ENROLMENT, REFERRAL, TRANCHE, REPORT, OBLIGATION, ASSIGNMENT)
KNOWN_ROLES = {role.value for role in Role} | {OWNER, SYSTEM}

TOY = Workflow(
    name="toy",
    table="toy",
    states=(State("a", "A"), State("b", "B"), State("c", "C")),
    actions=(
        Action("go", ("a",), "b", frozenset({"admin"}), "Go"),
        Action("stop", ("a", "b"), "c", frozenset({OWNER, SYSTEM}), "Stop"),
    ),
    initial=("a",),
)


def test_the_list_of_workflows_has_every_table() -> None:
    assert {w.name for w in WORKFLOWS} == {w.name for w in ALL}
    assert len({w.name for w in WORKFLOWS}) == len(WORKFLOWS)


@pytest.mark.parametrize("workflow", ALL, ids=lambda w: w.name)
def test_every_action_goes_between_states_and_someone_may_take_it(workflow: Workflow) -> None:
    names = set(workflow.state_names)
    assert len(names) == len(workflow.states)
    assert len({a.name for a in workflow.actions}) == len(workflow.actions)
    assert set(workflow.initial) <= names
    for action in workflow.actions:
        assert set(action.sources) <= names and action.target in names
        assert action.roles and action.roles <= KNOWN_ROLES
        assert action.label and action.records is not None
    assert all(state.label for state in workflow.states)


@pytest.mark.parametrize("workflow", ALL, ids=lambda w: w.name)
def test_every_state_is_reachable_from_an_initial_one(workflow: Workflow) -> None:
    seen, queue = set(workflow.initial), deque(workflow.initial)
    while queue:
        for action in workflow.actions_from(queue.popleft()):
            if action.target not in seen:
                seen.add(action.target)
                queue.append(action.target)
    assert seen == set(workflow.state_names)


@pytest.mark.parametrize("workflow", ALL, ids=lambda w: w.name)
def test_terminal_states_have_no_way_out(workflow: Workflow) -> None:
    for state in workflow.terminal_states():
        assert all(workflow.next_state(state, a.name) is None for a in workflow.actions)


@given(
    st.sampled_from(ALL).flatmap(
        lambda w: st.tuples(
            st.just(w),
            st.sampled_from((*w.state_names, "nonsense")),
            st.sampled_from((*(a.name for a in w.actions), "nonsense")),
            st.sets(st.sampled_from(sorted(KNOWN_ROLES))),
        )
    )
)
def test_next_state_and_allowed_agree_with_the_table(
    case: tuple[Workflow, str, str, set[str]],
) -> None:
    workflow, status, name, roles = case
    action = workflow.action(name)
    expected = action.target if action is not None and status in action.sources else None
    assert workflow.next_state(status, name) == expected
    assert workflow.allowed(name, status, roles) == (
        expected is not None and action is not None and bool(action.roles & roles)
    )


def test_allowed_asks_for_a_role_of_the_action() -> None:
    assert TOY.allowed("go", "a", {"admin"})
    assert not TOY.allowed("go", "a", {OWNER})
    assert not TOY.allowed("go", "b", {"admin"})
    assert TOY.allowed("stop", "b", {SYSTEM})
    assert not TOY.allowed("nonsense", "a", KNOWN_ROLES)
    assert TOY.terminal_states() == ("c",)


def test_check_constraint_lists_the_states_in_order() -> None:
    assert TOY.check_constraint_sql() == "status IN ('a', 'b', 'c')"
    assert COHORT.check_constraint_sql() == (
        "status IN ('planned', 'open', 'running', 'finished', 'cancelled')"
    )


def test_mermaid_draws_every_transition() -> None:
    assert TOY.mermaid().splitlines() == [
        "stateDiagram-v2",
        "    [*] --> a",
        "    a --> b: go",
        "    a --> c: stop",
        "    b --> c: stop",
        "    c --> [*]",
    ]


def test_labels_are_translated_where_shown() -> None:
    token = current_locale.set("uk")
    try:
        assert APPLICATION.label("reserve") == "у резервному списку"
        assert APPLICATION.label("unknown") == "unknown"
    finally:
        current_locale.reset(token)
    assert APPLICATION.labels["ineligible"] == "not eligible"


def test_a_grant_is_an_awarded_application() -> None:
    assert set(AWARDED_STATUSES) <= set(APPLICATION.state_names)
    assert APPLICATION.next_state("approved", "start_implementation") == "in_implementation"
    assert APPLICATION.next_state("in_implementation", "complete") == "completed"
