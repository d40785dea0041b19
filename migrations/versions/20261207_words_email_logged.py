"""email outbox: 'logged' for an email written to the log because no SMTP server is set

Revision ID: words_email_logged
Revises: proxy_audit_client
Create Date: 2026-12-07 09:00:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = 'words_email_logged'
down_revision: str | None = 'proxy_audit_client'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f('ck_email_outbox_status'), 'email_outbox', type_='check')
    op.create_check_constraint(
        op.f('ck_email_outbox_status'), 'email_outbox', "status IN ('queued', 'sent', 'logged', 'failed')"
    )


def downgrade() -> None:
    op.execute("UPDATE email_outbox SET status = 'sent' WHERE status = 'logged'")
    op.drop_constraint(op.f('ck_email_outbox_status'), 'email_outbox', type_='check')
    op.create_check_constraint(
        op.f('ck_email_outbox_status'), 'email_outbox', "status IN ('queued', 'sent', 'failed')"
    )
