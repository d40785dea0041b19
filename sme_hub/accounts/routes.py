"""The routes of this feature, collected by the app."""

from sme_hub.accounts.api import AccountAdminController, AuthApiController, TwoFactorAdminController
from sme_hub.accounts.pages.account import AccountPagesController
from sme_hub.accounts.pages.admin import AccountAdminPagesController
from sme_hub.accounts.pages.public import AuthPagesController, TwoFactorLoginController

routes = [
    AccountAdminController,
    AccountAdminPagesController,
    AccountPagesController,
    AuthApiController,
    AuthPagesController,
    TwoFactorAdminController,
    TwoFactorLoginController,
]
