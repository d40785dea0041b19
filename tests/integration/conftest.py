"""Every integration test starts from empty tables."""

from collections.abc import AsyncIterator

import pytest

from sme_hub.db import Database
from tests.conftest import empty_all_tables


@pytest.fixture(autouse=True)
async def clean_tables(db: Database) -> AsyncIterator[None]:
    yield
    await empty_all_tables(db)
