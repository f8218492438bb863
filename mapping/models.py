"""Inventories, their features and revisions, photos, mapping parties and their task cells.

Geometry is WGS 84 (EPSG:4326), longitude first. A feature keeps two geometries: `geom`,
the exact one, and `public_geom`, what anyone who is not staff may see (the same geometry,
or the centre of a coarse grid cell when the feature is sensitive). `public_properties`
does the same for attributes. Both are computed in `mapping.services.visibility` only.
"""

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import Department, User
from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db
from webapp.registrations.models import RegistrationList

Json = JSON().with_variant(JSONB(), "postgresql")

# Inventory status
DRAFT, OPEN, CLOSED, ARCHIVED = "draft", "open", "closed", "archived"
INVENTORY_STATUSES = (DRAFT, OPEN, CLOSED, ARCHIVED)
PRE, POST = "pre", "post"
GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
LICENCES = ("odbl", "lo-2.0", "cc-by-4.0")

# Feature status (mirrors its submission, plus what the pipeline does not know)
PENDING, PUBLISHED, CHANGES_REQUESTED = "pending", "published", "changes_requested"
REJECTED, HIDDEN, REMOVED = "rejected", "hidden", "removed"
FEATURE_STATUSES = (PENDING, PUBLISHED, CHANGES_REQUESTED, REJECTED, HIDDEN, REMOVED)

# Task cell status
TASK_OPEN, TASK_CLAIMED, TASK_DONE, TASK_VALIDATED = "open", "claimed", "done", "validated"
TASK_STATUSES = (TASK_OPEN, TASK_CLAIMED, TASK_DONE, TASK_VALIDATED)


class Inventory(TimestampMixin, db.Model):
    """A participatory map inventory: its area, licence, moderation mode and form schema."""

    __tablename__ = "mapping_inventory"
    __table_args__ = (
        CheckConstraint("moderation_mode IN ('pre', 'post')", name="moderation_mode_known"),
        CheckConstraint("generalise_m >= 100", name="generalise_coarse"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    theme: Mapped[str] = mapped_column(String(40), nullable=False, default="other")
    description: Mapped[str | None] = mapped_column(Text)
    area = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    # Comma-separated subset of GEOMETRY_TYPES.
    geometry_types: Mapped[str] = mapped_column(String(60), nullable=False, default="Point")
    licence: Mapped[str] = mapped_column(String(20), nullable=False, default="odbl")
    attribution: Mapped[str | None] = mapped_column(String(300))
    moderation_mode: Mapped[str] = mapped_column(String(4), nullable=False, default=PRE)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=DRAFT, index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL"), index=True
    )
    form_schema: Mapped[dict] = mapped_column(Json, nullable=False, default=dict)
    # Side of the grid cell a sensitive position is generalised to, in metres.
    generalise_m: Mapped[int] = mapped_column(Integer, nullable=False, default=1000)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )

    department: Mapped[Department | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def allowed_types(self):
        return tuple(t for t in self.geometry_types.split(",") if t)

    @property
    def fields(self):
        return list((self.form_schema or {}).get("fields", []))


class Feature(db.Model):
    """One mapped thing: a point, line or area with attributes following the inventory's form."""

    __tablename__ = "mapping_feature"
    __table_args__ = (
        Index("ix_mapping_feature_inventory_status", "inventory_id", "status", "id"),
        # The newest features of an inventory's page, without sorting all of them.
        Index("ix_mapping_feature_latest", "inventory_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inventory_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_inventory.id", ondelete="CASCADE"), nullable=False
    )
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    public_geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    # Centre of public_geom, for server-side clustering without geometry functions.
    public_lon: Mapped[float] = mapped_column(Float, nullable=False)
    public_lat: Mapped[float] = mapped_column(Float, nullable=False)
    geometry_type: Mapped[str] = mapped_column(String(12), nullable=False)
    properties: Mapped[dict] = mapped_column(Json, nullable=False, default=dict)
    public_properties: Mapped[dict] = mapped_column(Json, nullable=False, default=dict)
    is_sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    confirmations: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    party_id: Mapped[int | None] = mapped_column(
        ForeignKey("mapping_party.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    # Where the feature came from when imported (import run id and source row).
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("mapping_import.id", ondelete="SET NULL"), index=True
    )
    source_ref: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    inventory: Mapped[Inventory] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


# Zoom levels of the map grid: cells of 360 / 2**level degrees (level 15: about 0.011°,
# a kilometre; level 18: about 0.0014°, 150 m). The database triggers of migration
# 0012_map_grid keep them and must list the same levels.
GRID_LEVELS = (15, 18)


class MapCell(db.Model):
    """How many published features of an inventory have their public centre in one grid
    cell, and the sum of their positions: what the zoomed-out map reads instead of the
    features. Kept by database triggers on mapping_feature, in the same transaction;
    `mapping.services.map_grid.rebuild` recomputes it after raw bulk loads."""

    __tablename__ = "mapping_map_cell"

    inventory_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_inventory.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    sum_lon: Mapped[float] = mapped_column(Float, nullable=False)
    sum_lat: Mapped[float] = mapped_column(Float, nullable=False)


class FeatureRevision(db.Model):
    """A snapshot of a feature after each change: who, when, what changed."""

    __tablename__ = "mapping_feature_revision"
    __table_args__ = (UniqueConstraint("feature_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_feature.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("webapp_user.id", ondelete="SET NULL"))
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False)
    properties: Mapped[dict] = mapped_column(Json, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    # Keys whose value changed, and whether the geometry moved.
    changed: Mapped[list] = mapped_column(Json, nullable=False, default=list)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor: Mapped[User | None] = relationship()


class FeatureConfirmation(db.Model):
    """A member saw the feature too; one per member."""

    __tablename__ = "mapping_feature_confirmation"
    __table_args__ = (UniqueConstraint("feature_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_feature.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DuplicateHint(db.Model):
    """A likely duplicate found by the job: same inventory, a few metres away, similar key."""

    __tablename__ = "mapping_duplicate_hint"
    __table_args__ = (UniqueConstraint("feature_id", "other_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_feature.id", ondelete="CASCADE"), nullable=False
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_feature.id", ondelete="CASCADE"), nullable=False
    )
    distance_m: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Photo(db.Model):
    """A checked, EXIF-free photo attached to a feature through one of its photo fields."""

    __tablename__ = "mapping_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_feature.id", ondelete="CASCADE"), nullable=False, index=True
    )
    field_key: Mapped[str] = mapped_column(String(40), nullable=False)
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    path: Mapped[str] = mapped_column(String(200), nullable=False)
    thumb_path: Mapped[str | None] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ImportRun(TimestampMixin, db.Model):
    """One import of a file into an inventory, with its mapping and its report."""

    __tablename__ = "mapping_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inventory_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_inventory.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("webapp_user.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False)
    # The stored upload, relative to UPLOAD_DIR (kept until the import is deleted).
    path: Mapped[str] = mapped_column(String(200), nullable=False)
    options: Mapped[dict] = mapped_column(Json, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    job_id: Mapped[str | None] = mapped_column(String(32))
    accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    report_path: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)

    inventory: Mapped[Inventory] = relationship()


class PartyInventory(db.Model):
    __tablename__ = "mapping_party_inventory"
    __table_args__ = (UniqueConstraint("party_id", "inventory_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_party.id", ondelete="CASCADE"), nullable=False
    )
    inventory_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_inventory.id", ondelete="CASCADE"), nullable=False, index=True
    )


class MappingParty(TimestampMixin, db.Model):
    """A cartopartie: when and where, who registers (shared registrations), its task cells."""

    __tablename__ = "mapping_party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    registration_list_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_registration_list.id", ondelete="RESTRICT"), nullable=False
    )
    area = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    # Minutes a claim on a task cell lasts.
    claim_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )

    registration_list: Mapped[RegistrationList] = relationship(lazy="joined")
    validators: Mapped[list["PartyValidator"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    inventories: Mapped[list[Inventory]] = relationship(
        secondary="mapping_party_inventory", order_by="Inventory.title", viewonly=True
    )

    @property
    def title(self):
        return self.registration_list.title


class PartyValidator(db.Model):
    """An experienced participant an organiser trusts to validate or reopen task cells."""

    __tablename__ = "mapping_party_validator"
    __table_args__ = (UniqueConstraint("party_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_party.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )


class Task(db.Model):
    """A cell of a party's area that a participant claims, maps, and someone validates."""

    __tablename__ = "mapping_task"
    __table_args__ = (UniqueConstraint("party_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_party.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    geom = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=True), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=TASK_OPEN)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    validated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])


class TaskEvent(db.Model):
    """The history of a task cell: claimed, released, done, validated, reopened."""

    __tablename__ = "mapping_task_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_task.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("webapp_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
