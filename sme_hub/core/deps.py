"""Named dependencies every controller asks for (provided in app.py)."""

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.core.paged import PageParams
from sme_hub.core.roles import CurrentUser
from sme_hub.core.storage import Storage
from sme_hub.db import Database

DbSession: TypeAlias = NamedDependency[AsyncSession]  # the request's one transaction
Actor: TypeAlias = NamedDependency[CurrentUser]  # as `user`, on guarded routes
Db: TypeAlias = NamedDependency[Database]  # as `db`, for work outside the transaction
Page: TypeAlias = NamedDependency[PageParams]  # as `page`: ?limit=&offset=
FormData: TypeAlias = URLEncodedBody[dict[str, Any]]
_MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)
Multipart: TypeAlias = Annotated[dict[str, Any], _MULTIPART]  # a page's form with a file
Upload: TypeAlias = Annotated[UploadFile, _MULTIPART]  # an API's body of one file
Config: TypeAlias = NamedDependency[Settings]  # as `settings`
Files: TypeAlias = NamedDependency[Storage]  # as `storage`: uploaded and generated files
Req: TypeAlias = Request[Any, Any, Any]  # as `request`: the page's request

__all__ = [
    "Actor",
    "Annotated",
    "Config",
    "Db",
    "DbSession",
    "Files",
    "FormData",
    "Multipart",
    "Page",
    "Req",
    "Upload",
]
