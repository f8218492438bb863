"""Co-design workshops: sessions (each with a registration list), registration answers,
ideas with their comments and dot votes, themes and requirements."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import Department, User
from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db
from webapp.registrations.models import RegistrationList

DRAFT, OPEN, CLOSED, ARCHIVED = "draft", "open", "closed", "archived"
STATUSES = (DRAFT, OPEN, CLOSED, ARCHIVED)
IDEA, NEED, PAIN_POINT = "idea", "need", "pain_point"
CATEGORIES = (IDEA, NEED, PAIN_POINT)
PRIORITIES = ("must", "should", "could", "wont")  # MoSCoW
# Questions an organiser may add to the registration form; answers are free text.
QUESTIONS = ("diet", "accessibility", "childcare", "other")


class Workshop(TimestampMixin, db.Model):
    """A series of sessions about one question, producing a requirements document."""

    __tablename__ = "workshops_workshop"
    __table_args__ = (
        CheckConstraint("dots_per_participant BETWEEN 1 AND 50", name="dots_in_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    question: Mapped[str] = mapped_column(String(500), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    audience: Mapped[str | None] = mapped_column(Text)
    accessibility: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT, index=True)
    dots_per_participant: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    # Inventories live in another package: they are linked by their public address.
    inventory_urls: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    # Enabled keys of QUESTIONS, in the order they are asked.
    questions: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    requirements_intro: Mapped[str | None] = mapped_column(Text)
    requirements_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The purge of registration answers, once the workshop is over: when, and how many.
    answers_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers_purged_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    department: Mapped[Department | None] = relationship()
    facilitators: Mapped[list["Facilitator"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    backlog_links: Mapped[list["BacklogLink"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_published(self):
        return self.status != DRAFT


class Facilitator(db.Model):
    __tablename__ = "workshops_facilitator"
    __table_args__ = (UniqueConstraint("workshop_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )

    user: Mapped[User] = relationship(lazy="joined")


class BacklogLink(db.Model):
    """A dataset of the open-data backlog the workshop is about."""

    __tablename__ = "workshops_backlog_link"
    __table_args__ = (UniqueConstraint("workshop_id", "backlog_item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False
    )
    backlog_item_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_backlog_item.id", ondelete="CASCADE"), nullable=False, index=True
    )


class WorkshopSession(TimestampMixin, db.Model):
    """One meeting of a workshop; time, place and capacity live in its registration list."""

    __tablename__ = "workshops_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False, index=True
    )
    registration_list_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_registration_list.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    agenda: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)

    workshop: Mapped[Workshop] = relationship()
    registration_list: Mapped[RegistrationList] = relationship(lazy="joined")
    materials: Mapped[list["Material"]] = relationship(
        cascade="all, delete-orphan", order_by="Material.id", lazy="selectin"
    )

    @property
    def starts_at(self):
        return self.registration_list.starts_at

    @property
    def ends_at(self):
        return self.registration_list.ends_at


class Material(db.Model):
    """A link or an uploaded file for a session (slides, a plan, a handout)."""

    __tablename__ = "workshops_material"
    __table_args__ = (CheckConstraint("(url IS NULL) <> (file_name IS NULL)", name="link_or_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_session.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(100))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class RegistrationAnswers(TimestampMixin, db.Model):
    """A participant's answers to the workshop's registration questions.

    Seen by the workshop's organisers and facilitators only; purged once the workshop ends."""

    __tablename__ = "workshops_registration_answers"
    __table_args__ = (UniqueConstraint("workshop_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    answers: Mapped[dict] = mapped_column(db.JSON, nullable=False, default=dict)

    user: Mapped[User] = relationship()


class Theme(db.Model):
    """A group of ideas named by the facilitators."""

    __tablename__ = "workshops_theme"
    __table_args__ = (UniqueConstraint("workshop_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Idea(db.Model):
    """An idea, a need or a pain point posted by a participant (post-moderated)."""

    __tablename__ = "workshops_idea"
    __table_args__ = (Index("ix_workshops_idea_workshop", "workshop_id", "hidden", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops_session.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # WGS 84, longitude first.
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    photo_name: Mapped[str | None] = mapped_column(String(100))
    needs_data: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The dataset request it became (crowdsourcing_dataset_request.id).
    dataset_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_dataset_request.id", ondelete="SET NULL"), unique=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops_theme.id", ondelete="SET NULL"), index=True
    )
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author: Mapped[User | None] = relationship()
    theme: Mapped[Theme | None] = relationship()

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


class IdeaComment(db.Model):
    """A comment on an idea (post-moderated, like the idea)."""

    __tablename__ = "workshops_idea_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_idea.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author: Mapped[User | None] = relationship()
    idea: Mapped[Idea] = relationship()


class DotBudget(db.Model):
    """A participant's dots in one workshop: `used` only changes while this row is locked,
    and a CHECK constraint refuses any state past the budget."""

    __tablename__ = "workshops_dot_budget"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id"),
        CheckConstraint("used >= 0 AND used <= budget", name="within_budget"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    budget: Mapped[int] = mapped_column(Integer, nullable=False)
    used: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Vote(db.Model):
    """The dots one participant put on one idea."""

    __tablename__ = "workshops_vote"
    __table_args__ = (
        UniqueConstraint("idea_id", "user_id"),
        CheckConstraint("dots >= 1", name="dots_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_idea.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    dots: Mapped[int] = mapped_column(Integer, nullable=False)


class Requirement(TimestampMixin, db.Model):
    """A user story of the requirements document, with its MoSCoW priority."""

    __tablename__ = "workshops_requirement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_workshop.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(200), nullable=False)
    goal: Mapped[str] = mapped_column(Text, nullable=False)
    benefit: Mapped[str] = mapped_column(Text, nullable=False)
    priority: Mapped[str] = mapped_column(String(10), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )

    ideas: Mapped[list[Idea]] = relationship(
        secondary="workshops_requirement_idea", order_by=Idea.id, lazy="selectin"
    )


class RequirementIdea(db.Model):
    """An idea that justifies a requirement."""

    __tablename__ = "workshops_requirement_idea"
    __table_args__ = (UniqueConstraint("requirement_id", "idea_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_requirement.id", ondelete="CASCADE"), nullable=False
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("workshops_idea.id", ondelete="CASCADE"), nullable=False, index=True
    )
