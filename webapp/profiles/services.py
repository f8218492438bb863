"""Profile use cases: edit one's profile and its visibility, skills, avatar; admins'
vocabulary and field policies."""

import os
import re
import unicodedata
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from webapp import images
from webapp.accounts import policies as permissions
from webapp.accounts import services as accounts
from webapp.db import unit_of_work
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.profiles import visibility
from webapp.profiles.models import FieldPolicy, Profile, Skill, UserSkill
from webapp.text import one_line

AVAILABILITY = ("unavailable", "occasionally", "available")
CATEGORIES = ("A", "B", "C")
AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_MAX_PIXELS = 6000 * 6000
LIMITS = {"bio": 2000, "neighbourhood": 120, "job_title": 120, "grade": 80}
MAX_ITEMS = {"interests": 20, "languages": 10, "links": 5, "skills": 30}
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


def ensure_profile(user):
    profile = db.session.get(Profile, user.id)
    if profile is None:
        profile = Profile(user_id=user.id, interests=[], languages=[], links=[], visibility={})
        db.session.add(profile)
    return profile


def _clean_text(value, field, errors, multiline=False):
    text = (value or "").strip()
    if not multiline:
        text = one_line(text)
    if len(text) > LIMITS[field]:
        errors[field] = [_l("At most %(n)d characters.", n=LIMITS[field])]
    return text or None


def _clean_list(values, field, errors, item_max=60):
    items, seen = [], set()
    for raw in values or []:
        item = one_line(str(raw))
        if item and item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    if len(items) > MAX_ITEMS[field]:
        errors[field] = [_l("At most %(n)d items.", n=MAX_ITEMS[field])]
    elif any(len(i) > item_max for i in items):
        errors[field] = [_l("Each item has at most %(n)d characters.", n=item_max)]
    return items


def _clean_links(values, errors):
    links = _clean_list(values, "links", errors, item_max=300)
    if "links" not in errors and any(not URL.match(link) for link in links):
        errors["links"] = [_l("Links must start with http:// or https://.")]
    return links


def update_profile(actor, data):
    """Save the actor's profile fields; staff-only fields are ignored for non-staff."""
    errors = {}
    cleaned = {
        "bio": _clean_text(data.get("bio"), "bio", errors, multiline=True),
        "neighbourhood": _clean_text(data.get("neighbourhood"), "neighbourhood", errors),
        "interests": _clean_list(data.get("interests"), "interests", errors),
        "languages": _clean_list(data.get("languages"), "languages", errors),
        "links": _clean_links(data.get("links"), errors),
        "availability": data.get("availability") or None,
    }
    if cleaned["availability"] not in (None, *AVAILABILITY):
        errors["availability"] = [_l("Choose one of the options.")]
    if actor.is_staff:
        cleaned["job_title"] = _clean_text(data.get("job_title"), "job_title", errors)
        cleaned["grade"] = _clean_text(data.get("grade"), "grade", errors)
        cleaned["category"] = data.get("category") or None
        if cleaned["category"] not in (None, *CATEGORIES):
            errors["category"] = [_l("Choose one of the options.")]
    name = data.get("display_name")
    if name is not None:
        try:
            name = accounts.clean_display_name(name)
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError("profile.invalid", fields=errors)
    with unit_of_work():
        profile = ensure_profile(actor)
        for key, value in cleaned.items():
            setattr(profile, key, value)
        if name is not None:
            actor.display_name = name
    return profile


def set_visibility(actor, choices):
    """Record the actor's visibility choice per field, within the admins' bounds."""
    bounds = visibility.policies()
    errors = {}
    for field, level in choices.items():
        if field not in visibility.FIELDS:
            errors[field] = [_l("Unknown field.")]
            continue
        most_open, most_private, _default = bounds[field]
        if level not in visibility.LEVELS or not (
            visibility.rank(most_open) <= visibility.rank(level) <= visibility.rank(most_private)
        ):
            errors[f"visibility_{field}"] = [_l("This choice is not allowed for this field.")]
    if errors:
        raise ValidationError("profile.visibility_invalid", fields=errors)
    with unit_of_work():
        profile = ensure_profile(actor)
        profile.visibility = {**(profile.visibility or {}), **choices}
    return profile


def save_profile(actor, data, skills=None, choices=None):
    """Save fields, then skills `(ids, new_names)` and visibility choices: all or nothing."""
    with unit_of_work():
        profile = update_profile(actor, data)
        if skills is not None:
            set_skills(actor, *skills)
        if choices:
            set_visibility(actor, choices)
    return profile


def skill_key(name):
    """Normalise a skill name so "Cartographie", "cartographie " and "CARTOGRAPHIE" match."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def set_skills(actor, skill_ids=(), new_names=()):
    """Replace the actor's skills: vocabulary ids plus free additions (not curated yet)."""
    names = [one_line(n) for n in new_names if n and n.strip()]
    if any(len(n) > 60 or not skill_key(n) for n in names):
        raise ValidationError(
            "profile.skill_invalid", fields={"skills": [_l("A skill has 1 to 60 characters.")]}
        )
    with unit_of_work():
        skills = {s.id: s for s in db.session.scalars(select(Skill).where(Skill.id.in_(skill_ids)))}
        if len(skills) != len(set(skill_ids)):
            raise ValidationError(
                "profile.skill_unknown", fields={"skills": [_l("Unknown skill.")]}
            )
        for name in names:
            skill = _skill_for_name(name, actor)
            skills[skill.id] = skill
        if len(skills) > MAX_ITEMS["skills"]:
            raise ValidationError(
                "profile.too_many_skills",
                fields={"skills": [_l("At most %(n)d items.", n=MAX_ITEMS["skills"])]},
            )
        db.session.execute(delete(UserSkill).where(UserSkill.user_id == actor.id))
        for skill_id in skills:
            db.session.add(UserSkill(user_id=actor.id, skill_id=skill_id))
    return list(skills.values())


def _skill_for_name(name, actor):
    key = skill_key(name)
    skill = db.session.scalar(select(Skill).where(Skill.key == key))
    if skill is None:
        skill = Skill(key=key, name_fr=name, name_en=name, curated=False, created_by_id=actor.id)
        db.session.add(skill)
        db.session.flush()
    return skill


AVATAR_REFUSALS = {
    images.EMPTY: _l("The photo file is empty."),
    images.TOO_BIG: _l("The photo must be under 5 MB."),
    images.FORMAT: _l("The photo must be a PNG, JPEG or WebP image under 5 MB."),
    images.PIXELS: _l("The photo has too many pixels (at most 36 megapixels)."),
    images.UNREADABLE: _l("This file is not a readable image."),
}


def _clean_avatar(data):
    """The checked picture (webapp.images), upright, EXIF-free, within 256 px, as JPEG."""
    try:
        return images.reencode(data, AVATAR_MAX_BYTES, 256, AVATAR_MAX_PIXELS).data
    except images.Refused as refused:
        raise ValidationError(
            "profile.avatar_invalid", fields={"avatar": [AVATAR_REFUSALS[refused.reason]]}
        ) from None


def avatar_folder():
    return os.path.join(current_app.config["UPLOAD_DIR"], "avatars")


def set_avatar(actor, data):
    """Store a checked, EXIF-free, resized photo as the actor's avatar."""
    jpeg = _clean_avatar(data)
    os.makedirs(avatar_folder(), exist_ok=True)
    name = f"{actor.id}-{uuid.uuid4().hex}.jpg"
    with open(os.path.join(avatar_folder(), name), "wb") as fh:
        fh.write(jpeg)
    with unit_of_work():
        profile = ensure_profile(actor)
        old, profile.avatar_path = profile.avatar_path, name
    _remove_file(old)
    return profile


def remove_avatar(actor):
    with unit_of_work():
        profile = ensure_profile(actor)
        old, profile.avatar_path = profile.avatar_path, None
    _remove_file(old)


def delete_avatar_file(name):
    """Remove a stored avatar file (after the commit that forgot it)."""
    _remove_file(name)


def _remove_file(name):
    if name:
        path = os.path.join(avatar_folder(), os.path.basename(name))
        if os.path.exists(path):
            os.remove(path)


# --- admins: the skills vocabulary and field policies -----------------------------------------


def _clean_names(name_fr, name_en):
    names = {
        "name_fr": one_line(name_fr),
        "name_en": one_line(name_en),
    }
    errors = {
        k: [_l("A skill has 1 to 60 characters.")]
        for k, v in names.items()
        if not 1 <= len(v) <= 60
    }
    if errors:
        raise ValidationError("skill.invalid", fields=errors)
    return names


def add_skill(actor, name_fr, name_en):
    """Add a curated skill to the vocabulary."""
    permissions.require(actor, "users.manage")
    names = _clean_names(name_fr, name_en)
    with unit_of_work():
        key = skill_key(names["name_fr"])
        if db.session.scalar(select(Skill).where(Skill.key == key)) is not None:
            raise ValidationError(
                "skill.exists", fields={"name_fr": [_l("This skill is already in the vocabulary.")]}
            )
        skill = Skill(key=key, curated=True, **names)
        db.session.add(skill)
    return skill


def curate_skill(actor, skill_id, name_fr, name_en):
    """Accept a free addition into the vocabulary, with its names in both languages."""
    permissions.require(actor, "users.manage")
    names = _clean_names(name_fr, name_en)
    with unit_of_work():
        skill = db.session.get(Skill, skill_id)
        if skill is None:
            raise NotFound("skill.not_found")
        skill.name_fr, skill.name_en, skill.curated = names["name_fr"], names["name_en"], True
    return skill


def merge_skills(actor, source_id, target_id):
    """Move everyone from `source` to `target` and remove `source`; nobody loses a skill."""
    permissions.require(actor, "users.manage")
    if source_id == target_id:
        raise ValidationError("skill.merge_same", fields={"target": [_l("Choose another skill.")]})
    with unit_of_work():
        source, target = db.session.get(Skill, source_id), db.session.get(Skill, target_id)
        if source is None or target is None:
            raise NotFound("skill.not_found")
        holders = set(
            db.session.scalars(select(UserSkill.user_id).where(UserSkill.skill_id == target.id))
        )
        for row in db.session.scalars(
            select(UserSkill).where(UserSkill.skill_id == source.id)
        ).all():
            if row.user_id in holders:
                db.session.delete(row)
            else:
                row.skill_id = target.id
        db.session.flush()
        db.session.delete(source)
    return target


def set_field_policy(actor, field, most_open, most_private, default):
    """Admins bound a field's visibility; owners' choices outside the bounds are clamped."""
    permissions.require(actor, "settings.manage")
    if field not in visibility.FIELDS:
        raise NotFound("profile.field_unknown")
    levels = visibility.LEVELS
    if any(v not in levels for v in (most_open, most_private, default)) or not (
        levels.index(most_open) <= levels.index(default) <= levels.index(most_private)
    ):
        raise ValidationError(
            "profile.policy_invalid",
            fields={
                "default": [
                    _l("The default must lie between the most open and the most private choice.")
                ]
            },
        )
    if field == "display_name" and levels.index(most_private) > levels.index(visibility.STAFF):
        raise ValidationError(
            "profile.policy_name_hidden",
            fields={"most_private": [_l("Staff must always be able to read participants' names.")]},
        )
    with unit_of_work():
        row = db.session.get(FieldPolicy, field) or FieldPolicy(field=field)
        row.most_open, row.most_private, row.default = most_open, most_private, default
        db.session.add(row)
    visibility.forget_cached_policies()
    return row
