"""Request and response shapes of accounts: registration, tokens, the current user."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from sme_hub.accounts.rules import password_problem
from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def checked_password(value: str, info: ValidationInfo) -> str:
    """Fields declared before the password (email, full name) are in `info.data`."""
    problem = password_problem(
        value, email=info.data.get("email", ""), full_name=info.data.get("full_name", "")
    )
    if problem:
        raise ValueError(problem)
    return value


class NewAccount(Strict):
    """Who a new account is for and its password (checked against the two)."""

    email: EmailStr
    full_name: str = Field(min_length=2, max_length=200)
    password: str = Field(max_length=200)

    @field_validator("email")
    @classmethod
    def lower_email(cls, value: str) -> str:
        return value.lower()

    @field_validator("password")
    @classmethod
    def password_is_strong(cls, value: str, info: ValidationInfo) -> str:
        return checked_password(value, info)


class RegisterRequest(NewAccount):
    phone: str | None = Field(default=None, max_length=40)
    locale: Literal["uk", "en"] = "uk"
    consent: bool

    @field_validator("consent")
    @classmethod
    def consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("You must agree to the processing of your personal data."))
        return value

    @field_validator("phone")
    @classmethod
    def empty_phone_is_none(cls, value: str | None) -> str | None:
        return value or None


class TokenRequest(Strict):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)
    otp: str | None = Field(
        default=None,
        max_length=40,
        description="The current code of the authenticator app, or a recovery code: "
        "required when two-factor sign-in is on",
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_at: datetime


class GrantRequest(Strict):
    role: Role
    organisation_id: int | None = Field(
        default=None, description="Municipality, centre or partner id, as the role needs"
    )
    oblast: str | None = Field(
        default=None, description="KATOTTG code of the oblast (regional_observer only)"
    )


class AdminUserCreate(NewAccount):
    locale: Literal["uk", "en"] = "uk"
    roles: list[GrantRequest] = Field(min_length=1)


class GrantRead(BaseModel):
    role: Role
    municipality_id: int | None
    centre_id: int | None
    partner_id: int | None
    oblast: str | None


class UserRead(BaseModel):
    id: int
    email: str
    full_name: str
    phone: str | None = None
    locale: str
    email_confirmed: bool
    roles: list[GrantRead]
    two_factor: bool = False


class ConfirmEmailRequest(Strict):
    token: str = Field(min_length=1, max_length=200)


class EmailConfirmedResponse(BaseModel):
    email_confirmed: bool = True


class RegistrationAccepted(BaseModel):
    """The answer to a registration: what was asked for, echoed, and what to do next. The same
    whether or not the address had an account, so it carries no id (a client reads the account
    with `GET /me` once it has a token)."""

    email: str
    full_name: str
    locale: str
    email_confirmed: bool = False
    detail: str


class PasswordResetRequest(Strict):
    email: EmailStr

    @field_validator("email")
    @classmethod
    def lower_email(cls, value: str) -> str:
        return value.lower()


class PasswordResetConfirm(Strict):
    """The password rules (they need the account's email and name) are checked on use."""

    token: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=200)
