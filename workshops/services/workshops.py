"""Create and edit workshops, their facilitators, links and registration questions; move them
through draft → open → closed → archived."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from crowdsourcing.models import BacklogItem
from webapp import search, urls
from webapp.accounts import policies as account_policies
from webapp.accounts import services as accounts
from webapp.accounts.models import Department, User
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.text import one_line
from workshops import policies
from workshops.models import (
    ARCHIVED,
    CLOSED,
    DRAFT,
    OPEN,
    QUESTIONS,
    BacklogLink,
    DotBudget,
    Facilitator,
    Workshop,
    WorkshopSession,
)

LIMITS = {
    "title": (5, 200),
    "question": (10, 500),
    "description": (0, 8000),
    "audience": (0, 2000),
    "accessibility": (0, 2000),
}
MAX_LINKS = 10
# Allowed moves of a workshop's status.
TRANSITIONS = {
    DRAFT: {OPEN},
    OPEN: {CLOSED},
    CLOSED: {OPEN, ARCHIVED},
    ARCHIVED: {CLOSED},
}


def slugify(text):
    """ASCII, lower case, hyphens: "Îlots de fraîcheur" -> "ilots-de-fraicheur"."""
    return urls.slugify(text, 60) or "atelier"


def _text(data, field, errors):
    low, high = LIMITS[field]
    value = (data.get(field) or "").strip()
    if field in ("title", "question"):
        value = one_line(value)
    if not low <= len(value) <= high:
        errors[field] = [_l("Between %(low)d and %(high)d characters.", low=low, high=high)]
    return value


def _urls(values, errors):
    urls = [u.strip() for u in values or [] if u and u.strip()]
    if len(urls) > MAX_LINKS:
        errors["inventory_urls"] = [_l("At most %(n)d items.", n=MAX_LINKS)]
    elif any(not re.match(r"^https?://[^\s]+$", u) or len(u) > 500 for u in urls):
        errors["inventory_urls"] = [_l("Give web addresses starting with http:// or https://.")]
    return urls


def _ids(values, model, field, errors, message):
    try:
        ids = sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        errors[field] = [message]
        return []
    found = set(db.session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
    if found != set(ids):
        errors[field] = [message]
    return ids


def _facilitators(emails, errors):
    """User ids of the given e-mail addresses; every address must be an active account."""
    ids, unknown = [], []
    for email in emails or []:
        email = (email or "").strip()
        if not email:
            continue
        user = accounts.find_by_email(email)
        if user is None or not user.is_active:
            unknown.append(email)
        elif user.id not in ids:
            ids.append(user.id)
    if unknown:
        errors["facilitators"] = [
            _l("No account has this e-mail address: %(emails)s.", emails=", ".join(unknown))
        ]
    return ids


def _clean(data):
    errors = {}
    cleaned = {field: _text(data, field, errors) for field in LIMITS}
    cleaned["inventory_urls"] = _urls(data.get("inventory_urls"), errors)
    questions = list(data.get("questions") or [])
    if any(q not in QUESTIONS for q in questions):
        errors["questions"] = [_l("Unknown question.")]
    cleaned["questions"] = [q for q in QUESTIONS if q in questions]
    dots = data.get("dots_per_participant", 5)
    if not isinstance(dots, int) or isinstance(dots, bool) or not 1 <= dots <= 50:
        errors["dots_per_participant"] = [_l("Between 1 and 50.")]
    cleaned["dots_per_participant"] = dots
    cleaned["backlog_ids"] = _ids(
        data.get("backlog_items"),
        BacklogItem,
        "backlog_items",
        errors,
        _l("This backlog item does not exist."),
    )
    cleaned["facilitator_ids"] = _facilitators(data.get("facilitators"), errors)
    slug = data.get("department") or None
    cleaned["department"] = None
    if slug:
        cleaned["department"] = db.session.scalar(select(Department).where(Department.slug == slug))
        if cleaned["department"] is None:
            errors["department"] = [_l("This department does not exist.")]
    if errors:
        raise ValidationError("workshop.invalid", fields=errors)
    return cleaned


# Paths under /workshops/ that a workshop's address must not take.
RESERVED_SLUGS = {"new", "manage", "sessions", "static", "themes", "requirements"}


def _slug_taken(slug):
    return slug in RESERVED_SLUGS or (
        db.session.scalar(select(Workshop.id).where(Workshop.slug == slug)) is not None
    )


def _slug(requested, title):
    """The requested address (checked) or one made from the title, free in any case."""
    if requested:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", requested) or not 3 <= len(requested) <= 60:
            raise ValidationError(
                "workshop.invalid",
                fields={"slug": [_l("3 to 60 lower-case letters, digits and hyphens.")]},
            )
        if _slug_taken(requested):
            raise ValidationError(
                "workshop.slug_taken",
                fields={"slug": [_l("Another workshop already has this address.")]},
            )
        return requested
    base = slugify(title)
    slug, n = base, 2
    while _slug_taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(workshop, cleaned):
    for field in (*LIMITS, "inventory_urls", "questions", "department"):
        value = cleaned[field]
        if field in ("audience", "accessibility"):
            value = value or None
        setattr(workshop, field, value)
    workshop.backlog_links = [BacklogLink(backlog_item_id=i) for i in cleaned["backlog_ids"]]
    keep = {f.user_id: f for f in workshop.facilitators}
    workshop.facilitators = [
        keep.get(uid) or Facilitator(user_id=uid) for uid in cleaned["facilitator_ids"]
    ]


def create(actor, data):
    """Create a draft workshop; the actor runs it."""
    account_policies.require(actor, "workshops.organise")
    cleaned = _clean(data)
    with unit_of_work():
        workshop = Workshop(
            slug=_slug((data.get("slug") or "").strip(), cleaned["title"]),
            created_by_id=actor.id,
            status=DRAFT,
            dots_per_participant=cleaned["dots_per_participant"],
        )
        _apply(workshop, cleaned)
        db.session.add(workshop)
    return workshop


def _managed(actor, workshop_id, lock=False):
    query = select(Workshop).where(Workshop.id == workshop_id)
    if lock:
        query = query.with_for_update()
    workshop = db.session.scalar(query.execution_options(populate_existing=True))
    if workshop is None:
        raise NotFound("workshop.not_found")
    if not policies.can_manage(actor, workshop):
        raise PermissionDenied("workshop.manage_denied")
    return workshop


def update(actor, workshop_id, data):
    """Edit a workshop; sessions follow its title and its facilitators."""
    cleaned = _clean(data)
    with unit_of_work():
        workshop = _managed(actor, workshop_id, lock=True)
        title_changed = workshop.title != cleaned["title"]
        _apply(workshop, cleaned)
        _set_dots(workshop, cleaned["dots_per_participant"])
        db.session.flush()
        sync_sessions(actor, workshop, titles=title_changed)
        search.refresh("workshop", workshop.id)
    return workshop


def _set_dots(workshop, dots):
    if dots == workshop.dots_per_participant:
        return
    workshop.dots_per_participant = dots
    try:
        with db.session.begin_nested():
            db.session.execute(
                sql_update(DotBudget)
                .where(DotBudget.workshop_id == workshop.id)
                .values(budget=dots)
            )
    except IntegrityError:
        raise ValidationError(
            "workshop.dots_below_used",
            fields={
                "dots_per_participant": [
                    _l("Some participants already placed more dots than that.")
                ]
            },
        ) from None


def sync_sessions(actor, workshop, titles=False):
    """Give every session's registration list the workshop's managers, openness, titles."""
    managers = managers_of(workshop)
    for row in db.session.scalars(
        select(WorkshopSession).where(WorkshopSession.workshop_id == workshop.id)
    ):
        changes = {"listed": workshop.status != DRAFT, "is_open": workshop.status == OPEN}
        if titles:
            changes["title"] = list_title(workshop, row.title)
        registrations.update_list(actor, row.registration_list_id, managers=managers, **changes)


def managers_of(workshop):
    ids = {f.user_id for f in workshop.facilitators}
    if workshop.created_by_id:
        ids.add(workshop.created_by_id)
    return db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []


def list_title(workshop, session_title):
    """How a session is named in the agenda, invitations and calendars."""
    return f"{workshop.title} · {session_title}"[:200]


def set_status(actor, workshop_id, status):
    """Publish, close, reopen, archive; registrations follow (open only while open)."""
    with unit_of_work():
        workshop = _managed(actor, workshop_id, lock=True)
        if status not in TRANSITIONS.get(workshop.status, set()):
            raise Conflict(
                "workshop.status_not_allowed",
                message=_l("This workshop cannot move to that status from its current one."),
            )
        workshop.status = status
        db.session.flush()
        sync_sessions(actor, workshop)
        search.refresh("workshop", workshop.id)
    return workshop
