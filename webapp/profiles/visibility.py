"""The one access rule: what a given viewer may see of a person.

Every place a profile or part of it appears (profile page, directory, team finder,
attendee lists, credits, requirements, API, exports, search) calls `visible_profile`
or `display_name` here; nothing else reads profile fields for display.
"""

from dataclasses import dataclass

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db

PUBLIC, MEMBERS, STAFF, HIERARCHY, PRIVATE = "public", "members", "staff", "hierarchy", "private"
# From the widest audience to the narrowest; each audience contains the next ones.
LEVELS = (PUBLIC, MEMBERS, STAFF, HIERARCHY, PRIVATE)
SELF = len(LEVELS) - 1


def level_labels():
    return {
        PUBLIC: _l("Everyone"),
        MEMBERS: _l("Members"),
        STAFF: _l("Staff"),
        HIERARCHY: _l("My hierarchy"),
        PRIVATE: _l("Only me"),
    }


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: object
    staff_only: bool
    most_open: str
    most_private: str
    default: str


# Defaults are the most private setting that still lets the platform work: organisers
# must be able to read a participant's name, nothing else is needed.
FIELDS = {
    spec.key: spec
    for spec in (
        FieldSpec("display_name", _l("Display name"), False, PUBLIC, STAFF, STAFF),
        FieldSpec("avatar", _l("Photo"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("bio", _l("About me"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("skills", _l("Skills"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("interests", _l("Interests"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("languages", _l("Languages"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("neighbourhood", _l("Neighbourhood"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("links", _l("Links"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("availability", _l("Availability for projects"), False, PUBLIC, PRIVATE, PRIVATE),
        FieldSpec("department", _l("Department"), True, PUBLIC, HIERARCHY, STAFF),
        FieldSpec("job_title", _l("Job title"), True, PUBLIC, PRIVATE, STAFF),
        FieldSpec("grade", _l("Grade"), True, HIERARCHY, PRIVATE, HIERARCHY),
        FieldSpec("category", _l("Category"), True, HIERARCHY, PRIVATE, HIERARCHY),
    )
}


def rank(level):
    return LEVELS.index(level)


def policies():
    """Return {field: (most_open, most_private, default)}, admins' rows over the code's."""
    if "field_policies" not in g:
        from webapp.profiles.models import FieldPolicy

        result = {k: (s.most_open, s.most_private, s.default) for k, s in FIELDS.items()}
        for row in db.session.scalars(select(FieldPolicy)):
            if row.field in result:
                result[row.field] = (row.most_open, row.most_private, row.default)
        g.field_policies = result
    return g.field_policies


def forget_cached_policies():
    g.pop("field_policies", None)


def effective_level(field, profile):
    """The owner's choice clamped to the admins' current bounds (or the default)."""
    most_open, most_private, default = policies()[field]
    chosen = (profile.visibility or {}).get(field, default) if profile is not None else default
    if chosen not in LEVELS:
        chosen = default
    return LEVELS[min(max(rank(chosen), rank(most_open)), rank(most_private))]


def viewer_rank(viewer, owner):
    """How close the viewer stands to the owner: self > hierarchy > staff > members > public."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return rank(PUBLIC)
    if viewer.id == owner.id:
        return SELF
    if viewer.has_role("admin") or (
        viewer.is_manager
        and viewer.department_id is not None
        and viewer.department_id == owner.department_id
    ):
        return rank(HIERARCHY)
    if viewer.is_staff:
        return rank(STAFF)
    return rank(MEMBERS)


def can_see(viewer, owner, field, profile):
    if getattr(owner, "erased_at", None) is not None:
        return False
    if FIELDS[field].staff_only and not owner.is_staff:
        return False
    return viewer_rank(viewer, owner) >= rank(effective_level(field, profile))


def anonymous_name(owner):
    if getattr(owner, "erased_at", None) is not None:
        return str(_l("Anonymous contributor"))
    return str(_l("A member"))


def display_name(viewer, owner, profile=None):
    """The owner's name if the viewer may see it, else a neutral label."""
    if profile is None:
        profile = profile_of(owner)
    if can_see(viewer, owner, "display_name", profile):
        return owner.display_name
    return anonymous_name(owner)


def display_names(viewer, owners):
    """{user id: name as the viewer may see it} for many owners, with their profiles read
    in one query (a page of a hundred rows costs one query, not a hundred)."""
    people = {owner.id: owner for owner in owners if owner is not None}
    preload_profiles(people.values())
    return {user_id: display_name(viewer, owner) for user_id, owner in people.items()}


def profile_of(user):
    from webapp.profiles.models import Profile

    preloaded = g.get("preloaded_profiles") if has_app_context() else None
    if preloaded is not None and user.id in preloaded:
        return preloaded[user.id]
    return db.session.get(Profile, user.id)


def preload_profiles(users):
    """Read the profiles of many people in one query for the rest of this request (people
    without a profile included), so that a page listing fifty names costs one query."""
    from webapp.profiles.models import Profile

    preloaded = g.setdefault("preloaded_profiles", {})
    missing = {u.id for u in users if u is not None} - preloaded.keys()
    if not missing:
        return
    found = db.session.scalars(select(Profile).where(Profile.user_id.in_(missing)))
    by_user = {p.user_id: p for p in found}
    for user_id in missing:
        preloaded[user_id] = by_user.get(user_id)


def _raw_values(owner, profile, skills, locale):
    p = profile
    return {
        "display_name": owner.display_name,
        "avatar": bool(p and p.avatar_path) or None,
        "bio": p.bio if p else None,
        "skills": [s.name(locale) for s in skills] if skills else None,
        "interests": list(p.interests) if p and p.interests else None,
        "languages": list(p.languages) if p and p.languages else None,
        "neighbourhood": p.neighbourhood if p else None,
        "links": list(p.links) if p and p.links else None,
        "availability": p.availability if p else None,
        "department": owner.department.name(locale) if owner.department else None,
        "job_title": p.job_title if p else None,
        "grade": p.grade if p else None,
        "category": p.category if p else None,
    }


def visible_profile(viewer, owner, profile=None, skills=None, locale="fr"):
    """Return {"id", "display_name", "fields": {field: value}} with only what `viewer` may see.

    Empty fields are left out, so a hidden field and an empty one look the same.
    """
    if profile is None:
        profile = profile_of(owner)
    if skills is None:
        skills = skills_of(owner)
    raw = _raw_values(owner, profile, skills, locale)
    fields = {
        key: value
        for key, value in raw.items()
        if key != "display_name"
        and value not in (None, "", [])
        and can_see(viewer, owner, key, profile)
    }
    return {"id": owner.id, "display_name": display_name(viewer, owner, profile), "fields": fields}


def skills_of(user):
    from webapp.profiles.models import UserSkill

    rows = db.session.scalars(select(UserSkill).where(UserSkill.user_id == user.id)).all()
    return sorted((r.skill for r in rows), key=lambda s: s.name_fr.lower())
