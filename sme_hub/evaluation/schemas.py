"""Shapes of the evaluation API: committee, conflict declarations, scores, the ranking; and
the what-if settings the officer tries."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CommitteeIn(Strict):
    evaluator_ids: list[int] = Field(max_length=100)


class CommitteeRead(BaseModel):
    call_id: int
    evaluator_ids: list[int]


class ConflictDeclaration(Strict):
    has_conflict: bool
    note: str = Field(default="", max_length=1000)


class ScoresIn(Strict):
    scores: dict[str, Decimal] = Field(description="criterion key: 0..max, in halves")
    comments: dict[str, Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=dict, description="criterion key: comment (at most 2000 characters)"
    )


class AssignmentRead(BaseModel):
    id: int
    call_id: int
    application_id: int
    status: Literal["assigned", "declared", "conflict", "submitted"]
    project_title: str | None = Field(description="Shown once no conflict is declared")
    applicant_name: str | None = Field(description="Hidden when the call has blind review")
    scores: dict[str, Decimal] = Field(default_factory=dict)
    comments: dict[str, str] = Field(default_factory=dict)


class RankingItem(BaseModel):
    application_id: int
    rank: int | None
    base: Decimal | None
    bonus_women: Decimal | None
    bonus_green: Decimal | None
    bonus_other: dict[str, Decimal]
    final: Decimal | None
    fundable: bool
    divergent: bool
    outcome: Literal["recommended", "reserve", "not_selected"]
    explanation: list[str]


class RankingRead(BaseModel):
    items: list[RankingItem] = Field(description="The page asked for, in ranking order")
    total: int
    limit: int
    offset: int
    budget_kop: int
    reserved_kop: int
    recommended_kop: int


class DecisionIn(Strict):
    decision: Literal["approved", "rejected"]
    amount_kop: int | None = Field(
        default=None, gt=0, description="Awarded amount (approval); the request if omitted"
    )
    reference: str = Field(
        min_length=2, max_length=200, description="E.g. the council decision number and date"
    )
    note: str = Field(default="", max_length=2000)


class DecisionRead(BaseModel):
    application_id: int
    status: str
    awarded_kop: int | None
    reference: str
    remaining_kop: int


@dataclass(frozen=True)
class WhatIf:
    """Settings the officer tries instead of the call's own (the what-if panel); None keeps
    the call's value. Shaped like the call's columns: the share is a fraction (0.3 for 30 %),
    points out of 100; `group_bonuses` replaces the points of the groups it names."""

    budget_kop: int | None = None
    women_led_budget_share: Decimal | None = None
    threshold: Decimal | None = None
    women_led_bonus: Decimal | None = None
    green_bonus: Decimal | None = None
    group_bonuses: Mapping[str, Decimal] | None = None
