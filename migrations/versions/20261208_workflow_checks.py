"""status CHECK constraints generated from the workflow tables (core/workflow.py)

Every status CHECK constraint dropped and created again from the workflow tables'
`check_constraint_sql()`, written here literally (a migration does not change when the code
does). The states are the ones the constraints listed before, in the same order, so the
downgrade creates the same definitions again.

Revision ID: workflow_checks
Revises: words_criterion_names
Create Date: 2026-12-08 03:00:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = 'workflow_checks'
down_revision: str | None = 'words_criterion_names'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> its status CHECK, as `Workflow.check_constraint_sql()` wrote it on 2026-12-08.
STATUS_CHECKS: tuple[tuple[str, str], ...] = (
    ('grant_call', "status IN ('draft', 'published', 'closed', 'in_evaluation', 'decided')"),
    ('application', "status IN ('draft', 'submitted', 'ineligible', 'eligible', 'under_evaluation', 'recommended', 'reserve', 'not_selected', 'approved', 'rejected', 'in_implementation', 'completed', 'withdrawn')"),
    ('assignment', "status IN ('assigned', 'declared', 'conflict', 'submitted')"),
    ('grant_tranche', "status IN ('planned', 'paid')"),
    ('progress_report', "status IN ('submitted', 'accepted', 'returned')"),
    ('grant_obligation', "status IN ('open', 'met')"),
    ('cohort', "status IN ('planned', 'open', 'running', 'finished', 'cancelled')"),
    ('enrolment', "status IN ('enrolled', 'waitlisted', 'cancelled', 'completed', 'not_completed')"),
    ('referral', "status IN ('sent', 'accepted', 'declined', 'completed')"),
)


def _recreate(checks: tuple[tuple[str, str], ...]) -> None:
    for table, condition in checks:
        name = op.f(f'ck_{table}_status')
        op.drop_constraint(name, table, type_='check')
        op.create_check_constraint(name, table, condition)


def upgrade() -> None:
    _recreate(STATUS_CHECKS)


def downgrade() -> None:
    _recreate(STATUS_CHECKS)
