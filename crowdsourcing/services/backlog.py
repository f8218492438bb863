"""The dataset backlog: route approved submissions into items, edit items, move them
through negotiation to publication. Everyone linked to an item hears of each step."""

from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crowdsourcing.models import (
    APPROVED,
    BACKLOG_FINAL,
    DECLINE_REASONS,
    DECLINED,
    LICENCES,
    NEGOTIATING,
    PENDING,
    POSTPONED,
    PREPARING,
    PRIORITIES,
    PROPOSED,
    PUBLISHED,
    QUALIFIED,
    BacklogEvidence,
    BacklogItem,
    BacklogTransition,
    Submission,
    SubmissionEvent,
)
from crowdsourcing.services import catalogue, moderation
from webapp import search
from webapp.accounts import policies
from webapp.accounts.models import DATA_STEWARD, Department, User
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications import services as notifications
from webapp.text import one_line

# from status -> the statuses it may move to. Published and declined are final.
TRANSITIONS = {
    PROPOSED: (QUALIFIED, DECLINED, POSTPONED),
    QUALIFIED: (NEGOTIATING, DECLINED, POSTPONED),
    NEGOTIATING: (PREPARING, DECLINED, POSTPONED),
    PREPARING: (PUBLISHED, DECLINED, POSTPONED),
    POSTPONED: (PROPOSED, QUALIFIED, NEGOTIATING, PREPARING, DECLINED),
    PUBLISHED: (),
    DECLINED: (),
}
NOTE_MAX = 2000


def status_labels():
    return {
        PROPOSED: _l("Proposed"),
        QUALIFIED: _l("Qualified"),
        NEGOTIATING: _l("Negotiating with the department"),
        PREPARING: _l("Being prepared"),
        PUBLISHED: _l("Published"),
        DECLINED: _l("Declined"),
        POSTPONED: _l("Postponed"),
    }


def licence_labels():
    return {
        "etalab-2.0": _l("Licence Ouverte 2.0 (Etalab)"),
        "odbl": _l("ODbL"),
        "cc-by-4.0": _l("CC-BY 4.0"),
        "restricted": _l("Restricted licence"),
    }


def priority_labels():
    return {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High")}


def decline_labels():
    return {
        "cannot_release": _l("The department cannot release this data"),
        "exists_elsewhere": _l("The data already exists elsewhere"),
        "requester_withdrew": _l("The requesters withdrew"),
        "other": _l("Other reason"),
    }


# --- permissions ------------------------------------------------------------------------------


def can_manage(user, item):
    """Moderators, admins, and data stewards of the item's department."""
    if policies.can(user, "moderation.decide"):
        return True
    return (
        policies.can(user, "backlog.steward")
        and item.department_id is not None
        and user.department_id == item.department_id
    )


def can_view_staff_pages(user):
    return policies.can(user, "moderation.decide") or policies.can(user, "backlog.steward")


def _require_manage(actor, item):
    if not can_manage(actor, item):
        raise PermissionDenied("backlog.denied")


# --- reading ----------------------------------------------------------------------------------


def get(item_id, lock=False):
    query = select(BacklogItem).where(BacklogItem.id == item_id)
    if lock:
        query = query.with_for_update()
    item = db.session.scalar(query.execution_options(populate_existing=True))
    if item is None:
        raise NotFound("backlog.not_found")
    return item


# --- item fields ------------------------------------------------------------------------------


def _text(data, field, low, high, errors, collapse=False):
    value = (data.get(field) or "").strip()
    if collapse:
        value = one_line(value)
    if not low <= len(value) <= high:
        errors[field] = [_l("Between %(low)d and %(high)d characters.", low=low, high=high)]
    return value or None


def _department(value, errors):
    if value in (None, ""):
        return None
    query = select(Department)
    if isinstance(value, int) or str(value).isdigit():
        query = query.where(Department.id == int(value))
    else:
        query = query.where(Department.slug == value)
    department = db.session.scalar(query)
    if department is None:
        errors["department"] = [_l("This department does not exist.")]
    return department


def _steward(value, department, errors):
    if value in (None, ""):
        return None
    user = db.session.get(User, int(value)) if str(value).isdigit() else None
    if (
        user is None
        or DATA_STEWARD not in user.roles
        or department is None
        or user.department_id != department.id
    ):
        errors["steward"] = [_l("Choose a data steward of the item's department.")]
    return user


def _clean(data):
    """Check an item's editable fields; raise one ValidationError with every problem."""
    errors = {}
    cleaned = {
        "title": _text(data, "title", 3, 200, errors, collapse=True),
        "description": _text(data, "description", 0, 4000, errors) or "",
        "formats": _text(data, "formats", 0, 200, errors, collapse=True),
        "licence_conditions": _text(data, "licence_conditions", 0, 4000, errors),
    }
    department = _department(data.get("department"), errors)
    cleaned["department_id"] = department.id if department else None
    steward = _steward(data.get("steward"), department, errors)
    cleaned["steward_id"] = steward.id if steward and "steward" not in errors else None
    licence = data.get("licence") or None
    if licence is not None and licence not in LICENCES:
        errors["licence"] = [_l("Choose a licence from the list.")]
    if licence == "restricted" and not cleaned["licence_conditions"]:
        errors["licence_conditions"] = [_l("Say under which conditions the data is restricted.")]
    cleaned["licence"] = licence
    priority = data.get("priority") or "normal"
    if priority not in PRIORITIES:
        errors["priority"] = [_l("Choose a priority from the list.")]
    cleaned["priority"] = priority
    due = data.get("due_date")
    if due is not None and not isinstance(due, date):
        errors["due_date"] = [_l("Give a date.")]
    cleaned["due_date"] = due
    if errors:
        raise ValidationError("backlog.invalid", fields=errors)
    return cleaned


def _require_create(actor, department_id):
    if policies.can(actor, "moderation.decide"):
        return
    if not (policies.can(actor, "backlog.steward") and department_id == actor.department_id):
        raise PermissionDenied("backlog.denied")


def create(actor, data):
    """A new item, proposed, with no evidence yet (staff)."""
    if not can_view_staff_pages(actor):
        raise PermissionDenied("backlog.denied")
    cleaned = _clean(data)
    _require_create(actor, cleaned["department_id"])
    with unit_of_work():
        item = BacklogItem(status=PROPOSED, created_by_id=actor.id, **cleaned)
        db.session.add(item)
        db.session.flush()
        _history(item, actor, None, PROPOSED, None)
        search.refresh("backlog_item", item.id)
    return item


def update(actor, item_id, data):
    """Staff edit an item's description, department, steward, formats, licence, priority."""
    cleaned = _clean(data)
    with unit_of_work():
        item = get(item_id, lock=True)
        _require_manage(actor, item)
        if cleaned["department_id"] != item.department_id:
            _require_create(actor, cleaned["department_id"])
        for key, value in cleaned.items():
            setattr(item, key, value)
        search.refresh("backlog_item", item.id)
    return item


# --- routing ----------------------------------------------------------------------------------


def route(actor, submission_id, item_id=None, new=None, version=None, note=None):
    """Route a submission into the backlog: a new item made from it, or evidence of an
    existing one. A pending submission is approved on the way (approve-and-route)."""
    policies.require(actor, "moderation.decide")
    if (item_id is None) == (new is None):
        raise ValidationError(
            "backlog.route_target",
            fields={"item": [_l("Choose an existing item, or create a new one.")]},
        )
    cleaned = _clean(new) if new is not None else None
    with unit_of_work():
        submission = db.session.get(Submission, submission_id)
        if submission is None:
            raise NotFound("submission.not_found")
        if submission.status == PENDING:
            moderation.decide(actor, submission_id, version, "approve", note=note)
        elif submission.status != APPROVED:
            raise Conflict(
                "backlog.route_not_approved",
                message=_l("Only approved or pending contributions can be routed."),
            )
        if cleaned is not None:
            item = BacklogItem(status=PROPOSED, created_by_id=actor.id, **cleaned)
            db.session.add(item)
            db.session.flush()
            _history(item, actor, None, PROPOSED, note)
        else:
            item = get(item_id)
        _attach(actor, item, submission, note)
        search.refresh("backlog_item", item.id)
    return item


def _attach(actor, item, submission, note):
    exists = db.session.scalar(
        select(BacklogEvidence).where(
            BacklogEvidence.item_id == item.id, BacklogEvidence.submission_id == submission.id
        )
    )
    if exists is not None:
        raise Conflict(
            "backlog.already_linked",
            message=_l("This contribution is already linked to this backlog item."),
        )
    try:
        with db.session.begin_nested():
            db.session.add(
                BacklogEvidence(item_id=item.id, submission_id=submission.id, added_by_id=actor.id)
            )
    except IntegrityError:
        raise Conflict(
            "backlog.already_linked",
            message=_l("This contribution is already linked to this backlog item."),
        ) from None
    db.session.add(
        SubmissionEvent(
            submission_id=submission.id,
            actor_id=actor.id,
            action="routed",
            from_status=submission.status,
            to_status=submission.status,
            note=(f"#{item.id} {item.title}" + (f" — {note}" if note else ""))[:2000],
        )
    )


# --- transitions ------------------------------------------------------------------------------


def _check_transition(item, to_status, note, details):
    if to_status not in TRANSITIONS.get(item.status, ()):
        raise Conflict(
            "backlog.transition_forbidden",
            message=_l("This item cannot move from its current status to the one asked."),
        )
    errors = {}
    if not note:
        errors["note"] = [_l("Explain this step in a note.")]
    elif len(note) > NOTE_MAX:
        errors["note"] = [_l("At most %(n)d characters.", n=NOTE_MAX)]
    if to_status == DECLINED:
        reason = details.get("decline_reason")
        if reason not in DECLINE_REASONS:
            errors["decline_reason"] = [_l("Say why the item is declined.")]
        elif reason == "exists_elsewhere" and not (details.get("decline_link") or "").startswith(
            ("http://", "https://")
        ):
            errors["decline_link"] = [_l("Give the address where the data already exists.")]
        elif reason == "other" and not (details.get("decline_text") or "").strip():
            errors["decline_text"] = [_l("Explain the reason.")]
    if to_status == POSTPONED and not isinstance(details.get("postponed_until"), date):
        errors["postponed_until"] = [_l("Give an approximate date.")]
    if details.get("due_date") is not None and not isinstance(details["due_date"], date):
        errors["due_date"] = [_l("Give a date.")]
    if errors:
        raise ValidationError("backlog.transition_invalid", fields=errors)


def transition(actor, item_id, to_status, note=None, **details):
    """Move an item to another status, with a note kept in its history; tell everyone linked."""
    note = (note or "").strip() or None
    with unit_of_work():
        item = get(item_id, lock=True)
        _require_manage(actor, item)
        _check_transition(item, to_status, note, details)
        before = item.status
        item.status = to_status
        item.due_date = details.get("due_date")
        if to_status == DECLINED:
            item.decline_reason = details["decline_reason"]
            item.decline_text = (details.get("decline_text") or "").strip() or None
            item.decline_link = (details.get("decline_link") or "").strip()[:500] or None
        item.postponed_until = details.get("postponed_until") if to_status == POSTPONED else None
        if to_status == PUBLISHED:
            catalogue.publish_item(item, details.get("dataset"))
        _history(item, actor, before, to_status, note)
        _notify_linked(item, actor)
        search.refresh("backlog_item", item.id)
    return item


def _history(item, actor, before, after, note):
    db.session.add(
        BacklogTransition(
            item_id=item.id, actor_id=actor.id, from_status=before, to_status=after, note=note
        )
    )


def _notify_linked(item, actor):
    from crowdsourcing import queries

    labels = status_labels()
    params = {"title": item.title}
    for locale in ("fr", "en"):
        with force_locale(locale):
            params[f"status_{locale}"] = str(labels[item.status])
    for person in queries.linked_people(item.id):
        if person.erased_at is not None or person.id == actor.id:
            continue
        notifications.notify(person, "backlog.status", params, link=f"/open-data/#item-{item.id}")


def is_final(status):
    return status in BACKLOG_FINAL


notifications.register_kind(
    "backlog.status",
    _l("The dataset “%(title)s” you asked for or supported is now: %(status)s."),
)
