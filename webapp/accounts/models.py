"""Accounts: users, their roles, departments and personal API tokens."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db

RESIDENT, ORGANISER, MODERATOR, DATA_STEWARD, ADMIN = (
    "resident",
    "organiser",
    "moderator",
    "data_steward",
    "admin",
)
ROLES = (RESIDENT, ORGANISER, MODERATOR, DATA_STEWARD, ADMIN)
STAFF_ROLES = frozenset({ORGANISER, MODERATOR, DATA_STEWARD, ADMIN})


class Department(TimestampMixin, db.Model):
    """One of the institution's services (e.g. Direction des espaces verts)."""

    __tablename__ = "webapp_department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name_fr: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)

    def name(self, locale):
        return self.name_en if locale == "en" else self.name_fr


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "webapp_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_email: Mapped[str | None] = mapped_column(String(254))
    licence_version: Mapped[str] = mapped_column(String(40), nullable=False)
    licence_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL"), index=True
    )
    # Changing it logs out every session (password change, "log out everywhere").
    session_token: Mapped[str] = mapped_column(
        String(64), nullable=False, default=lambda: secrets.token_hex(16)
    )
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Manages their department: sees colleagues' fields shown to "the hierarchy".
    is_manager: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    # Set when the person erased their account: personal data is gone, contributions stay.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship(lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self):
        return {row.role for row in self.role_rows} | {RESIDENT}

    def has_role(self, role):
        return role in self.roles

    @property
    def is_staff(self):
        """Staff hold a staff role or belong to one of the institution's departments."""
        return bool(self.roles & STAFF_ROLES) or self.department_id is not None

    @property
    def is_active(self):
        return self.is_active_account

    @property
    def email_confirmed(self):
        return self.email_confirmed_at is not None

    def get_id(self):
        return f"{self.id}:{self.session_token}"


class UserRole(db.Model):
    __tablename__ = "webapp_user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(30), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A personal token for scripts; only its hash is stored."""

    __tablename__ = "webapp_api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
