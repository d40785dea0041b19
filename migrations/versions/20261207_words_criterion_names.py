"""calls name each criterion in both languages; explanations name a declared group in words

A criterion's one `name` becomes `name_uk` (its English name left empty: English pages show
the Ukrainian one until an officer adds it). A stored explanation's line "Bonus for a
declared group ({group})", which showed the group's code, becomes the line of that group.

Revision ID: words_criterion_names
Revises: words_email_logged
Create Date: 2026-12-07 09:10:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = 'words_criterion_names'
down_revision: str | None = 'words_email_logged'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_GROUP_LINE = 'Bonus for a declared group ({group}): +{points}.'
GROUP_LINES = {
    'veteran_owned': 'Bonus for a business owned by a veteran: +{points}.',
    'idp_owned': 'Bonus for a business owned by an internally displaced person: +{points}.',
    'youth_owned': 'Bonus for a business owned by a person under 35: +{points}.',
}


def _map_array(column: str, element: str) -> str:
    """`column` (a JSON array) with each element replaced by the expression `element` of `e`."""
    return (
        f"COALESCE((SELECT jsonb_agg({element} ORDER BY i) "
        f"FROM jsonb_array_elements({column}) WITH ORDINALITY AS t(e, i)), '[]'::jsonb)"
    )


def upgrade() -> None:
    criterion = (
        "CASE WHEN e ? 'name' THEN (e - 'name') || jsonb_build_object("
        "'name_uk', e->>'name', 'name_en', COALESCE(e->>'name_en', '')) ELSE e END"
    )
    op.execute(
        f"UPDATE grant_call SET criteria = {_map_array('criteria', criterion)} "
        "WHERE jsonb_path_exists(criteria, '$[*].name')"
    )
    cases = ' '.join(f"WHEN '{group}' THEN '{line}'" for group, line in GROUP_LINES.items())
    line = (
        f"CASE WHEN e->>'message' = '{OLD_GROUP_LINE}' AND e->'params'->>'group' IN "
        f"({', '.join(repr(g) for g in GROUP_LINES)}) THEN jsonb_build_object("
        f"'message', CASE e->'params'->>'group' {cases} END, "
        "'params', (e->'params') - 'group') ELSE e END"
    )
    op.execute(
        f"UPDATE application SET explanation = {_map_array('explanation', line)} "
        f"WHERE jsonb_path_exists(explanation, '$[*] ? (@.message == \"{OLD_GROUP_LINE}\")')"
    )


def downgrade() -> None:
    criterion = (
        "CASE WHEN e ? 'name_uk' THEN (e - 'name_uk' - 'name_en') || "
        "jsonb_build_object('name', e->>'name_uk') ELSE e END"
    )
    op.execute(
        f"UPDATE grant_call SET criteria = {_map_array('criteria', criterion)} "
        "WHERE jsonb_path_exists(criteria, '$[*].name_uk')"
    )
    cases = ' '.join(f"WHEN '{line}' THEN '{group}'" for group, line in GROUP_LINES.items())
    line = (
        f"CASE WHEN e->>'message' IN ({', '.join(repr(v) for v in GROUP_LINES.values())}) "
        f"THEN jsonb_build_object('message', '{OLD_GROUP_LINE}', 'params', "
        f"(e->'params') || jsonb_build_object('group', CASE e->>'message' {cases} END)) ELSE e END"
    )
    op.execute(f"UPDATE application SET explanation = {_map_array('explanation', line)}")
