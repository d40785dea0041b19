"""The routes of this feature, collected by the app."""

from sme_hub.accounts.account_pages import AccountAdminController, AccountPagesController
from sme_hub.accounts.controllers import AuthApiController, AuthPagesController
from sme_hub.accounts.two_factor_pages import TwoFactorAdminController, TwoFactorLoginController

routes = [
    AccountAdminController,
    AccountPagesController,
    AuthApiController,
    AuthPagesController,
    TwoFactorAdminController,
    TwoFactorLoginController,
]
