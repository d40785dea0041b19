"""Tenancy checks: another municipality's object is reported as not found."""

import pytest
from sqlalchemy import column
from sqlalchemy.dialects import postgresql

from sme_hub.core.errors import NotFound
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import can_see_municipality, ensure_in_tenant, tenant_condition

OFFICER = CurrentUser.acting(7, Role.MUNICIPAL_OFFICER, municipality_id=1)
ADMIN = CurrentUser.acting(7, Role.ADMIN)
ENTREPRENEUR = CurrentUser.acting(7, Role.ENTREPRENEUR)


def sql(clause: object) -> str:
    return str(
        clause.compile(
            dialect=postgresql.dialect(),  # type: ignore[attr-defined]
            compile_kwargs={"literal_binds": True},
        )
    )


def test_officer_sees_only_own_municipality() -> None:
    assert can_see_municipality(OFFICER, 1)
    assert not can_see_municipality(OFFICER, 2)
    ensure_in_tenant(OFFICER, 1)
    with pytest.raises(NotFound):
        ensure_in_tenant(OFFICER, 2)
    with pytest.raises(NotFound):
        ensure_in_tenant(OFFICER, None)


def test_role_filter_narrows_the_tenants() -> None:
    assert not can_see_municipality(OFFICER, 1, Role.EVALUATOR)


def test_admin_sees_every_municipality() -> None:
    assert can_see_municipality(ADMIN, 99)
    assert sql(tenant_condition(ADMIN, column("municipality_id"))) == "true"


def test_conditions_in_sql() -> None:
    assert sql(tenant_condition(OFFICER, column("municipality_id"))) == "municipality_id IN (1)"
    assert sql(tenant_condition(ENTREPRENEUR, column("municipality_id"))) == "false"
