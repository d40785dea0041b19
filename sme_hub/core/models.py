"""Shared table conventions: constraint names that diff cleanly, UTC timestamps."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_field() -> datetime:
    """A `created_at` column filled by the database, timezone-aware."""
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


def timestamp_field(*, nullable: bool = True) -> datetime | None:
    return Field(  # type: ignore[no-any-return]
        default=None,
        sa_type=sa.DateTime(timezone=True),
        nullable=nullable,
    )
