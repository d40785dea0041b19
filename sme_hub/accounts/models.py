"""Users, their roles in organisations, API tokens, one-time links, failed-login records and
two-factor recovery codes."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sme_hub.accounts.rules import ROLE_BINDING_SQL, TokenPurpose
from sme_hub.core.models import created_at_field, timestamp_field
from sme_hub.core.roles import Role

ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)
PURPOSE_VALUES = ", ".join(f"'{purpose.value}'" for purpose in TokenPurpose)


class UserBase(SQLModel):
    email: str = Field(max_length=320, unique=True)  # stored lower-cased
    full_name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    locale: str = Field(default="uk", max_length=5)


class User(UserBase, table=True):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
        sa.CheckConstraint("locale IN ('uk', 'en')", name="locale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    is_active: bool = Field(default=True)
    email_confirmed_at: datetime | None = timestamp_field()
    consent_at: datetime | None = timestamp_field()
    consent_version: str | None = Field(default=None, max_length=20)
    created_at: datetime = created_at_field()
    # Two-factor sign-in: the TOTP secret, Fernet-encrypted with a key derived from
    # SME_HUB_SECRET_KEY (a copy of the database alone cannot make codes). Set while setting
    # up; in force once `totp_enabled_at` is set.
    totp_secret: str | None = Field(default=None, max_length=300)
    totp_enabled_at: datetime | None = timestamp_field()
    # The time step of the last code accepted: a code is never accepted twice.
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code of two-factor sign-in; only its keyed hash is stored."""

    __tablename__ = "recovery_code"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class RoleAssignment(SQLModel, table=True):
    """A role a user holds, bound to the organisation the role needs (see rules.ROLE_BINDING)."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        sa.CheckConstraint(f"role IN ({ROLE_VALUES})", name="role"),
        sa.CheckConstraint(ROLE_BINDING_SQL, name="binding"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=30)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    centre_id: int | None = Field(default=None, foreign_key="support_centre.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    oblast: str | None = Field(default=None, max_length=19)
    created_at: datetime = created_at_field()


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, so a leaked table grants nothing."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_at: datetime = created_at_field()


class AccountToken(SQLModel, table=True):
    """A one-time link (email confirmation, password reset); only its SHA-256 is stored.
    Used once: `used_at` is set by a guarded UPDATE, never by reading then writing."""

    __tablename__ = "account_token"
    __table_args__ = (sa.CheckConstraint(f"purpose IN ({PURPOSE_VALUES})", name="purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class LoginFailure(SQLModel, table=True):
    """One failure (a wrong password or code), keyed by account, address, account at address
    and wrong codes of an account (rules.account_key and the others), for throttling."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_key_failed_at", "key", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400)
    failed_at: datetime = created_at_field()


class UserSession(SQLModel, table=True):
    """A signed-in browser session. The signed cookie carries a random id; this row keeps
    only its SHA-256, so deleting the row ends the session at once (logout, a password
    change, "sign out everywhere", an administrator's deactivation)."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    sid_hash: str = Field(max_length=64, unique=True)
    user_agent: str = Field(default="", max_length=300)
    client_address: str = Field(default="", max_length=64)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
