"""Hackathons: challenges, jury and criteria, teams, app proposals, supports and jury scores.

A hackathon's place, dates and capacity live on its registration list (the kernel's shared
mechanism); the list's managers are the hackathon's organisers.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crowdsourcing.models import BacklogItem, Dataset, DatasetRequest
from webapp.accounts.models import Department, User
from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db
from webapp.profiles.models import Skill
from webapp.registrations.models import RegistrationList

REGISTRATION, BUILDING, SUBMISSION_CLOSED = "registration", "building", "submission_closed"
JUDGING, RESULTS = "judging", "results"
PHASES = (REGISTRATION, BUILDING, SUBMISSION_CLOSED, JUDGING, RESULTS)
IDEA, PROTOTYPE, RELEASED = "idea", "prototype", "released"
STAGES = (IDEA, PROTOTYPE, RELEASED)
INVITE_PENDING, INVITE_ACCEPTED, INVITE_DECLINED = "pending", "accepted", "declined"


class Hackathon(TimestampMixin, db.Model):
    """An event where people build apps on the institution's open data."""

    __tablename__ = "crowdsourcing_hackathon"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rules: Mapped[str] = mapped_column(Text, nullable=False, default="")
    phase: Mapped[str] = mapped_column(String(20), nullable=False, default=REGISTRATION)
    team_size_max: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    online: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    registration_list_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_registration_list.id", ondelete="RESTRICT"), unique=True, nullable=False
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where it came from ("manual", "import:dribdat") and its identifier there, for re-imports.
    source: Mapped[str] = mapped_column(String(60), nullable=False, default="manual")
    source_identifier: Mapped[str | None] = mapped_column(String(300), unique=True)

    registration_list: Mapped[RegistrationList] = relationship(lazy="joined")
    challenges: Mapped[list["Challenge"]] = relationship(
        back_populates="hackathon", cascade="all, delete-orphan", order_by="Challenge.position"
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        cascade="all, delete-orphan", order_by="Criterion.position"
    )
    jury: Mapped[list["JuryMember"]] = relationship(cascade="all, delete-orphan")

    @property
    def starts_at(self):
        return self.registration_list.starts_at

    @property
    def ends_at(self):
        return self.registration_list.ends_at


class Challenge(db.Model):
    """A question a department asks the participants, with the data to answer it."""

    __tablename__ = "crowdsourcing_challenge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_department.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    hackathon: Mapped[Hackathon] = relationship(back_populates="challenges")
    department: Mapped[Department | None] = relationship()
    datasets: Mapped[list[Dataset]] = relationship(
        secondary="crowdsourcing_challenge_dataset", order_by=Dataset.title
    )
    backlog_items: Mapped[list[BacklogItem]] = relationship(
        secondary="crowdsourcing_challenge_backlog_item", order_by=BacklogItem.title
    )


class ChallengeDataset(db.Model):
    __tablename__ = "crowdsourcing_challenge_dataset"
    __table_args__ = (UniqueConstraint("challenge_id", "dataset_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_challenge.id", ondelete="CASCADE"), nullable=False
    )
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_dataset.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ChallengeBacklogItem(db.Model):
    __tablename__ = "crowdsourcing_challenge_backlog_item"
    __table_args__ = (UniqueConstraint("challenge_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_challenge.id", ondelete="CASCADE"), nullable=False
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_backlog_item.id", ondelete="CASCADE"), nullable=False, index=True
    )


class JuryMember(db.Model):
    __tablename__ = "crowdsourcing_jury_member"
    __table_args__ = (UniqueConstraint("hackathon_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )

    user: Mapped[User] = relationship(lazy="joined")


class Criterion(db.Model):
    """A scoring criterion: jurors give 0 to `scale_max`; `weight` counts in the ranking."""

    __tablename__ = "crowdsourcing_criterion"
    __table_args__ = (
        CheckConstraint("weight >= 1", name="weight_positive"),
        CheckConstraint("scale_max >= 1", name="scale_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    weight: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Seeker(db.Model):
    """A participant who says they are looking for a team in a hackathon."""

    __tablename__ = "crowdsourcing_team_seeker"
    __table_args__ = (UniqueConstraint("hackathon_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(lazy="joined")


class Team(TimestampMixin, db.Model):
    """A team of a hackathon. `member_count` is a locked counter kept within `capacity`."""

    __tablename__ = "crowdsourcing_team"
    __table_args__ = (
        UniqueConstraint("hackathon_id", "name"),
        CheckConstraint(
            "member_count >= 0 AND member_count <= capacity", name="members_within_capacity"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    member_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )

    hackathon: Mapped[Hackathon] = relationship()
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.joined_at"
    )
    skills_sought: Mapped[list[Skill]] = relationship(
        secondary="crowdsourcing_team_skill", order_by=Skill.name_fr
    )


class TeamMember(db.Model):
    """A person in a team; one team per person and hackathon (a unique constraint)."""

    __tablename__ = "crowdsourcing_team_member"
    __table_args__ = (UniqueConstraint("hackathon_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_team.id", ondelete="CASCADE"), nullable=False, index=True
    )
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str | None] = mapped_column(String(80))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class TeamSkill(db.Model):
    __tablename__ = "crowdsourcing_team_skill"
    __table_args__ = (UniqueConstraint("team_id", "skill_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_team.id", ondelete="CASCADE"), nullable=False
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_skill.id", ondelete="CASCADE"), nullable=False, index=True
    )


class TeamInvite(db.Model):
    __tablename__ = "crowdsourcing_team_invite"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_team.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=INVITE_PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    team: Mapped[Team] = relationship()


class Proposal(TimestampMixin, db.Model):
    """An app proposal built on catalogue datasets; a submission of kind "proposal"."""

    __tablename__ = "crowdsourcing_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_hackathon.id", ondelete="CASCADE"), nullable=False, index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_team.id", ondelete="SET NULL"), unique=True
    )
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("crowdsourcing_challenge.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    pitch: Mapped[str] = mapped_column(Text, nullable=False)
    problem: Mapped[str] = mapped_column(Text, nullable=False, default="")
    target_users: Mapped[str] = mapped_column(Text, nullable=False, default="")
    repository_url: Mapped[str | None] = mapped_column(String(500))
    demo_url: Mapped[str | None] = mapped_column(String(500))
    licence: Mapped[str | None] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default=IDEA, index=True)
    source: Mapped[str] = mapped_column(String(60), nullable=False, default="manual")
    source_identifier: Mapped[str | None] = mapped_column(String(300), unique=True)
    # Imported projects: the team as stable pseudonyms (never the original usernames).
    credits: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)

    hackathon: Mapped[Hackathon] = relationship()
    team: Mapped[Team | None] = relationship()
    challenge: Mapped[Challenge | None] = relationship()
    author: Mapped[User | None] = relationship()
    datasets: Mapped[list[Dataset]] = relationship(
        secondary="crowdsourcing_proposal_dataset", order_by=Dataset.title
    )
    missing: Mapped[list[DatasetRequest]] = relationship(
        secondary="crowdsourcing_proposal_missing_data", order_by=DatasetRequest.id
    )
    screenshots: Mapped[list["Screenshot"]] = relationship(
        cascade="all, delete-orphan", order_by="Screenshot.id"
    )
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        cascade="all, delete-orphan", order_by="ProgressUpdate.created_at.desc()"
    )


class ProposalDataset(db.Model):
    __tablename__ = "crowdsourcing_proposal_dataset"
    __table_args__ = (UniqueConstraint("proposal_id", "dataset_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_proposal.id", ondelete="CASCADE"), nullable=False
    )
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_dataset.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ProposalMissingData(db.Model):
    """The data a proposal misses: a dataset request in the pipeline, linked back."""

    __tablename__ = "crowdsourcing_proposal_missing_data"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_proposal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_dataset_request.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    )


class Screenshot(db.Model):
    """A checked, re-encoded image without metadata, under UPLOAD_DIR/crowdsourcing/screenshots."""

    __tablename__ = "crowdsourcing_proposal_screenshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_proposal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    path: Mapped[str] = mapped_column(String(300), nullable=False)
    media_type: Mapped[str] = mapped_column(String(40), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    caption: Mapped[str | None] = mapped_column(String(200))
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ProgressUpdate(db.Model):
    """A line of a proposal's progress log."""

    __tablename__ = "crowdsourcing_proposal_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_proposal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("webapp_user.id", ondelete="SET NULL"))
    # For imported lines: the author's pseudonym.
    author_label: Mapped[str | None] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author: Mapped[User | None] = relationship()


class ProposalSupport(db.Model):
    """A member supports a proposal: one per member and proposal."""

    __tablename__ = "crowdsourcing_proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_proposal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Score(db.Model):
    """A juror's score of a proposal on one criterion, editable until results."""

    __tablename__ = "crowdsourcing_score"
    __table_args__ = (
        UniqueConstraint("proposal_id", "criterion_id", "juror_id"),
        CheckConstraint("value >= 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_proposal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("crowdsourcing_criterion.id", ondelete="CASCADE"), nullable=False, index=True
    )
    juror_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
