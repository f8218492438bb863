"""What the mapping-party pages and their JSON show: read-only, shaped for one viewer.

The party page, its task cells (as table rows and as GeoJSON), the live feed of
contributions and the summary. People appear only as their privacy settings allow the
viewer, and features as `policies.sees_exact` allows: the public geometry for everyone
but staff, so a sensitive feature's real place never reaches the page.
"""

import json
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from mapping import geo, policies, queries
from mapping.models import (
    ARCHIVED,
    CHANGES_REQUESTED,
    HIDDEN,
    PENDING,
    PUBLISHED,
    REJECTED,
    REMOVED,
    TASK_CLAIMED,
    TASK_DONE,
    TASK_OPEN,
    TASK_STATUSES,
    TASK_VALIDATED,
    Feature,
    Inventory,
    MappingParty,
    Task,
)
from mapping.services import parties, tasks
from webapp.accounts.models import User
from webapp.db import utcnow
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.profiles import visibility
from webapp.registrations import queries as registration_queries
from webapp.registrations.models import CONFIRMED, WAITLISTED

FEED_LIMIT = 1000


def task_status_labels():
    # "Open" alone is already a verb (a button) in the catalogue: these are states of a cell.
    return {
        TASK_OPEN: pgettext("task status", "Open"),
        TASK_CLAIMED: pgettext("task status", "Claimed"),
        TASK_DONE: pgettext("task status", "Done"),
        TASK_VALIDATED: pgettext("task status", "Validated"),
    }


def type_labels():
    return {"Point": _l("Points"), "LineString": _l("Lines"), "Polygon": _l("Areas")}


def feature_status_labels():
    return {
        PENDING: _l("Waiting for review"),
        PUBLISHED: _l("Published"),
        CHANGES_REQUESTED: _l("Changes requested"),
        REJECTED: _l("Rejected"),
        HIDDEN: _l("Hidden"),
        REMOVED: _l("Removed"),
    }


def index(now=None):
    """Upcoming parties (soonest first) and past ones (latest first)."""
    return {"upcoming": parties.listed(True, now), "past": parties.listed(False, now)}


def _is_participant(viewer, party, registration):
    return policies.can_manage_party(viewer, party) or (
        registration is not None and registration.status == CONFIRMED
    )


def _cells(party):
    return db.session.scalars(
        select(Task)
        .options(selectinload(Task.claimed_by))
        .where(Task.party_id == party.id)
        .order_by(Task.number)
    ).all()


def task_rows(viewer, party, registration=None, now=None):
    """Each cell with its effective status, who holds it, and what the viewer may do."""
    now = now or utcnow()
    authenticated = viewer is not None and getattr(viewer, "is_authenticated", False)
    may_map = authenticated and _is_participant(viewer, party, registration)
    cells = _cells(party)
    holding = authenticated and any(
        t.claimed_by_id == viewer.id and tasks.effective_status(t, now) == TASK_CLAIMED
        for t in cells
    )
    rows = []
    for task in cells:
        status = tasks.effective_status(task, now)
        mine = authenticated and task.status == TASK_CLAIMED and task.claimed_by_id == viewer.id
        may_validate = authenticated and policies.can_validate_task(viewer, party, task)
        actions = []
        if may_map and (status == TASK_OPEN and not holding or (mine and status == TASK_OPEN)):
            actions.append("claim")
        if mine:
            actions += ["done", "release"]
        if status == TASK_DONE and may_validate:
            actions.append("validate")
        if status in (TASK_DONE, TASK_VALIDATED) and may_validate:
            actions.append("reopen")
        held = status == TASK_CLAIMED and task.claimed_by is not None
        rows.append(
            {
                "task": task,
                "status": status,
                "holder": visibility.display_name(viewer, task.claimed_by) if held else None,
                "until": task.claimed_until if held else None,
                "mine": bool(mine),
                "expired": bool(mine) and status == TASK_OPEN,
                "actions": actions,
            }
        )
    return rows


def progress(rows):
    counts = dict.fromkeys(TASK_STATUSES, 0)
    for row in rows:
        counts[row["status"]] += 1
    total = len(rows)
    finished = counts[TASK_DONE] + counts[TASK_VALIDATED]
    return {
        "counts": counts,
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 0,
    }


def tasks_geojson(rows):
    """The cells as a GeoJSON FeatureCollection (at most a few hundred: embedded is fine)."""
    labels = task_status_labels()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["task"].id,
                "geometry": geo.to_geojson(geo.from_db(row["task"].geom)),
                "properties": {
                    "number": row["task"].number,
                    "status": row["status"],
                    "status_label": str(labels[row["status"]]),
                    "holder": row["holder"],
                    "until": row["until"].astimezone(UTC).isoformat() if row["until"] else None,
                    "mine": row["mine"],
                },
            }
            for row in rows
        ],
    }


def page(viewer, slug, now=None):
    """Everything the party page shows to this viewer."""
    party = parties.by_slug(slug)
    registration = registration_queries.registration_of(viewer, party.registration_list_id)
    rows = task_rows(viewer, party, registration, now)
    managers = [m.user_id for m in party.registration_list.managers]
    return {
        "party": party,
        "event": party.registration_list,
        "registration": registration,
        "position": registration_queries.waitlist_position(registration),
        "rows": rows,
        "progress": progress(rows),
        "can_manage": policies.can_manage_party(viewer, party),
        "is_participant": bool(viewer and viewer.is_authenticated)
        and _is_participant(viewer, party, registration),
        "is_past": parties.is_past(party, now),
        "organisers": _users(managers),
        "validators": _users([v.user_id for v in party.validators]),
    }


def inventory_choices():
    """The inventories a party may use, for the organisers' form."""
    rows = db.session.scalars(
        select(Inventory).where(Inventory.status != ARCHIVED).order_by(Inventory.title)
    ).all()
    return [(i.id, i.title) for i in rows]


def participant_choices(viewer, party):
    """Confirmed participants (and already named validators), to choose validators from."""
    confirmed, _waiting = registration_queries.attendees(party.registration_list_id)
    people = {r.user.id: r.user for r in confirmed}
    people.update({u.id: u for u in _users([v.user_id for v in party.validators])})
    return [(uid, visibility.display_name(viewer, people[uid])) for uid in sorted(people)]


def _users(ids):
    if not ids:
        return []
    return db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()


TASK_ACTIONS = {
    "claim": lambda actor, task_id, note: tasks.claim(actor, task_id),
    "release": lambda actor, task_id, note: tasks.release(actor, task_id),
    "done": tasks.mark_done,
    "validate": tasks.validate,
    "reopen": tasks.reopen,
}


def task_action(actor, slug, task_id, action, note=None):
    """Claim, release, mark done, validate or reopen a cell of this party."""
    party = parties.by_slug(slug)
    task = db.session.get(Task, task_id)
    if task is None or task.party_id != party.id:
        raise NotFound("task.not_found")
    return TASK_ACTIONS[action](actor, task_id, note)


def why_cannot_claim(viewer, slug):
    """Why this viewer may not claim a cell, in words they can act on."""
    party = parties.by_slug(slug)
    registration = registration_queries.registration_of(viewer, party.registration_list_id)
    if registration is not None and registration.status == WAITLISTED:
        return _l(
            "You are on the waitlist, number %(position)d: you can claim a cell once a place "
            "frees up for you.",
            position=registration_queries.waitlist_position(registration),
        )
    return _l("Register for the mapping party to claim a cell.")


# --- live feed ----------------------------------------------------------------------------------


def parse_since(value):
    """An ISO 8601 instant (UTC when no offset is given), or None."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            "party.since_invalid",
            fields={"since": [_l("Give an ISO 8601 date and time, e.g. 2026-06-01T10:00:00Z.")]},
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _feed_statuses(viewer):
    """Staff follow everything but removed features; others what is published, plus their
    own contributions waiting for review."""
    if policies.can_moderate(viewer):
        return Feature.status != REMOVED
    published = Feature.status == PUBLISHED
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return published
    own = and_(Feature.created_by_id == viewer.id, Feature.status.in_((PENDING, CHANGES_REQUESTED)))
    return or_(published, own)


def live_features(viewer, party, since=None, now=None, limit=FEED_LIMIT):
    """The party's features changed since an instant, oldest change first, as GeoJSON.

    `next_since` is what to ask for next time: the request's time, or, when the answer
    was cut at `limit`, the last change returned (asked again with >=, the client keeps
    one copy per id)."""
    now = now or utcnow()
    exact = policies.sees_exact(viewer)
    conditions = [Feature.party_id == party.id, _feed_statuses(viewer)]
    if since is not None:
        conditions.append(Feature.updated_at >= since)
    query = (
        queries.feature_rows(conditions, exact, limit + 1, 0)
        .add_columns(Feature.inventory_id, Feature.geometry_type)
        .order_by(None)
        .order_by(Feature.updated_at, Feature.id)
    )
    rows = db.session.execute(query).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    next_since = rows[-1].updated_at if truncated else now
    return {
        "type": "FeatureCollection",
        "features": [_feed_feature(row) for row in rows],
        "numberReturned": len(rows),
        "truncated": truncated,
        "next_since": next_since.astimezone(UTC).isoformat(),
    }


def _feed_feature(row):
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": json.loads(row.geometry),
        "properties": {
            **(row.properties or {}),
            "_status": row.status,
            "_sensitive": bool(row.is_sensitive),
            "_inventory": row.inventory_id,
            "_type": row.geometry_type,
            "_created_at": row.created_at.astimezone(UTC).isoformat(),
        },
    }


def party_of(slug):
    """The party by its address, with what its pages need loaded."""
    party = db.session.scalar(
        select(MappingParty)
        .options(selectinload(MappingParty.inventories))
        .where(MappingParty.slug == slug)
    )
    return party if party is not None else parties.by_slug(slug)


# --- summary ------------------------------------------------------------------------------------


def summary(viewer, slug, now=None):
    """The page after: the service's summary with names as the viewer may see them."""
    party = party_of(slug)
    data = parties.summary(party)
    contributors = [
        (visibility.display_name(viewer, user), count) for user, count in data["contributors"]
    ]
    total_cells = sum(data["tasks"].values())
    finished = data["tasks"].get(TASK_DONE, 0) + data["tasks"].get(TASK_VALIDATED, 0)
    return {
        "party": party,
        "event": party.registration_list,
        "is_past": parties.is_past(party, now),
        "contributors": contributors,
        "by_type": data["by_type"],
        "by_status": data["by_status"],
        "total": data["total"],
        "photos": data["photos"],
        "cells": {"total": total_cells, "finished": finished},
        "percent": round(100 * finished / total_cells) if total_cells else 0,
    }
