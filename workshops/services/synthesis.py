"""Synthesis by the facilitators: themes that group ideas, requirements (user stories with a
MoSCoW priority, each justified by ideas) and the published requirements document."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.text import one_line
from workshops import policies
from workshops.models import PRIORITIES, Idea, Requirement, Theme, Workshop

STORY_LIMITS = {"role": (2, 200), "goal": (3, 2000), "benefit": (3, 2000)}
INTRO_MAX = 8000


def _facilitated(actor, workshop_id):
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not policies.can_view(actor, workshop):
        raise NotFound("workshop.not_found")
    if not policies.can_facilitate(actor, workshop):
        raise PermissionDenied("workshop.facilitate_denied")
    return workshop


def _theme_name(name):
    name = one_line(name)
    if not 1 <= len(name) <= 120:
        raise ValidationError(
            "theme.invalid",
            fields={"name": [_l("Between %(low)d and %(high)d characters.", low=1, high=120)]},
        )
    return name


def _name_taken():
    return ValidationError(
        "theme.name_taken", fields={"name": [_l("Another theme already has this name.")]}
    )


def create_theme(actor, workshop_id, name):
    name = _theme_name(name)
    try:
        with unit_of_work():
            _facilitated(actor, workshop_id)
            theme = Theme(workshop_id=workshop_id, name=name)
            db.session.add(theme)
            db.session.flush()
    except IntegrityError:
        raise _name_taken() from None
    return theme


def _theme(actor, theme_id):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("theme.not_found")
    _facilitated(actor, theme.workshop_id)
    return theme


def rename_theme(actor, theme_id, name):
    name = _theme_name(name)
    try:
        with unit_of_work():
            theme = _theme(actor, theme_id)
            theme.name = name
            db.session.flush()
    except IntegrityError:
        raise _name_taken() from None
    return theme


def delete_theme(actor, theme_id):
    """Remove a theme; its ideas stay, without a theme."""
    with unit_of_work():
        theme = _theme(actor, theme_id)
        # Said here rather than left to the foreign key: the ORM would not see it happen.
        db.session.execute(update(Idea).where(Idea.theme_id == theme.id).values(theme_id=None))
        db.session.delete(theme)


def _clean_story(workshop_id, data):
    errors, cleaned = {}, {}
    for field, (low, high) in STORY_LIMITS.items():
        value = one_line(data.get(field))
        if not low <= len(value) <= high:
            errors[field] = [_l("Between %(low)d and %(high)d characters.", low=low, high=high)]
        cleaned[field] = value
    if data.get("priority") not in PRIORITIES:
        errors["priority"] = [_l("Choose must, should, could or won't.")]
    cleaned["priority"] = data.get("priority")
    try:
        idea_ids = sorted({int(i) for i in data.get("ideas") or []})
    except (TypeError, ValueError):
        idea_ids = None
    ideas = []
    if idea_ids:
        ideas = db.session.scalars(
            select(Idea).where(
                Idea.id.in_(idea_ids), Idea.workshop_id == workshop_id, Idea.hidden.is_(False)
            )
        ).all()
    if idea_ids is None or len(ideas) != len(idea_ids or []):
        errors["ideas"] = [_l("Choose ideas of this workshop.")]
    if errors:
        raise ValidationError("requirement.invalid", fields=errors)
    cleaned["ideas"] = ideas
    return cleaned


def save_requirement(actor, workshop_id, data, requirement_id=None):
    """Write or rewrite a user story: “As a …, I want …, so that …”."""
    with unit_of_work():
        _facilitated(actor, workshop_id)
        cleaned = _clean_story(workshop_id, data)
        if requirement_id is None:
            position = db.session.scalar(
                select(func.coalesce(func.max(Requirement.position), 0)).where(
                    Requirement.workshop_id == workshop_id
                )
            )
            requirement = Requirement(
                workshop_id=workshop_id, created_by_id=actor.id, position=position + 1
            )
            db.session.add(requirement)
        else:
            requirement = db.session.get(Requirement, requirement_id)
            if requirement is None or requirement.workshop_id != workshop_id:
                raise NotFound("requirement.not_found")
        for field, value in cleaned.items():
            setattr(requirement, field, value)
    return requirement


def delete_requirement(actor, requirement_id):
    with unit_of_work():
        requirement = db.session.get(Requirement, requirement_id)
        if requirement is None:
            raise NotFound("requirement.not_found")
        _facilitated(actor, requirement.workshop_id)
        db.session.delete(requirement)


def publish(actor, workshop_id, intro=None):
    """Publish the requirements document (again, after changes); it needs one requirement."""
    intro = (intro or "").strip() or None
    if intro and len(intro) > INTRO_MAX:
        raise ValidationError(
            "requirements.intro_too_long",
            fields={"intro": [_l("At most %(n)d characters.", n=INTRO_MAX)]},
        )
    with unit_of_work():
        workshop = _facilitated(actor, workshop_id)
        if workshop.status == "draft":
            raise Conflict(
                "requirements.workshop_draft",
                message=_l("Publish the workshop before its requirements document."),
            )
        count = db.session.scalar(
            select(func.count())
            .select_from(Requirement)
            .where(Requirement.workshop_id == workshop_id)
        )
        if not count:
            raise ValidationError(
                "requirements.empty",
                message=_l("Write at least one requirement before publishing the document."),
            )
        workshop.requirements_intro = intro
        workshop.requirements_published_at = utcnow()
    return workshop


def unpublish(actor, workshop_id):
    with unit_of_work():
        workshop = _facilitated(actor, workshop_id)
        workshop.requirements_published_at = None
    return workshop
