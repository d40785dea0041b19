"""Grant pages for the public and applicants: open calls, applying, drafts with autosave,
attachments, submission, "My applications"."""

from litestar import Controller


class GrantPagesController(Controller):
    include_in_schema = False
