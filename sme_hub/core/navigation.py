"""Where each role's work is: the header's work menus, its public links, and the page a
person lands on after signing in. Pure data and functions (no I/O), shared by the templates
and the login."""

from collections.abc import Collection
from dataclasses import dataclass

from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role


@dataclass(frozen=True)
class Link:
    path: str
    label: str  # a msgid: the template translates it
    current: bool = False


@dataclass(frozen=True)
class Menu:
    title: str  # a msgid, named by the role's work
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Header:
    work: tuple[Menu, ...]
    public: tuple[Link, ...]


# A person with several roles lands on the work of the first of theirs in this order, and
# sees their menus in it: the broadest responsibility first, the entrepreneur's own business
# (the role everyone who registers has) last.
ROLE_ORDER: tuple[Role, ...] = (
    Role.ADMIN,
    Role.MUNICIPAL_OFFICER,
    Role.CENTRE_STAFF,
    Role.EVALUATOR,
    Role.PARTNER,
    Role.REGIONAL_OBSERVER,
    Role.ENTREPRENEUR,
)

# Each role's work; its first link is where the role lands after signing in. Names are
# chosen so that no two links of the header read alike.
WORK: dict[Role, Menu] = {
    Role.ADMIN: Menu(
        N_("Administration"),
        (
            Link("/admin", N_("Users and organisations")),
            Link("/reports", N_("Dashboards")),
            Link("/audit", N_("History")),
        ),
    ),
    Role.MUNICIPAL_OFFICER: Menu(
        N_("Grant programme"),
        (
            Link("/municipality/calls", N_("Calls")),
            Link("/centre/grants", N_("Applications")),
            Link("/municipality/grants", N_("Grant implementation")),
            Link("/centre/clients", N_("Clients")),
            Link("/reports", N_("Dashboards")),
            Link("/audit", N_("History")),
        ),
    ),
    Role.CENTRE_STAFF: Menu(
        N_("Business support centre"),
        (
            Link("/centre/clients", N_("Clients")),
            Link("/centre/training", N_("Training")),
            Link("/centre/grants", N_("Applications")),
            Link("/centre/referrals", N_("Referrals")),
        ),
    ),
    Role.EVALUATOR: Menu(N_("Evaluation"), (Link("/evaluator/assignments", N_("My evaluations")),)),
    Role.PARTNER: Menu(N_("Partner organisation"), (Link("/partner/referrals", N_("Referrals")),)),
    Role.REGIONAL_OBSERVER: Menu(N_("Monitoring"), (Link("/reports", N_("Dashboards")),)),
    Role.ENTREPRENEUR: Menu(
        N_("My business"),
        (
            Link("/me", N_("My cabinet")),
            Link("/me/applications", N_("My applications")),
            Link("/me/referrals", N_("My referrals")),
        ),
    ),
}

PUBLIC: tuple[Link, ...] = (
    Link("/courses", N_("Courses")),
    Link("/calls", N_("Grants")),
    Link("/partners", N_("Partners")),
    Link("/grants", N_("Winners")),
)


def _ordered(roles: Collection[str]) -> list[Role]:
    return [role for role in ROLE_ORDER if role in roles]


def landing_path(roles: Collection[str]) -> str:
    """Where a person lands after signing in: the first page of the work of their first
    role in ROLE_ORDER; the home page for someone without a role."""
    ordered = _ordered(roles)
    return WORK[ordered[0]].links[0].path if ordered else "/"


def _covers(link_path: str, path: str) -> bool:
    return path == link_path or path.startswith(link_path.rstrip("/") + "/")


def header(roles: Collection[str], path: str) -> Header:
    """The header's menus for these roles on the page at `path`: one work menu per role (a
    page two roles share is listed once, under the first), the public links, and the one
    link that covers the page most closely marked current."""
    seen: set[str] = set()
    work: list[Menu] = []
    for role in _ordered(roles):
        menu = WORK[role]
        links = tuple(link for link in menu.links if link.path not in seen)
        seen.update(link.path for link in links)
        if links:
            work.append(Menu(menu.title, links))
    covering = [
        link.path
        for link in (*PUBLIC, *(link for menu in work for link in menu.links))
        if _covers(link.path, path)
    ]
    current = max(covering, key=len, default=None)

    def mark(links: tuple[Link, ...]) -> tuple[Link, ...]:
        return tuple(Link(link.path, link.label, link.path == current) for link in links)

    return Header(
        work=tuple(Menu(menu.title, mark(menu.links)) for menu in work), public=mark(PUBLIC)
    )
