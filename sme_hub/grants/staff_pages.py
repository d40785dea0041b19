"""Grant pages for staff: officers' calls (create, publish, amend, close), centre staff's
screening of applications, assisted filing."""

from litestar import Controller


class GrantStaffPagesController(Controller):
    include_in_schema = False
