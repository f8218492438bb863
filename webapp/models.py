"""Kernel tables that belong to no sub-package: background jobs, idempotency keys and
institution settings."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db


class Job(db.Model):
    """A background job: its arguments, status, progress and result, kept after it ends."""

    __tablename__ = "webapp_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    args: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued", index=True)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict | list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyKey(db.Model):
    """A client's key for one creating request: a retry with the same key gets the same
    resource back instead of a second one. Unique per user; written in the same transaction
    as what it created."""

    __tablename__ = "webapp_idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_webapp_idempotency_key_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False
    )
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    scope: Mapped[str] = mapped_column(String(200), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, index=True
    )


class InstitutionSettings(TimestampMixin, db.Model):
    """The institution running this Fabrique: one row, edited by admins."""

    __tablename__ = "webapp_institution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="Fabrique")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    logo_path: Mapped[str | None] = mapped_column(String(300))
    map_center_lon: Mapped[float] = mapped_column(Float, nullable=False, default=3.8767)
    map_center_lat: Mapped[float] = mapped_column(Float, nullable=False, default=43.6108)
    map_zoom: Mapped[int] = mapped_column(Integer, nullable=False, default=13)
    tile_attribution: Mapped[str] = mapped_column(
        String(300),
        nullable=False,
        default="© OpenStreetMap contributors",
    )
