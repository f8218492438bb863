"""Profile fields, their visibility choices, the skills vocabulary and admins' field policies."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import db

# The profile's own fields, as stored (skills, name and department live elsewhere).
PROFILE_COLUMNS = (
    "bio",
    "interests",
    "languages",
    "neighbourhood",
    "links",
    "availability",
    "job_title",
    "grade",
    "category",
)


class Profile(TimestampMixin, db.Model):
    """What a member tells about themselves; each field is shown per its visibility."""

    __tablename__ = "webapp_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str | None] = mapped_column(Text)
    avatar_path: Mapped[str | None] = mapped_column(String(300))
    interests: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    neighbourhood: Mapped[str | None] = mapped_column(String(120))
    links: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    availability: Mapped[str | None] = mapped_column(String(20))
    job_title: Mapped[str | None] = mapped_column(String(120))
    grade: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str | None] = mapped_column(String(20))
    # field -> level chosen by the owner; missing means the policy's default.
    visibility: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    user: Mapped[User] = relationship()


class Skill(TimestampMixin, db.Model):
    """A skill of the shared vocabulary; members' free additions are not curated yet."""

    __tablename__ = "webapp_skill"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    name_fr: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    curated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="SET NULL")
    )

    def name(self, locale):
        return self.name_en if locale == "en" else self.name_fr


class UserSkill(db.Model):
    __tablename__ = "webapp_user_skill"
    __table_args__ = (UniqueConstraint("user_id", "skill_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("webapp_skill.id", ondelete="CASCADE"), nullable=False, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    skill: Mapped[Skill] = relationship(lazy="joined")


class FieldPolicy(TimestampMixin, db.Model):
    """Admins' bounds on a field's visibility: owners choose between the two ends."""

    __tablename__ = "webapp_field_policy"

    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    most_open: Mapped[str] = mapped_column(String(20), nullable=False)
    most_private: Mapped[str] = mapped_column(String(20), nullable=False)
    default: Mapped[str] = mapped_column(String(20), nullable=False)
