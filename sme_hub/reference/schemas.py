"""What the reference API answers: KVED classes and KATOTTG units, one or a found list."""

from pydantic import BaseModel, ConfigDict


class KvedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    section: str
    division: str
    title: str  # in the language of the request
    title_uk: str
    title_en: str
    classifier_version: str


class KvedList(BaseModel):
    items: list[KvedRead]
    total: int


class CommunityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    category: str  # H: territorial community, K: city with special status, O: oblast
    oblast_code: str
    oblast_name: str


class CommunityList(BaseModel):
    items: list[CommunityRead]
    total: int
