"""A call's committee, the assignments of applications to evaluators (with their conflict
declarations) and the scores they give."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sme_hub.core.models import created_at_field, timestamp_field
from sme_hub.evaluation.rules import ASSIGNMENT

ASSIGNMENT_STATUSES = ASSIGNMENT.state_names


class CommitteeMember(SQLModel, table=True):
    __tablename__ = "committee_member"

    call_id: int = Field(foreign_key="grant_call.id", primary_key=True)
    evaluator_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    added_at: datetime = created_at_field()


class Assignment(SQLModel, table=True):
    """One evaluator on one application: `assigned` until they declare; `declared` (no
    conflict, may score); `conflict` (replaced, sees nothing); `submitted` (scores final)."""

    __tablename__ = "assignment"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "evaluator_id"),
        sa.CheckConstraint(ASSIGNMENT.check_constraint_sql(), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="grant_call.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    evaluator_id: int = Field(foreign_key="user_account.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    status: str = Field(default="assigned", max_length=10)
    conflict_note: str = Field(default="", max_length=1000)
    declared_at: datetime | None = timestamp_field()
    submitted_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class CriterionScore(SQLModel, table=True):
    """An evaluator's score on one criterion: 0..max in halves, with a comment."""

    __tablename__ = "criterion_score"
    __table_args__ = (
        sa.CheckConstraint("score >= 0 AND score * 2 = floor(score * 2)", name="halves"),
    )

    assignment_id: int = Field(foreign_key="assignment.id", primary_key=True, ondelete="CASCADE")
    criterion_key: str = Field(max_length=40, primary_key=True)
    score: Decimal = Field(sa_type=sa.Numeric(5, 1))
    comment: str = Field(default="", max_length=2000)
