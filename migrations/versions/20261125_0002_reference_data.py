"""reference data: KVED-2010 classes and KATOTTG oblasts and communities, loaded from the
CSV files shipped in sme_hub/reference/data/

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:08:08.800291
"""
import csv
import io
from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported: a migration must load what it loaded on the day it was
# written, whatever the models say later.
KVED_VERSION = 'KVED-2010 (ДК 009:2010)'


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files('sme_hub.reference') / 'data' / name).read_text(encoding='utf-8')
    return list(csv.DictReader(io.StringIO(text, newline='')))


def upgrade() -> None:
    kved_class = op.create_table('kved_class',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('division', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('title_uk', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('title_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('classifier_version', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_kved_class'))
    )
    katottg_unit = op.create_table('katottg_unit',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=19), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('oblast_code', sqlmodel.sql.sqltypes.AutoString(length=19), nullable=False),
    sa.Column('oblast_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_katottg_unit'))
    )
    op.create_index(op.f('ix_katottg_unit_oblast_code'), 'katottg_unit', ['oblast_code'], unique=False)

    op.bulk_insert(
        kved_class,
        [{**row, 'classifier_version': KVED_VERSION} for row in _rows('kved_2010.csv')],
    )
    op.bulk_insert(katottg_unit, _rows('katottg_communities.csv'))


def downgrade() -> None:
    op.drop_index(op.f('ix_katottg_unit_oblast_code'), table_name='katottg_unit')
    op.drop_table('katottg_unit')
    op.drop_table('kved_class')
