"""Where each role's work is: the landing page after signing in and the header's menus."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_hub.core.navigation import PUBLIC, ROLE_ORDER, WORK, header, landing_path
from sme_hub.core.roles import Role

LANDINGS = {
    Role.ENTREPRENEUR: "/me",
    Role.CENTRE_STAFF: "/centre/clients",
    Role.EVALUATOR: "/evaluator/assignments",
    Role.MUNICIPAL_OFFICER: "/municipality/calls",
    Role.PARTNER: "/partner/referrals",
    Role.REGIONAL_OBSERVER: "/reports",
    Role.ADMIN: "/admin",
}


@pytest.mark.parametrize(("role", "path"), LANDINGS.items())
def test_each_role_lands_on_its_work(role: Role, path: str) -> None:
    assert landing_path({role}) == path


@pytest.mark.parametrize(
    ("roles", "path"),
    [
        ({Role.ENTREPRENEUR, Role.EVALUATOR}, "/evaluator/assignments"),
        ({Role.CENTRE_STAFF, Role.EVALUATOR}, "/centre/clients"),
        ({Role.MUNICIPAL_OFFICER, Role.ADMIN}, "/admin"),
        ({Role.PARTNER, Role.REGIONAL_OBSERVER, Role.ENTREPRENEUR}, "/partner/referrals"),
        (set(), "/"),
    ],
)
def test_several_roles_land_on_the_work_of_the_first_in_the_fixed_order(
    roles: set[Role], path: str
) -> None:
    assert landing_path(roles) == path


def test_every_role_has_its_work_and_its_place_in_the_order() -> None:
    assert set(ROLE_ORDER) == set(Role) == set(WORK)


def test_the_officer_has_one_work_menu_of_distinct_links() -> None:
    menus = header({Role.MUNICIPAL_OFFICER}, "/municipality/calls")

    [work] = menus.work
    assert len(work.links) <= 7
    labels = [link.label for link in (*work.links, *menus.public)]
    assert len(labels) == len(set(labels))
    assert [link.path for link in work.links if link.current] == ["/municipality/calls"]


def test_a_page_two_roles_share_is_listed_once_under_the_first() -> None:
    menus = header({Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER}, "/")

    officer, staff = menus.work
    assert officer.title == WORK[Role.MUNICIPAL_OFFICER].title
    assert "/centre/grants" in [link.path for link in officer.links]
    assert [link.path for link in staff.links] == ["/centre/training", "/centre/referrals"]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/me", "/me"),
        ("/me/business/details", "/me"),  # the cabinet covers the business pages
        ("/me/applications/7", "/me/applications"),  # the closest link wins, not "/me"
        ("/courses", "/courses"),
        ("/calls/3", "/calls"),
        ("/grants", "/grants"),
        ("/", None),
        ("/messages", None),  # not under /me
    ],
)
def test_the_link_that_covers_the_page_most_closely_is_current(
    path: str, current: str | None
) -> None:
    menus = header({Role.ENTREPRENEUR}, path)

    links = [*menus.work[0].links, *menus.public]
    assert [link.path for link in links if link.current] == ([current] if current else [])


def test_a_visitor_sees_only_the_public_pages() -> None:
    menus = header(set(), "/partners/4")
    assert menus.work == ()
    assert [link.path for link in menus.public if link.current] == ["/partners"]
    assert menus.public == header((), "/partners/4").public
    assert [link.path for link in PUBLIC] == ["/courses", "/calls", "/partners", "/grants"]


@given(
    roles=st.sets(st.sampled_from(list(Role))),
    path=st.sampled_from(
        ["/", "/me", "/me/referrals", "/centre/grants/assist", "/reports/calls/1", "/audit"]
    )
    | st.text(alphabet="/abcmeuntri", max_size=20),
)
def test_the_header_lists_each_page_once_and_marks_at_most_one(roles: set[Role], path: str) -> None:
    menus = header(roles, path)

    links = [*(link for menu in menus.work for link in menu.links), *menus.public]
    assert len({link.path for link in links}) == len(links)
    assert sum(link.current for link in links) <= 1
    assert all(menu.links for menu in menus.work)
    # Every role's own work is reachable, though a menu whose pages an earlier role already
    # lists (an observer who is also an admin) is left out.
    assert {WORK[role].links[0].path for role in roles} <= {link.path for link in links}
    assert len(menus.work) <= len(roles)
