"""Named dependencies every controller asks for (provided in app.py)."""

from typing import Annotated, Any, TypeAlias

from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.auth import CurrentUser
from sme_hub.core.pagination import PageParams
from sme_hub.db import Database

DbSession: TypeAlias = NamedDependency[AsyncSession]  # the request's one transaction
Actor: TypeAlias = NamedDependency[CurrentUser]  # as `user`, on guarded routes
Db: TypeAlias = NamedDependency[Database]  # as `db`, for work outside the transaction
Page: TypeAlias = NamedDependency[PageParams]  # as `page`: ?limit=&offset=
FormData: TypeAlias = URLEncodedBody[dict[str, Any]]

__all__ = ["Actor", "Annotated", "Db", "DbSession", "FormData", "Page"]
