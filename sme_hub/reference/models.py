"""The shipped reference lists as tables: KVED-2010 classes and KATOTTG units."""

from sqlmodel import Field, SQLModel

KVED_VERSION = "KVED-2010 (ДК 009:2010)"


class KvedClass(SQLModel, table=True):
    """A class of KVED-2010 (`62.01`), with its titles in both languages."""

    __tablename__ = "kved_class"

    code: str = Field(primary_key=True, max_length=5)
    section: str = Field(max_length=1)
    division: str = Field(max_length=2)
    title_uk: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    # NACE 2.1-UA replaces KVED-2010 from 2027: every row says which list it belongs to.
    classifier_version: str = Field(max_length=40)


class KatottgUnit(SQLModel, table=True):
    """An oblast (category O), a special-status city (K) or a territorial community (H)."""

    __tablename__ = "katottg_unit"

    code: str = Field(primary_key=True, max_length=19)
    name: str = Field(max_length=200)
    category: str = Field(max_length=1)
    oblast_code: str = Field(max_length=19, index=True)
    oblast_name: str = Field(max_length=200)
