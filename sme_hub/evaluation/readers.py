"""Evaluators read the applications they are assigned to: the rule grants' `get_application`
asks (evaluation builds on grants, so it adds its rule there rather than grants importing it)."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.roles import CurrentUser, Role
from sme_hub.evaluation.models import Assignment
from sme_hub.grants import applications


async def evaluates(session: AsyncSession, user: CurrentUser, application_id: int) -> bool:
    """An evaluator assigned to the application who declared no conflict reads it (what
    blind review hides of it is evaluation.review's to decide)."""
    if not user.has_role(Role.EVALUATOR):
        return False
    found = await session.scalar(
        select(col(Assignment.id)).where(
            col(Assignment.application_id) == application_id,
            col(Assignment.evaluator_id) == user.id,
            col(Assignment.status).in_(("declared", "submitted")),
        )
    )
    return found is not None


applications.add_reader(evaluates)
