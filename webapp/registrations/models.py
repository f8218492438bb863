"""A registration list (one per event with a capacity) and the registrations on it."""

from datetime import datetime

from geoalchemy2 import Geometry, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db import TimestampMixin, UTCDateTime
from webapp.extensions import db

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"


class RegistrationList(TimestampMixin, db.Model):
    """The capacity side of an event; domain packages point at it from their own tables.

    `confirmed_count` is the locked counter that guarantees capacity: it only changes
    while the row is locked, and a CHECK constraint backs it up.
    """

    __tablename__ = "webapp_registration_list"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_positive"),
        CheckConstraint(
            "confirmed_count >= 0 AND confirmed_count <= capacity", name="within_capacity"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="event")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    address: Mapped[str | None] = mapped_column(String(300))
    # Meeting point, WGS 84, longitude first.
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    online_url: Mapped[str | None] = mapped_column(String(500))
    page_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    confirmed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Unlisted lists (a draft workshop's sessions) stay off the agenda and their pages.
    listed: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    managers: Mapped[list["RegistrationManager"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def lon(self):
        return to_shape(self.location).x if self.location is not None else None

    @property
    def lat(self):
        return to_shape(self.location).y if self.location is not None else None

    def set_location(self, lon, lat):
        self.location = (
            None if lon is None else WKTElement(f"POINT({float(lon)} {float(lat)})", srid=4326)
        )

    @property
    def seats_left(self):
        return max(0, self.capacity - self.confirmed_count)


class RegistrationManager(db.Model):
    """An organiser who may see and manage the attendees of a list."""

    __tablename__ = "webapp_registration_manager"
    __table_args__ = (UniqueConstraint("list_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_registration_list.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )


class Registration(TimestampMixin, db.Model):
    __tablename__ = "webapp_registration"
    __table_args__ = (
        UniqueConstraint("list_id", "user_id"),
        Index("ix_webapp_registration_waitlist", "list_id", "status", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_registration_list.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)

    registration_list: Mapped[RegistrationList] = relationship()
    user: Mapped[User] = relationship()
