"""HTML pages of the pipeline (the inbox, decisions, my contributions, dataset requests)."""

import functools
import logging

from flask import Blueprint, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from crowdsourcing import registry
from webapp.accounts import policies
from webapp.accounts.models import Department
from webapp.db import utcnow
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.urls import is_local

bp = Blueprint("crowdsourcing", __name__, template_folder="../templates")
log = logging.getLogger(__name__)


def status_labels():
    return {
        "pending": _("Waiting for review"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "changes_requested": _("Changes requested"),
        "duplicate": _("Duplicate"),
        "withdrawn": _("Withdrawn"),
    }


def flag_reason_labels():
    return {
        "spam": _("Spam"),
        "abusive": _("Abusive"),
        "wrong": _("Wrong information"),
        "personal_data": _("Personal data"),
    }


def action_labels():
    return {
        "submitted": _("Submitted"),
        "claimed": _("Reserved for review"),
        "released": _("Released"),
        "approve": _("Approved"),
        "reject": _("Rejected"),
        "request_changes": _("Changes requested"),
        "duplicate": _("Marked as duplicate"),
        "resubmitted": _("Resubmitted"),
        "withdrawn": _("Withdrawn"),
        "hidden": _("Hidden after reports"),
        "routed": _("Routed to the open-data backlog"),
    }


@bp.context_processor
def _page_globals():
    return {
        "status_labels": status_labels(),
        "flag_reason_labels": flag_reason_labels(),
        "action_labels": action_labels(),
        "kind_label": lambda name: registry.KINDS[name].label if name in registry.KINDS else name,
        "now": utcnow(),
        "locale": str(get_locale()),
    }


def _require(permission):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            policies.require(current_user, permission)
            return view(*args, **kwargs)

        return wrapped

    return decorator


moderators_only = _require("moderation.decide")
admins_only = _require("moderation.configure")


def _user():
    return current_user._get_current_object()


def _int(value, field, message):
    """Parse an integer from a form; None when empty."""
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{field}.invalid", fields={field: [message]}) from None


def _url(kind, obj):
    """The object's page, or None when its package does not serve that page (yet): a kind
    pointing at a missing endpoint must not take the inbox down with it."""
    try:
        return kind.url(obj)
    except BuildError:
        log.warning("no page for a %s submission (%s)", kind.name, obj)
        return None


def _described(submission):
    """The submission's preview text and object URL, through its kind."""
    kind = registry.KINDS.get(submission.kind)
    obj = kind.load(submission.object_id) if kind else None
    return (kind.preview(obj), _url(kind, obj)) if obj is not None else (None, None)


def _described_many(submissions):
    """(preview, url) of each submission, objects loaded per kind (not row by row)."""
    from crowdsourcing.services import moderation

    objects = moderation.objects_of(submissions)
    described = []
    for submission in submissions:
        kind = registry.KINDS.get(submission.kind)
        obj = objects.get((submission.kind, submission.object_id))
        described.append((kind.preview(obj), _url(kind, obj)) if obj is not None else (None, None))
    return described


def _object_url(submission):
    kind = registry.KINDS.get(submission.kind)
    obj = kind.load(submission.object_id) if kind else None
    return _url(kind, obj) if obj is not None else None


def _departments():
    locale = str(get_locale())
    rows = db.session.scalars(select(Department).order_by(Department.name_fr)).all()
    return rows, locale


def _back(default):
    target = request.form.get("next") or ""
    return target if is_local(target) else default


# --- the inbox --------------------------------------------------------------------------------


# The pages themselves; imported last so they find `bp` and the helpers above.
from crowdsourcing.views import (  # noqa: E402, F401
    backlog_pages,
    catalogue_pages,
    comment_pages,
    hackathon_pages,
    inbox_pages,
    member_pages,
    proposal_pages,
    team_pages,
)
