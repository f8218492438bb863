"""The moderation pipeline's tables: submissions, their audit trail, reasons, flags; and
dataset requests, the first kind of submission."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import Department, User
from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
CHANGES_REQUESTED, DUPLICATE, WITHDRAWN = "changes_requested", "duplicate", "withdrawn"
STATUSES = (PENDING, APPROVED, REJECTED, CHANGES_REQUESTED, DUPLICATE, WITHDRAWN)
FLAG_REASONS = ("spam", "abusive", "wrong", "personal_data")


class Submission(TimestampMixin, db.Model):
    """One contribution in the moderation pipeline, whatever its kind."""

    __tablename__ = "crowdsourcing_submission"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        # Keyset pagination of the inbox: oldest first within a status.
        Index("ix_crowdsourcing_submission_inbox", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    submitter_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL"), index=True
    )
    # What the submission belongs to (an inventory, an event…), for the inbox filter.
    context: Mapped[str | None] = mapped_column(String(80), index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_reject_reason.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_submission.id", ondelete="SET NULL")
    )
    duplicate_hint_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_submission.id", ondelete="SET NULL")
    )
    flag_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    submitter: Mapped[User | None] = relationship(foreign_keys=[submitter_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    department: Mapped[Department | None] = relationship()
    reason: Mapped["RejectReason | None"] = relationship()


class SubmissionEvent(db.Model):
    """An immutable line of a submission's history: who did what, from which status to which."""

    __tablename__ = "crowdsourcing_submission_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_submission.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, index=True
    )

    actor: Mapped[User | None] = relationship()


class RejectReason(TimestampMixin, db.Model):
    """A reason moderators pick when rejecting, in French and English, edited by admins."""

    __tablename__ = "crowdsourcing_reject_reason"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    text_fr: Mapped[str] = mapped_column(String(300), nullable=False)
    text_en: Mapped[str] = mapped_column(String(300), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def text(self, locale):
        return self.text_en if locale == "en" else self.text_fr


class Flag(db.Model):
    """A member reports a published item; enough flags hide it until a moderator reviews."""

    __tablename__ = "crowdsourcing_flag"
    __table_args__ = (UniqueConstraint("submission_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_submission.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("webapp_user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModerationSettings(TimestampMixin, db.Model):
    """Admins' settings of the pipeline (one row)."""

    __tablename__ = "crowdsourcing_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    claim_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)


class DatasetRequest(TimestampMixin, db.Model):
    """A member asks the institution to open a dataset."""

    __tablename__ = "crowdsourcing_dataset_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    intended_use: Mapped[str | None] = mapped_column(Text)
    wished_format: Mapped[str | None] = mapped_column(String(80))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL")
    )
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )

    department: Mapped[Department | None] = relationship()
    requester: Mapped[User | None] = relationship()


class DatasetRequestSupport(db.Model):
    """“I need this too”: one per member and request."""

    __tablename__ = "crowdsourcing_dataset_request_support"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_dataset_request.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


# --- the dataset backlog ----------------------------------------------------------------------

PROPOSED, QUALIFIED, NEGOTIATING, PREPARING = "proposed", "qualified", "negotiating", "preparing"
PUBLISHED, DECLINED, POSTPONED = "published", "declined", "postponed"
BACKLOG_STATUSES = (PROPOSED, QUALIFIED, NEGOTIATING, PREPARING, PUBLISHED, DECLINED, POSTPONED)
BACKLOG_FINAL = (PUBLISHED, DECLINED)
PRIORITIES = ("low", "normal", "high")
LICENCES = ("etalab-2.0", "odbl", "cc-by-4.0", "restricted")
DECLINE_REASONS = ("cannot_release", "exists_elsewhere", "requester_withdrew", "other")


class BacklogItem(TimestampMixin, db.Model):
    """A dataset the institution may open, with its demand coming from linked evidence."""

    __tablename__ = "crowdsourcing_backlog_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL"), index=True
    )
    steward_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    formats: Mapped[str | None] = mapped_column(String(200))
    licence: Mapped[str | None] = mapped_column(String(20))
    licence_conditions: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), nullable=False, default="normal")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PROPOSED, index=True)
    # When the current status should be left behind; optional.
    due_date: Mapped[date | None] = mapped_column(Date)
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    decline_text: Mapped[str | None] = mapped_column(Text)
    decline_link: Mapped[str | None] = mapped_column(String(500))
    postponed_until: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    # The identifier of the catalogue row it was imported from, so a re-import updates it.
    source_identifier: Mapped[str | None] = mapped_column(String(200), unique=True)

    department: Mapped[Department | None] = relationship()
    steward: Mapped[User | None] = relationship(foreign_keys=[steward_id])


class BacklogEvidence(db.Model):
    """A submission that backs a backlog item: linked, never copied."""

    __tablename__ = "crowdsourcing_backlog_evidence"
    __table_args__ = (UniqueConstraint("item_id", "submission_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_backlog_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_submission.id", ondelete="CASCADE"), nullable=False, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    submission: Mapped[Submission] = relationship()
    item: Mapped[BacklogItem] = relationship()


class BacklogTransition(db.Model):
    """An immutable line of a backlog item's history."""

    __tablename__ = "crowdsourcing_backlog_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_backlog_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("webapp_user.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor: Mapped[User | None] = relationship()


# --- the dataset catalogue --------------------------------------------------------------------

CATALOGUE_LICENCES = (*LICENCES, "other")
FREQUENCIES = ("daily", "weekly", "monthly", "annual", "irregular")


class Dataset(TimestampMixin, db.Model):
    """A published dataset of the catalogue, imported or made from a published backlog item."""

    __tablename__ = "crowdsourcing_dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    slug: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL"), index=True
    )
    publisher: Mapped[str | None] = mapped_column(String(200))
    licence: Mapped[str | None] = mapped_column(String(20), index=True)
    # The licence as the source wrote it (the 2014 file says Etalab v1, mapped to 2.0).
    licence_source: Mapped[str | None] = mapped_column(String(300))
    themes: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    keywords: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    # Formats announced without a resource yet (a dataset made from a backlog item).
    declared_formats: Mapped[str | None] = mapped_column(String(200))
    frequency: Mapped[str | None] = mapped_column(String(20))
    coverage: Mapped[str | None] = mapped_column(String(200))
    issued: Mapped[date | None] = mapped_column(Date)
    modified: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(60), nullable=False, default="manual")
    backlog_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_backlog_item.id", ondelete="SET NULL"), unique=True
    )

    department: Mapped[Department | None] = relationship()
    backlog_item: Mapped[BacklogItem | None] = relationship()
    resources: Mapped[list["DatasetResource"]] = relationship(
        back_populates="dataset",
        cascade="all, delete-orphan",
        order_by="DatasetResource.position",
    )

    @property
    def formats(self):
        declared = [f.strip() for f in (self.declared_formats or "").split(",") if f.strip()]
        return sorted({r.format for r in self.resources if r.format} | set(declared))


class DatasetResource(db.Model):
    """A file or page of a dataset: where to get it, in which format."""

    __tablename__ = "crowdsourcing_dataset_resource"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_dataset.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    url: Mapped[str] = mapped_column(String(1000), nullable=False)
    format: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(300))

    dataset: Mapped[Dataset] = relationship(back_populates="resources")


# --- comments ---------------------------------------------------------------------------------

COMMENT_TARGETS = ("dataset_request", "backlog_item", "dataset")


class Comment(db.Model):
    """A member's comment on a dataset request, a backlog item or a catalogue dataset.

    Post-moderated: shown at once, its submission queued for review; rejected or hidden
    after reports, it leaves the pages."""

    __tablename__ = "crowdsourcing_comment"
    __table_args__ = (Index("ix_crowdsourcing_comment_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    author: Mapped[User | None] = relationship()
