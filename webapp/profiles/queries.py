"""The skills directory: people found by skill, interest and availability.

A person is found by a criterion only if the viewer may see the field it matches.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.accounts.models import User
from webapp.extensions import db
from webapp.profiles import visibility
from webapp.profiles.models import Profile, Skill, UserSkill

PAGE_SIZE = 30


def vocabulary(curated_only=False, plus_those_of=None):
    """The skills list; free additions are member-written text, shown to admins and their
    authors until curated."""
    query = select(Skill).order_by(Skill.name_fr)
    if curated_only:
        condition = Skill.curated.is_(True)
        if plus_those_of is not None:
            mine = select(UserSkill.skill_id).where(UserSkill.user_id == plus_those_of.id)
            condition = condition | Skill.id.in_(mine)
        query = query.where(condition)
    return db.session.scalars(query).all()


def _candidates(skill_id, availability):
    query = (
        select(User, Profile)
        .join(Profile, Profile.user_id == User.id)
        .where(User.erased_at.is_(None), User.is_active_account.is_(True))
        .options(selectinload(User.role_rows))
        .order_by(User.id)
    )
    if skill_id:
        query = query.where(
            User.id.in_(select(UserSkill.user_id).where(UserSkill.skill_id == skill_id))
        )
    if availability:
        query = query.where(Profile.availability == availability)
    return db.session.execute(query).all()


def search(viewer, skill_id=None, interest=None, availability=None, locale="fr", limit=PAGE_SIZE):
    """Return visible profiles matching every criterion given, judged field by field."""
    interest = (interest or "").strip().lower()
    results = []
    for user, profile in _candidates(skill_id, availability):
        if skill_id and not visibility.can_see(viewer, user, "skills", profile):
            continue
        if availability and not visibility.can_see(viewer, user, "availability", profile):
            continue
        if interest and not (
            visibility.can_see(viewer, user, "interests", profile)
            and any(interest in i.lower() for i in profile.interests or [])
        ):
            continue
        shown = visibility.visible_profile(viewer, user, profile, locale=locale)
        if not skill_id and not interest and not availability and not shown["fields"]:
            continue  # an unfiltered listing shows only people who share something
        results.append(shown)
        if len(results) >= limit:
            break
    return results
