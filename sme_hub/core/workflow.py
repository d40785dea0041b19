"""Workflows as data: the states of a stateful object, the actions between them (from → to,
who may, what the audit entry records) and their uk/en labels. Pure: the CHECK constraints,
the labels people see, the state diagrams in docs/ and the one audited `transition()`
(core/transitions.py) all read the same table."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from sme_hub.core.i18n import N_, _

# Who may act, besides a role: the owner of the object (the entrepreneur it belongs to) and
# the system (scheduled jobs, or a side effect of another audited action).
OWNER = "owner"
SYSTEM = "system"


@dataclass(frozen=True)
class State:
    name: str
    label: str  # an English msgid (N_), translated where shown


def states(**labels: str) -> tuple[State, ...]:
    """The states in order, each with its label: `states(draft=N_("draft"), ...)`."""
    return tuple(State(name, label) for name, label in labels.items())


@dataclass(frozen=True)
class Action:
    """One step: from any of `sources` to `target`, taken by anyone in `roles` (role names,
    or OWNER / SYSTEM); the audit entry is written under `name` and records `records`."""

    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: str
    records: tuple[str, ...] = ("status",)


@dataclass(frozen=True)
class Workflow:
    name: str
    table: str
    states: tuple[State, ...]
    actions: tuple[Action, ...]
    initial: tuple[str, ...]  # the states a new row may start in
    column: str = "status"
    object_type: str = ""  # the audit log's object_type, when it differs from the table
    # Why an action is refused in the current state (an msgid with {status}, its label).
    refused: str = N_("This cannot be done now.")
    note: str = field(default="", compare=False)  # how the object maps onto the database

    def __post_init__(self) -> None:
        _REGISTRY[self.name] = self  # so a template can name it (core/templating.py)

    @cached_property
    def state_names(self) -> tuple[str, ...]:
        return tuple(state.name for state in self.states)

    @cached_property
    def labels(self) -> dict[str, str]:
        """State → its msgid (translate with `_()` where shown)."""
        return {state.name: state.label for state in self.states}

    @cached_property
    def _actions(self) -> dict[str, Action]:
        return {action.name: action for action in self.actions}

    @property
    def audit_type(self) -> str:
        return self.object_type or self.table

    def action(self, name: str) -> Action | None:
        return self._actions.get(name)

    def step(self, name: str) -> Action:
        """The action of that name, which the caller knows exists (KeyError otherwise)."""
        return self._actions[name]

    def next_state(self, status: str, action: str) -> str | None:
        """The state `action` leads to from `status`, or None when it may not be taken."""
        found = self._actions.get(action)
        return found.target if found is not None and status in found.sources else None

    def allowed(self, action: str, status: str, roles: Iterable[str]) -> bool:
        """Whether someone holding `roles` may take `action` from `status`."""
        found = self._actions.get(action)
        return (
            found is not None
            and status in found.sources
            and not found.roles.isdisjoint(str(role) for role in roles)
        )

    def actions_from(self, status: str) -> tuple[Action, ...]:
        return tuple(action for action in self.actions if status in action.sources)

    def terminal_states(self) -> tuple[str, ...]:
        return tuple(s for s in self.state_names if not self.actions_from(s))

    def label(self, state: str) -> str:
        """The state's label in the current language (the raw name if unknown)."""
        msgid = self.labels.get(state)
        return _(msgid) if msgid else state

    def check_constraint_sql(self) -> str:
        names = ", ".join(f"'{name}'" for name in self.state_names)
        return f"{self.column} IN ({names})"

    def mermaid(self) -> str:
        """The workflow as a mermaid `stateDiagram-v2`."""
        lines = ["stateDiagram-v2"]
        lines += [f"    [*] --> {name}" for name in self.initial]
        for action in self.actions:
            lines += [
                f"    {source} --> {action.target}: {action.name}" for source in action.sources
            ]
        lines += [f"    {name} --> [*]" for name in self.terminal_states()]
        return "\n".join(lines)


_REGISTRY: dict[str, Workflow] = {}


def named(name: str) -> Workflow:
    """The workflow of that name (each registers itself when its rules module is imported)."""
    return _REGISTRY[name]


def status_label(workflow: str, state: str) -> str:
    """A state's label in the current language: `status_label("application", "reserve")`."""
    return named(workflow).label(state)
