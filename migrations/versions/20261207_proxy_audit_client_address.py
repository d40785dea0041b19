"""the client's address on audit entries (the forwarded one behind a trusted proxy)

Revision ID: proxy_audit_client
Revises: 20261207_sessions
Create Date: 2026-12-07 23:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'proxy_audit_client'
down_revision: str | None = '20261207_sessions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('audit_entry', sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('audit_entry', 'client_address')
