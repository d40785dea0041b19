"""Shapes of the audit trail API: the query and one entry with who made it."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditActor(BaseModel):
    id: int
    name: str
    email: str


class AuditEntryRead(BaseModel):
    id: int
    at: datetime = Field(description="When, ISO 8601 with offset (UTC)")
    actor: AuditActor | None = Field(description="Who; null for the system (jobs, seeding)")
    object_type: str
    object_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    client_address: str | None = Field(
        default=None,
        description="The client's IP address (the forwarded one behind a trusted proxy); "
        "null for the system",
    )
    municipality_id: int | None
