"""Dataset requests: a member asks for a dataset; others say “I need this too”.

A request is a submission like any other: public once a moderator approves it.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from crowdsourcing import registry
from crowdsourcing.models import (
    APPROVED,
    DatasetRequest,
    DatasetRequestSupport,
    Submission,
)
from crowdsourcing.services import moderation
from webapp.accounts import policies
from webapp.accounts.models import Department
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.text import one_line

KIND = "dataset_request"
LIMITS = {
    "title": (5, 200),
    "description": (10, 4000),
    "reason": (0, 4000),
    "intended_use": (0, 4000),
    "wished_format": (0, 80),
}


def _clean(data):
    cleaned, errors = {}, {}
    for field, (low, high) in LIMITS.items():
        value = (data.get(field) or "").strip()
        if field in ("title", "wished_format"):
            value = one_line(value)
        if not low <= len(value) <= high:
            errors[field] = [_l("Between %(low)d and %(high)d characters.", low=low, high=high)]
        cleaned[field] = value or None
    slug = data.get("department") or None
    department = None
    if slug:
        department = db.session.scalar(select(Department).where(Department.slug == slug))
        if department is None:
            errors["department"] = [_l("This department does not exist.")]
    if errors:
        raise ValidationError("dataset_request.invalid", fields=errors)
    return cleaned, department


def create(actor, data, context=None):
    """Record a request and put it in the moderation pipeline.

    `context` files it in the inbox under what it came from (e.g. "workshop:<slug>")."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("dataset_request.login_required")
    cleaned, department = _clean(data)
    with unit_of_work():
        request = DatasetRequest(requester_id=actor.id, department=department, **cleaned)
        db.session.add(request)
        db.session.flush()
        moderation.submit(
            KIND,
            request.id,
            request.title,
            actor,
            department_id=department.id if department else None,
            context=context,
        )
    return request


def update(actor, request_id, data):
    """The requester edits a request while it waits or after changes were asked."""
    cleaned, department = _clean(data)
    with unit_of_work():
        request = db.session.get(DatasetRequest, request_id)
        if request is None:
            raise NotFound("dataset_request.not_found")
        if request.requester_id != actor.id:
            raise PermissionDenied("dataset_request.not_yours")
        submission = submission_of(request)
        if submission.status not in ("pending", "changes_requested"):
            raise Conflict(
                "dataset_request.decided",
                message=_l("This request was already decided and can no longer be edited."),
            )
        for key, value in cleaned.items():
            setattr(request, key, value)
        request.department = department
        submission.title = request.title
        submission.department_id = department.id if department else None
    return request


def submission_of(request):
    return db.session.scalar(
        select(Submission).where(Submission.kind == KIND, Submission.object_id == request.id)
    )


def is_public(request):
    submission = submission_of(request)
    return submission is not None and submission.status == APPROVED and not submission.hidden


def get_visible(viewer, request_id):
    """A request as `viewer` may see it: published, or their own, or any for moderators."""
    request = db.session.get(DatasetRequest, request_id)
    mine = (
        request is not None
        and getattr(viewer, "is_authenticated", False)
        and request.requester_id == viewer.id
    )
    if request is None or not (
        is_public(request) or mine or policies.can(viewer, "moderation.decide")
    ):
        raise NotFound("dataset_request.not_found")
    return request


def support(actor, request_id):
    """“I need this too”, once per member, on a published request."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("dataset_request.login_required")
    with unit_of_work():
        request = db.session.get(DatasetRequest, request_id)
        if request is None or not is_public(request):
            raise NotFound("dataset_request.not_found")
        exists = db.session.scalar(
            select(DatasetRequestSupport).where(
                DatasetRequestSupport.request_id == request_id,
                DatasetRequestSupport.user_id == actor.id,
            )
        )
        if exists is None and request.requester_id != actor.id:
            db.session.add(DatasetRequestSupport(request_id=request_id, user_id=actor.id))
    return supporters_count(request_id)


def withdraw_support(actor, request_id):
    # A request the actor may not see gives away neither its existence nor its count.
    get_visible(actor, request_id)
    with unit_of_work():
        db.session.execute(
            delete(DatasetRequestSupport).where(
                DatasetRequestSupport.request_id == request_id,
                DatasetRequestSupport.user_id == actor.id,
            )
        )
    return supporters_count(request_id)


def supporters_count(request_id):
    return db.session.scalar(
        select(func.count())
        .select_from(DatasetRequestSupport)
        .where(DatasetRequestSupport.request_id == request_id)
    )


def _preview(request):
    parts = [request.description]
    if request.intended_use:
        parts.append(str(_l("Use: %(use)s", use=request.intended_use)))
    if request.wished_format:
        parts.append(str(_l("Format: %(format)s", format=request.wished_format)))
    return "\n".join(parts)


registry.register_kind(
    registry.SubmissionKind(
        name=KIND,
        label=_l("Dataset request"),
        load=lambda object_id: db.session.get(DatasetRequest, object_id),
        load_objects=registry.by_ids(DatasetRequest),
        preview=_preview,
        url=lambda request: f"/requests/{request.id}",
    )
)
