"""The access-control matrix: every route of the app × every role × own and another
municipality's objects, against the expectations kept as data in RULES below. A route the
table does not list fails the suite, so a new route cannot ship without a rule."""

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.core import auth
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.models import metadata
from tests.access_world import Tenant, build_tenant
from tests.conftest import REFERENCE_TABLES
from tests.factories import Client, csrf_token, login_page, make_user, token_headers
from tests.grants_setup import KYIV, LVIV

# Who may use a route: E entrepreneur, C centre staff, V evaluator, O municipal officer,
# P partner, R regional observer, A admin; "*" anyone (anonymous too), "+" anyone logged in.
ROLE_CODES = {
    "E": Role.ENTREPRENEUR,
    "C": Role.CENTRE_STAFF,
    "V": Role.EVALUATOR,
    "O": Role.MUNICIPAL_OFFICER,
    "P": Role.PARTNER,
    "R": Role.REGIONAL_OBSERVER,
    "A": Role.ADMIN,
}
ANONYMOUS = "anonymous"
CALLERS: list[str] = [ANONYMOUS, *(role.value for role in ROLE_CODES.values())]
SKIPPED = ("/static/", "/schema")  # files and the API's own documentation
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Rule:
    """`roles` may use the route; `scoped`: another municipality's object answers 404 to all
    of them but the admin; `denied`: what a logged-in caller outside `roles` gets (403, or
    404 where the object is simply not theirs); `but`: a refused role code → the status it
    gets instead on an object it may read (staff who read an application are told 403 or
    409 when they try the applicant's own actions; the htmx autosave answers a refusal in a
    200 fragment, as htmx swaps only 2xx: the unchanged database proves nothing was written);
    `params`: path parameter → key of the seeded world (or "=literal"); `query`: a query
    string, filled likewise; `ok`: statuses an allowed GET may answer besides 2xx/3xx;
    `last`: an allowed call that ends the caller's session or account, made after the rest."""

    roles: str
    scoped: bool = False
    denied: int = 403
    params: dict[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = ()
    last: bool = False
    query: str = ""
    but: dict[str, int] = field(default_factory=dict)

    def allows(self, caller: str) -> bool:
        if self.roles == "*":
            return True
        if caller == ANONYMOUS:
            return False
        return self.roles == "+" or any(
            ROLE_CODES[code].value == caller for code in self.roles.split()
        )


def r(roles: str, **options: Any) -> Rule:
    return Rule(roles, **options)


RULES: dict[str, Rule] = {
    # accounts: the second step of a login, the account page, two-factor resets
    "GET /login/two-factor": r("*"),
    "POST /login/two-factor": r("*"),
    "GET /login/two-factor/setup": r("*"),
    "POST /login/two-factor/setup": r("*"),
    "GET /account": r("+"),
    "GET /account/two-factor": r("+"),
    "POST /account/two-factor": r("+"),
    "POST /account/two-factor/disable": r("+"),
    "POST /account/password": r("+"),
    # Ends the caller's other sessions and API tokens: after the rest.
    "POST /account/sessions/sign-out-everywhere": r("+", last=True),
    "POST /account/sessions/{session_id:int}/end": r("+", params={"session_id": "=1"}),
    # Deactivates the tenant's entrepreneur: after the rest.
    "POST /admin/users/{user_id:int}/deactivate": r("A", last=True),
    "POST /api/v1/admin/users/{user_id:int}/deactivate": r("A", last=True),
    "POST /admin/users/{user_id:int}/two-factor/reset": r("A"),
    "POST /api/v1/admin/users/{user_id:int}/two-factor/reset": r("A"),
    # operations: loopback or a token, whoever is signed in (the test client is neither)
    "GET /metrics": r("*", ok=(403,)),
    # exports of the staff lists, as their lists
    "GET /api/v1/centre/clients/export.csv": r("C O A"),
    "GET /api/v1/centre/clients/export.xlsx": r("C O A"),
    "GET /api/v1/calls/{call_id:int}/applications/export.csv": r("C O A", scoped=True),
    "GET /api/v1/calls/{call_id:int}/applications/export.xlsx": r("C O A", scoped=True),
    "GET /centre/training/cohorts/{cohort_id:int}/export.csv": r("C", scoped=True),
    "GET /centre/training/cohorts/{cohort_id:int}/export.xlsx": r("C", scoped=True),
    "GET /api/v1/referrals/export.csv": r("+"),
    "GET /api/v1/referrals/export.xlsx": r("+"),
    "GET /centre/referrals/export.csv": r("C"),
    "GET /centre/referrals/export.xlsx": r("C"),
    "GET /partner/referrals/export.csv": r("P"),
    "GET /partner/referrals/export.xlsx": r("P"),
    "GET /api/v1/grants/export.csv": r("O A"),
    "GET /api/v1/grants/export.xlsx": r("O A"),
    "GET /municipality/grants/export.csv": r("O A"),
    "GET /municipality/grants/export.xlsx": r("O A"),
    # a call's results as a PDF
    "GET /api/v1/calls/{call_id:int}/results.pdf": r(
        "O A",
        scoped=True,
        ok=(409,),
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "GET /municipality/calls/{call_id:int}/results.pdf": r(
        "O A",
        scoped=True,
        ok=(409,),
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "GET /health": r("*"),
    "GET /favicon.ico": r("*"),
    "GET /": r("*"),
    "POST /api/v1/auth/confirm-email": r("*"),
    "GET /api/v1/me": r("+"),
    "POST /api/v1/auth/password-reset": r("*"),
    "POST /api/v1/auth/password-reset/confirm": r("*"),
    "POST /api/v1/auth/register": r("*"),
    "POST /api/v1/auth/token": r("*"),
    "GET /confirm-email/{token:str}": r("*", params={"token": "=not-a-token"}, ok=(410,)),
    "POST /login": r("*"),
    "GET /login": r("*"),
    "POST /logout": r("*", last=True),
    "POST /password-reset/{token:str}": r("*", params={"token": "=not-a-token"}),
    "GET /password-reset/{token:str}": r("*", params={"token": "=not-a-token"}, ok=(410,)),
    "GET /password-reset": r("*"),
    "POST /password-reset": r("*"),
    "GET /privacy": r("*"),
    "GET /register": r("*"),
    "POST /register": r("*"),
    "POST /confirm-email/resend": r("+"),
    "GET /api/v1/centres": r("*"),
    "GET /api/v1/municipalities": r("*"),
    "GET /api/v1/municipalities/{municipality_id:int}/staff": r("C V O A", scoped=True, denied=404),
    "POST /api/v1/admin/centres": r("A"),
    "POST /api/v1/admin/municipalities": r("A"),
    "GET /api/v1/admin/users": r("A"),
    "POST /api/v1/admin/users": r("A"),
    "POST /admin/centres": r("A"),
    "POST /admin/municipalities": r("A"),
    "POST /admin/users": r("A"),
    "GET /admin": r("A"),
    "PATCH /api/v1/referrals/{referral_id:int}": r("P", scoped=True),
    "GET /api/v1/referrals/{referral_id:int}": r("E C P A", scoped=True, denied=404),
    "PUT /api/v1/calls/{call_id:int}/partners": r("O A", scoped=True),
    "POST /api/v1/admin/partners": r("A"),
    "GET /api/v1/partners": r("*"),
    "GET /api/v1/reports/referrals": r("C O A"),
    "GET /api/v1/grants/{grant_id:int}/offers": r("E", scoped=True, denied=404),
    "GET /api/v1/partners/{partner_id:int}": r("*"),
    "PATCH /api/v1/partners/{partner_id:int}": r("C A", scoped=True),
    "GET /api/v1/referrals": r("+"),
    "POST /api/v1/referrals": r("+"),
    "POST /api/v1/grants/{grant_id:int}/referrals": r("E", scoped=True, denied=404),
    "POST /partners/{partner_id:int}/referral": r("E", scoped=True),
    "GET /partners": r("*"),
    "GET /partners/{partner_id:int}": r("*"),
    "POST /admin/partners/new": r("A"),
    "GET /admin/partners/new": r("A"),
    "GET /admin/partners/{partner_id:int}": r("A", scoped=True),
    "POST /admin/partners/{partner_id:int}": r("A", scoped=True),
    "GET /admin/partners": r("A"),
    "POST /centre/partners/{partner_id:int}": r("C", scoped=True),
    "GET /centre/partners/{partner_id:int}": r("C", scoped=True),
    "GET /centre/partners": r("C"),
    "POST /partner/referrals/{referral_id:int}": r("P", scoped=True),
    "GET /centre/referrals": r("C"),
    "POST /centre/referrals": r("C"),
    "GET /partner/referrals": r("P"),
    "GET /me/referrals": r("E"),
    "GET /centre/referrals/services": r("C"),
    "POST /me/grants/{grant_id:int}/referrals": r("E", scoped=True, denied=404),
    "GET /api/v1/audit": r("O A", scoped=True, query="object=application:{application_id}"),
    "GET /audit": r("O A"),
    "GET /api/v1/centre/clients": r("C O A"),
    "POST /api/v1/me/delete": r("E", last=True),
    "GET /api/v1/me/business": r("E"),
    "PUT /api/v1/me/business": r("E"),
    "GET /api/v1/me/data": r("E"),
    "POST /me/business/{step:str}/check": r("E", params={"step": "=details"}),
    "GET /me": r("E"),
    "POST /me/delete": r("E", last=True),
    "GET /me/delete": r("E"),
    "GET /me/data.json": r("E"),
    "GET /me/business": r("E"),
    "GET /me/business/{step:str}": r("E", params={"step": "=details"}),
    "POST /me/business/{step:str}": r("E", params={"step": "=details"}),
    "GET /centre/clients": r("C O A"),
    "GET /centre/clients/export.xlsx": r("C O A"),
    "GET /centre/clients/export.csv": r("C O A"),
    "GET /api/v1/reference/communities/{code:str}": r("*", params={"code": "katottg"}),
    "GET /api/v1/reference/kved/{code:str}": r("*", params={"code": "=62.01"}),
    "GET /api/v1/reference/communities": r("*"),
    "GET /api/v1/reference/kved": r("*"),
    "GET /reference/communities/options": r("*"),
    "GET /reference/kved/options": r("*"),
    "GET /api/v1/enrolments/{enrolment_id:int}/certificate.pdf": r(
        "E C A", scoped=True, denied=404, params={"enrolment_id": "certificate_enrolment_id"}
    ),
    "GET /me/enrolments/{enrolment_id:int}/certificate.pdf": r(
        "E C A", scoped=True, denied=404, params={"enrolment_id": "certificate_enrolment_id"}
    ),
    "GET /centre/cohorts/{cohort_id:int}/certificates/progress": r("C A", scoped=True),
    "GET /certificates/{code:str}": r("*"),
    "POST /api/v1/cohorts/{cohort_id:int}/sessions": r("C A", scoped=True),
    "PUT /api/v1/sessions/{session_id:int}/attendance": r("C A", scoped=True),
    "DELETE /api/v1/enrolments/{enrolment_id:int}": r("E C A", scoped=True, denied=404),
    "POST /api/v1/cohorts/{cohort_id:int}/{action:str}": r(
        "C A", scoped=True, params={"action": "=open"}
    ),
    "GET /api/v1/cohorts": r("*"),
    "POST /api/v1/programmes/{programme_id:int}/cohorts": r("C A", scoped=True),
    "POST /api/v1/programmes": r("C A"),
    "GET /api/v1/programmes": r("*"),
    "POST /api/v1/cohorts/{cohort_id:int}/enrolments": r("E"),
    "GET /api/v1/me/enrolments": r("+"),
    "GET /me/enrolments/{enrolment_id:int}/calendar.ics": r("E", scoped=True),
    "POST /me/enrolments/{enrolment_id:int}/cancel": r("E", scoped=True),
    "GET /courses": r("*"),
    "POST /courses/{cohort_id:int}/enrol": r("E"),
    "POST /centre/training/cohorts/{cohort_id:int}/sessions": r("C", scoped=True),
    "GET /centre/training/sessions/{session_id:int}/attendance": r("C", scoped=True),
    "POST /centre/training/sessions/{session_id:int}/attendance": r("C", scoped=True),
    "POST /centre/training/cohorts/{cohort_id:int}/{action:str}": r(
        "C", scoped=True, params={"action": "=open"}
    ),
    "GET /centre/training/cohorts/{cohort_id:int}": r("C", scoped=True),
    "POST /centre/training/programmes/{programme_id:int}/cohorts": r("C", scoped=True),
    "POST /centre/training/programmes": r("C"),
    "GET /centre/training": r("C"),
    "POST /api/v1/applications/{application_id:int}/attachments": r("E", scoped=True, denied=404),
    "GET /api/v1/applications/{application_id:int}/pdf": r("E C O A", scoped=True, denied=404),
    "GET /api/v1/calls/{call_id:int}/amendments": r("*"),
    "GET /api/v1/calls/{call_id:int}/applications": r("C O A", scoped=True),
    "POST /api/v1/calls/{call_id:int}/applications": r("E"),
    "POST /api/v1/calls/{call_id:int}/{action:str}": r(
        "O A", scoped=True, params={"action": "=publish"}
    ),
    "GET /api/v1/calls": r("*"),
    "POST /api/v1/calls": r("O A"),
    "POST /api/v1/applications/{application_id:int}/eligibility": r("C A", scoped=True),
    "PATCH /api/v1/applications/{application_id:int}": r("E", scoped=True, denied=404),
    "GET /api/v1/applications/{application_id:int}": r("E C O A", scoped=True, denied=404),
    "DELETE /api/v1/applications/{application_id:int}/attachments/{attachment_id:int}": r(
        "+", scoped=True
    ),
    "GET /api/v1/applications/{application_id:int}/attachments/{attachment_id:int}": r(
        "E C O A", scoped=True, denied=404
    ),
    "GET /api/v1/calls/{call_id:int}": r("*"),
    "PATCH /api/v1/calls/{call_id:int}": r("O A", scoped=True),
    "GET /api/v1/me/applications": r("+"),
    "POST /api/v1/applications/{application_id:int}/submit": r(
        "E", scoped=True, denied=404, but={"C": 403, "O": 403, "A": 403}
    ),
    "POST /api/v1/applications/{application_id:int}/withdraw": r(
        "E", scoped=True, denied=404, but={"C": 403, "O": 403, "A": 403}
    ),
    "POST /api/v1/reports/{report_id:int}/receipts": r("E", scoped=True, denied=404),
    "POST /api/v1/grants/{grant_id:int}/disbursements": r("O A", scoped=True),
    "GET /api/v1/grants/{grant_id:int}/agreement.pdf": r("E O A", scoped=True, denied=404),
    "GET /api/v1/grants/{grant_id:int}": r("E O A", scoped=True, denied=404),
    "GET /api/v1/grants": r("O A"),
    "POST /api/v1/obligations/{obligation_id:int}/met": r("O A", scoped=True),
    "GET /api/v1/me/grants": r("+"),
    "GET /api/v1/obligations": r("O A"),
    "POST /api/v1/grants/{grant_id:int}/disbursements/{tranche_id:int}/payment": r(
        "O A", scoped=True
    ),
    "GET /api/v1/reports/{report_id:int}/receipts/{index:int}": r("E O A", scoped=True, denied=404),
    "POST /api/v1/reports/{report_id:int}/review": r("O A", scoped=True),
    "POST /api/v1/grants/{grant_id:int}/reports": r("E", scoped=True, denied=404),
    "PUT /api/v1/reports/{report_id:int}": r("E", scoped=True, denied=404),
    "POST /me/grants/{grant_id:int}/reports/{report_id:int}/receipts": r(
        "E", scoped=True, denied=404
    ),
    "GET /me/grants/{grant_id:int}/agreement.pdf": r("E", scoped=True, denied=404),
    "GET /me/grants/{grant_id:int}": r("E", scoped=True, denied=404),
    "GET /me/grants/{grant_id:int}/reports/{report_id:int}/receipts/{index:int}": r(
        "E", scoped=True, denied=404
    ),
    "POST /me/grants/{grant_id:int}/reports/{report_id:int}": r("E", scoped=True, denied=404),
    "GET /me/grants/{grant_id:int}/reports/{report_id:int}": r("E", scoped=True, denied=404),
    "POST /me/grants/{grant_id:int}/reports": r("E", scoped=True, denied=404),
    "POST /municipality/grants/{grant_id:int}/tranches": r("O A", scoped=True),
    "GET /municipality/grants/{grant_id:int}/agreement.pdf": r("O A", scoped=True),
    "GET /municipality/grants/{grant_id:int}": r("O A", scoped=True),
    "GET /municipality/grants": r("O A"),
    "POST /municipality/grants/{grant_id:int}/obligations/{obligation_id:int}/met": r(
        "O A", scoped=True
    ),
    "POST /municipality/grants/{grant_id:int}/tranches/{tranche_id:int}/payment": r(
        "O A", scoped=True
    ),
    "GET /municipality/grants/{grant_id:int}/reports/{report_id:int}/receipts/{index:int}": r(
        "O A", scoped=True
    ),
    "POST /municipality/grants/{grant_id:int}/reports/{report_id:int}/review": r(
        "O A", scoped=True
    ),
    "POST /calls/{call_id:int}/apply": r("E"),
    "GET /calls/{call_id:int}": r("*"),
    "GET /calls": r("*"),
    "GET /me/applications/{application_id:int}": r("E C O A", scoped=True, denied=404),
    "POST /me/applications/{application_id:int}": r("E", scoped=True, denied=404),
    "POST /me/applications/{application_id:int}/autosave": r(
        "E", scoped=True, denied=404, but={"C": 200, "O": 200, "A": 200}
    ),
    "POST /me/applications/{application_id:int}/lines": r(
        "E", scoped=True, denied=404, but={"C": 409, "O": 409, "A": 409}
    ),
    "GET /me/applications/{application_id:int}/copy.pdf": r("E C O A", scoped=True, denied=404),
    "GET /me/applications/{application_id:int}/files/{attachment_id:int}": r(
        "E C O A", scoped=True, denied=404
    ),
    "GET /me/applications": r("+"),
    "POST /me/applications/{application_id:int}/files/{attachment_id:int}/remove": r(
        "+", scoped=True
    ),
    "POST /me/applications/{application_id:int}/submit": r(
        "E", scoped=True, denied=404, but={"C": 403, "O": 403, "A": 403}
    ),
    "POST /me/applications/{application_id:int}/files": r(
        "E", scoped=True, denied=404, but={"C": 409, "O": 409, "A": 409}
    ),
    "POST /me/applications/{application_id:int}/withdraw": r("E", scoped=True, denied=404),
    "GET /centre/grants/applications/{application_id:int}": r("C O A", scoped=True),
    "GET /centre/grants/assist": r("C A"),
    "POST /centre/grants/assist": r("C A"),
    "GET /centre/grants/calls/{call_id:int}": r("C O A", scoped=True),
    "GET /centre/grants": r("C O A"),
    "GET /centre/grants/applications/{application_id:int}/copy.pdf": r("C O A", scoped=True),
    "POST /centre/grants/applications/{application_id:int}/eligibility": r("C A", scoped=True),
    "GET /centre/grants/calls/{call_id:int}/export.xlsx": r("C O A", scoped=True),
    "GET /centre/grants/calls/{call_id:int}/export.csv": r("C O A", scoped=True),
    "GET /centre/grants/applications/{application_id:int}/files/{attachment_id:int}": r(
        "C O A", scoped=True
    ),
    "POST /municipality/calls/{call_id:int}": r("O A", scoped=True),
    "GET /municipality/calls/{call_id:int}": r("O A", scoped=True),
    "GET /municipality/calls": r("O A"),
    "POST /municipality/calls/{call_id:int}/{action:str}": r(
        "O A", scoped=True, params={"action": "=publish"}
    ),
    "GET /municipality/calls/new": r("O A"),
    "POST /municipality/calls/new": r("O A"),
    "POST /municipality/calls/{call_id:int}/partners": r("O A", scoped=True),
    "POST /api/v1/calls/{call_id:int}/assignments": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "PUT /api/v1/calls/{call_id:int}/committee": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /api/v1/assignments/{assignment_id:int}/conflict": r("V", scoped=True),
    "GET /api/v1/me/assignments": r("V"),
    "GET /api/v1/calls/{call_id:int}/ranking": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /api/v1/assignments/{assignment_id:int}/reopen": r("O A", scoped=True),
    "PUT /api/v1/assignments/{assignment_id:int}/scores": r("V", scoped=True),
    "POST /api/v1/assignments/{assignment_id:int}/submit": r("V", scoped=True),
    "POST /api/v1/applications/{application_id:int}/decision": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /api/v1/calls/{call_id:int}/recommendation": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /municipality/calls/{call_id:int}/evaluation/assign": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /municipality/calls/{call_id:int}/evaluation/committee": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "GET /municipality/calls/{call_id:int}/evaluation/applications/{application_id:int}": r(
        "O A", scoped=True
    ),
    "POST /municipality/calls/{call_id:int}/evaluation/applications/{application_id:int}": r(
        "O A", scoped=True
    ),
    "GET /municipality/calls/{call_id:int}/evaluation": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "GET /municipality/calls/{call_id:int}/evaluation/ranking": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /municipality/calls/{call_id:int}/evaluation/recommendation": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "POST /municipality/calls/{call_id:int}/evaluation/reopen/{assignment_id:int}": r(
        "O A", scoped=True
    ),
    "GET /municipality/calls/{call_id:int}/evaluation/what-if": r(
        "O A",
        scoped=True,
        params={"call_id": "evaluated_call_id", "application_id": "evaluated_application_id"},
    ),
    "GET /evaluator/assignments/{assignment_id:int}": r("V", scoped=True),
    "GET /evaluator/assignments": r("V"),
    "POST /evaluator/assignments/{assignment_id:int}/scores/autosave": r("V", scoped=True),
    "POST /evaluator/assignments/{assignment_id:int}/declaration": r("V", scoped=True),
    "POST /evaluator/assignments/{assignment_id:int}/scores": r("V", scoped=True),
    "POST /evaluator/assignments/{assignment_id:int}/submit": r("V", scoped=True),
    "GET /api/v1/reports/calls/{call_id:int}": r("O R A", scoped=True),
    "GET /api/v1/reports/municipalities/{municipality_id:int}": r("O R A", scoped=True),
    "GET /api/v1/reports/oblasts/{oblast:str}": r("R A", scoped=True, but={"O": 404}),
    "GET /reports/calls/{call_id:int}": r("O R A", scoped=True),
    "GET /reports": r("O R A"),
    "GET /reports/municipalities/{municipality_id:int}": r("O R A", scoped=True),
    "GET /reports/oblasts/{oblast:str}": r("R A", scoped=True, but={"O": 404}),
    "GET /api/v1/awards/{award_id:int}": r("*"),
    "GET /api/v1/awards": r("*"),
    "GET /open-data/{katottg:str}/grants.csv": r("*"),
    "GET /open-data/{katottg:str}/grants.json": r("*"),
    "GET /open-data": r("*"),
    "GET /grants": r("*"),
}


def route_keys(app: Litestar) -> list[str]:
    """ "METHOD path" of every handler of the app, but the static files and the docs."""
    keys = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(SKIPPED):
            continue
        for handler in route.route_handlers:
            keys += [
                f"{m} {route.path}" for m in sorted(handler.http_methods - {"OPTIONS", "HEAD"})
            ]
    return keys


def test_every_route_has_a_rule(app: Litestar) -> None:
    keys = set(route_keys(app))
    missing, stale = sorted(keys - RULES.keys()), sorted(RULES.keys() - keys)
    assert not missing, "routes without a rule in RULES (add one):\n" + "\n".join(missing)
    assert not stale, "rules for routes the app no longer has (remove them):\n" + "\n".join(stale)


@dataclass
class Case:
    key: str
    rule: Rule
    caller: str
    tenant: str  # "own" (Lviv) or "other" (Kyiv)
    path: str
    expected: str  # "ok", "login" (anonymous on a page), or the status refused with
    status: int = 0
    location: str = ""

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def passed(self) -> bool:
        if self.expected == "ok":
            if self.method in UNSAFE:  # a body the matrix does not craft may be refused
                return 0 < self.status < 500
            return 200 <= self.status < 400 or self.status in self.rule.ok
        if self.expected == "404" and self.method in UNSAFE:
            # Another's object: a write is refused once the service looks it up, or before,
            # when the body the matrix sends is refused first (400/422, or a page's redirect
            # back with a message); the database is checked unchanged either way.
            redirected = self.status == 303 and not self.location.startswith("/login")
            return self.status in (400, 404, 422) or redirected
        if self.expected == "login":
            return self.status == 401 or (
                300 <= self.status < 400 and self.location.startswith("/login")
            )
        return self.status == int(self.expected)


def _fill(path: str, rule: Rule, tenant: Tenant) -> str:
    def value(found: re.Match[str]) -> str:
        source = rule.params.get(found.group(1), found.group(1))
        return source[1:] if source.startswith("=") else str(tenant.ids[source])

    filled = re.sub(r"\{(\w+):\w+\}", value, path)
    query = re.sub(r"\{(\w+)\}", value, rule.query)
    return f"{filled}?{query}" if query else filled


def _names_an_object(path: str, rule: Rule) -> bool:
    names = re.findall(r"\{(\w+)[:}]", f"{path}?{rule.query}")
    return any(not rule.params.get(name, name).startswith("=") for name in names)


def _expected(rule: Rule, caller: str, tenant: str, is_api: bool) -> str:
    if not rule.allows(caller):
        if caller == ANONYMOUS:
            return "401" if is_api else "login"
        code = next(c for c, role in ROLE_CODES.items() if role.value == caller)
        if code not in rule.but:
            return str(rule.denied)
        # A reader of the object; on another municipality's object, one who finds nothing.
        other = tenant == "other" and rule.scoped and caller != Role.ADMIN.value
        return "404" if other else str(rule.but[code])
    if tenant == "other" and rule.scoped and caller != Role.ADMIN.value:
        return "404"
    return "ok"


def cases(app: Litestar, own: Tenant, other: Tenant) -> list[Case]:
    found = []
    for key in route_keys(app):
        rule = RULES[key]
        path = key.split(" ", 1)[1]
        tenants = (
            [("own", own), ("other", other)] if _names_an_object(path, rule) else [("own", own)]
        )
        for caller in CALLERS:
            for name, tenant in tenants:
                filled = _fill(path, rule, tenant)
                expected = _expected(rule, caller, name, filled.startswith("/api/"))
                found.append(Case(key, rule, caller, name, filled, expected))
    return found


# Written by any signed-in request, about once a minute: a slow run would see a refused write
# "change" a session's last use.
BOOKKEEPING = {"user_session": ("last_seen_at",)}


async def fingerprint(db: Database) -> dict[str, str]:
    """A digest of every row of every table the app writes: equal before and after means
    nothing changed."""
    names = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]

    def digest(name: str) -> str:
        row = "t::text"
        if bookkeeping := BOOKKEEPING.get(name):
            row = f"(to_jsonb(t) - ARRAY{list(bookkeeping)})::text"
        return f"md5(coalesce(string_agg({row}, '|' ORDER BY {row}), ''))"

    statement = " UNION ALL ".join(
        f"SELECT '{name}', {digest(name)} FROM \"{name}\" t"  # noqa: S608 - names from the models
        for name in [*names, "procrastinate_jobs"]
    )
    async with db.engine.connect() as conn:
        return {row[0]: row[1] for row in await conn.execute(text(statement))}


class Callers:
    """One test client, switched between the callers' cookie jars and bearer tokens (a
    second client would run the app's lifespan again)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.jars: dict[str, Any] = {}
        self.tokens: dict[str, dict[str, str]] = {}

    async def log_in(self, caller: str, email: str | None) -> None:
        self.client.cookies.clear()
        if email is None:
            await self.client.get("/login")  # the CSRF cookie, as a browser would have it
        else:
            response = await login_page(self.client, email)
            assert response.status_code in (302, 303), response.text
            self.tokens[caller] = await token_headers(self.client, email)
        self.jars[caller] = httpx.Cookies(self.client.cookies)

    async def send(self, case: Case) -> None:
        self.client.cookies = self.jars[case.caller]
        headers: dict[str, str] = {}
        if case.is_api:
            headers.update(self.tokens.get(case.caller, {}))
        elif case.method in UNSAFE:
            headers["x-csrftoken"] = csrf_token(self.client)
        response = await self.client.request(
            case.method, case.path, headers=headers, follow_redirects=False
        )
        case.status, case.location = response.status_code, response.headers.get("location", "")
        self.jars[case.caller] = httpx.Cookies(self.client.cookies)


def summary(all_cases: list[Case]) -> str:
    """Routes × callers: the status for own/other objects, a mismatch marked with "!"."""
    cells: dict[tuple[str, str], list[str]] = {}
    for case in all_cases:
        mark = "" if case.passed else "!"
        cells.setdefault((case.key, case.caller), []).append(f"{case.status}{mark}")
    keys = list(dict.fromkeys(case.key for case in all_cases))
    lines = [
        "| route | " + " | ".join(CALLERS) + " |",
        "|---|" + "---|" * len(CALLERS),
    ]
    lines += [
        f"| `{key}` | " + " | ".join("/".join(cells[(key, c)]) for c in CALLERS) + " |"
        for key in keys
    ]
    return "\n".join(lines)


ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.mark.usefixtures("fast_passwords")
async def test_access_matrix(
    app: Litestar,
    client: Client,
    session: AsyncSession,
    db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One test builds the world once (the tables are emptied after each test) and runs
    the whole matrix: safe reads, then the refused writes (the database must not change),
    then the allowed writes (never a 500), those ending a session last."""
    started = time.perf_counter()
    # Failed logins (the matrix posts empty forms) check a dummy hash: a cheap one too.
    monkeypatch.setattr(auth, "_DUMMY_HASH", auth.hash_password("a password nobody has"))
    for name in ("sme_hub.http", "httpx"):  # a log line per request: a tenth of the run
        monkeypatch.setattr(logging.getLogger(name), "level", logging.WARNING)
    own = await build_tenant(session, settings, LVIV, "Львівська громада", 0)
    other = await build_tenant(session, settings, KYIV, "Київська громада", 1)
    admin = await make_user(session, Role.ADMIN, email="admin@matrix.example.org")
    callers = Callers(client)
    await callers.log_in(ANONYMOUS, None)
    for role in ROLE_CODES.values():
        email = admin.email if role is Role.ADMIN else own.emails[role]
        await callers.log_in(role.value, email)

    all_cases = cases(app, own, other)
    reads = [c for c in all_cases if c.method not in UNSAFE]
    refused = [c for c in all_cases if c.method in UNSAFE and c.expected != "ok"]
    allowed = sorted(
        (c for c in all_cases if c.method in UNSAFE and c.expected == "ok"),
        key=lambda c: c.rule.last,
    )
    for case in reads:
        await callers.send(case)
    before = await fingerprint(db)
    for case in refused:
        await callers.send(case)
    after = await fingerprint(db)
    for case in allowed:
        await callers.send(case)

    table = summary(all_cases)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "access-matrix.md").write_text(
        f"# Access matrix ({len(all_cases)} requests, {time.perf_counter() - started:.1f} s)\n\n"
        "Status for Lviv's object / Kyiv's object; `!` where the rule expected otherwise.\n\n"
        f"{table}\n"
    )
    print(table)
    wrong = [
        f"{c.key} as {c.caller} on {c.tenant} ({c.path}): got {c.status}, expected {c.expected}"
        for c in all_cases
        if not c.passed
    ]
    changed = sorted(name for name in before if before[name] != after[name])
    assert not changed, f"refused writes changed tables: {changed}"
    assert not wrong, f"{len(wrong)} mismatches:\n" + "\n".join(wrong)
