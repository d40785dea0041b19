"""The one audited `transition()`: applies a workflow action (core/workflow.py) to a row with a
guarded UPDATE, so two requests racing on the same row cannot both move it, and writes the
audit entry in the same transaction."""

from collections.abc import Iterable, Mapping
from types import EllipsisType
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from sme_hub.core import audit
from sme_hub.core.errors import Conflict, Forbidden
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.core.workflow import OWNER, SYSTEM, Action, Workflow


def acting_roles(user: CurrentUser | None, owner_id: int | None = None) -> set[str]:
    """What the acting user may act as: their roles, the owner when it is theirs; the
    system when no user acts (jobs, side effects of another audited action)."""
    if user is None:
        return {SYSTEM}
    roles = {role.value for role in user.roles}
    if owner_id is not None and owner_id == user.id:
        roles.add(OWNER)
    return roles


def _checked(workflow: Workflow, action: str, roles: Iterable[str], *, as_system: bool) -> Action:
    found = workflow.action(action)
    if found is None:
        raise Conflict(_(workflow.refused).format(status=""))
    if not as_system and found.roles.isdisjoint(roles):
        raise Forbidden()
    return found


def _refused(workflow: Workflow, status: str, refused: str | None) -> Conflict:
    message = refused if refused is not None else _(workflow.refused)
    return Conflict(message.format(status=workflow.label(status)))


async def transition(
    session: AsyncSession,
    workflow: Workflow,
    row: SQLModel,
    action: str,
    *,
    user: CurrentUser | None,
    owner_id: int | None = None,
    system: bool = False,
    values: Mapping[str, Any] | None = None,
    refused: str | None = None,
    audit_as: tuple[str, int] | None = None,
    audit_action: str | None = None,
    before: dict[str, Any] | EllipsisType | None = ...,
    after: dict[str, Any] | EllipsisType | None = ...,
    details: Mapping[str, Any] | None = None,
    record: bool = True,
    when_allowed: bool = False,
) -> str:
    """Move `row` by `action`: the action must exist, the acting user (or the system, when
    `system` says the step is a side effect of something already checked) may take it, and the
    row must be in one of its sources — checked by the UPDATE itself (`WHERE status IN
    (sources)`), which sets the target and `values`. A wrong state is a 409 with `refused`
    (or the workflow's message), `{status}` filled with the current state's label.

    The audit entry goes on the row (or `audit_as`, e.g. the grant a tranche belongs to),
    under the action's name, with `before`/`after` (when not given: the status change, with
    `details` after).
    With `when_allowed`, a row whose state the action does not leave stays as it is (no
    check, no 409): for a step that follows another only where the workflow allows it.
    Returns the new state; `row` is updated in the session."""
    if when_allowed and workflow.next_state(getattr(row, workflow.column), action) is None:
        return str(getattr(row, workflow.column))
    found = _checked(workflow, action, acting_roles(user, owner_id), as_system=system)
    model = type(row)
    current: str = getattr(row, workflow.column)
    if current not in found.sources:
        raise _refused(workflow, current, refused)
    column = getattr(model, workflow.column)
    row_id = getattr(row, "id")  # noqa: B009 - every stateful table has an `id`
    changed = await session.execute(
        update(model)
        .where(col(getattr(model, "id")) == row_id, col(column).in_(found.sources))  # noqa: B009
        .values({workflow.column: found.target, **(values or {})})
        .returning(col(getattr(model, "id")))  # noqa: B009
        .execution_options(synchronize_session="fetch")
    )
    if changed.first() is None:  # another request moved it first
        await session.refresh(row)
        raise _refused(workflow, getattr(row, workflow.column), refused)
    if record:
        object_type, object_id = audit_as or (workflow.audit_type, row_id)
        await audit.record(
            session,
            user,
            object_type,
            object_id,
            audit_action or found.name,
            municipality_id=getattr(row, "municipality_id", None),
            before={workflow.column: current} if before is ... else before,
            after={workflow.column: found.target, **(details or {})} if after is ... else after,
        )
    return found.target


async def transition_many(
    session: AsyncSession,
    workflow: Workflow,
    model: type[SQLModel],
    action: str,
    *where: ColumnElement[bool],
    user: CurrentUser | None,
    system: bool = False,
    values: Mapping[str, Any] | None = None,
) -> list[tuple[int, int | None]]:
    """Move every row matching `where` and in one of the action's sources, in one guarded
    UPDATE; the same checks as `transition()`, no audit entry (the caller records the one
    action that moved them all). Returns (id, municipality_id) of each row moved."""
    found = _checked(workflow, action, acting_roles(user), as_system=system)
    column = getattr(model, workflow.column)
    moved = await session.execute(
        update(model)
        .where(col(column).in_(found.sources), *where)
        .values({workflow.column: found.target, **(values or {})})
        .returning(col(getattr(model, "id")), col(getattr(model, "municipality_id")))  # noqa: B009
        .execution_options(synchronize_session="fetch")
    )
    return [(row_id, municipality_id) for row_id, municipality_id in moved.all()]
