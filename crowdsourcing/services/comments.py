"""Comments on dataset requests, backlog items and catalogue datasets.

Post-moderated: a comment is shown at once and its submission waits in the inbox; a
rejection, or enough reports, takes it off the pages.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crowdsourcing import registry
from crowdsourcing.models import APPROVED, COMMENT_TARGETS, PENDING, Comment, Dataset, Submission
from crowdsourcing.services import backlog, moderation
from crowdsourcing.services import requests as dataset_requests
from webapp.db import unit_of_work
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db

KIND = "comment"
BODY_MIN, BODY_MAX = 1, 2000


def _target(viewer, target_type, target_id):
    """The commented object as `viewer` may see it, with a short title; NotFound otherwise."""
    if target_type == "dataset_request":
        obj = dataset_requests.get_visible(viewer, target_id)
        return obj, obj.title, None
    if target_type == "backlog_item":
        if not backlog.can_view_staff_pages(viewer):
            raise NotFound("comment.target_not_found")
        obj = backlog.get(target_id)
        return obj, obj.title, obj.department_id
    if target_type == "dataset":
        obj = db.session.get(Dataset, target_id) if target_id else None
        if obj is None:
            raise NotFound("comment.target_not_found")
        return obj, obj.title, obj.department_id
    raise NotFound("comment.target_not_found")


def _clean(target_type, target_id, body):
    errors = {}
    if target_type not in COMMENT_TARGETS:
        errors["target"] = [_l("Unknown kind of page.")]
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        errors["id"] = [_l("Give the number of the page.")]
    body = (body or "").strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        errors["body"] = [
            _l("Between %(low)d and %(high)d characters.", low=BODY_MIN, high=BODY_MAX)
        ]
    if errors:
        raise ValidationError("comment.invalid", fields=errors)
    return body


def create(actor, target_type, target_id, body):
    """Publish a member's comment at once and queue it for review."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("comment.login_required")
    body = _clean(target_type, target_id, body)
    with unit_of_work():
        _obj, title, department_id = _target(actor, target_type, target_id)
        comment = Comment(
            target_type=target_type, target_id=target_id, author_id=actor.id, body=body
        )
        db.session.add(comment)
        db.session.flush()
        moderation.submit(
            KIND,
            comment.id,
            str(_l("Comment on “%(title)s”", title=title)),
            actor,
            department_id=department_id,
            context=f"{target_type}:{target_id}",
        )
    return comment


def visible(viewer, target_type, target_id):
    """The comments `viewer` may read on a target they may see, oldest first, with submissions."""
    _target(viewer, target_type, target_id)
    query = (
        select(Comment, Submission)
        .join(Submission, (Submission.kind == KIND) & (Submission.object_id == Comment.id))
        .where(
            Comment.target_type == target_type,
            Comment.target_id == target_id,
            Comment.hidden.is_(False),
            Submission.hidden.is_(False),
            Submission.status.in_((PENDING, APPROVED)),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    return db.session.execute(query).all()


def _url(comment):
    if comment.target_type == "dataset_request":
        return f"/requests/{comment.target_id}#comment-{comment.id}"
    if comment.target_type == "backlog_item":
        return f"/backlog/{comment.target_id}#comment-{comment.id}"
    dataset = db.session.get(Dataset, comment.target_id)
    return f"/catalogue/{dataset.slug}#comment-{comment.id}" if dataset else None


def _set_hidden(value):
    def callback(comment, submission):
        comment.hidden = value

    return callback


registry.register_kind(
    registry.SubmissionKind(
        name=KIND,
        label=_l("Comment"),
        load=lambda object_id: db.session.get(Comment, object_id),
        load_objects=registry.by_ids(Comment),
        preview=lambda comment: comment.body,
        url=_url,
        on_approve=_set_hidden(False),
        on_reject=_set_hidden(True),
        on_hide=_set_hidden(True),
        post_moderated=True,
    )
)


def submission_of(comment):
    return db.session.scalar(
        select(Submission).where(Submission.kind == KIND, Submission.object_id == comment.id)
    )
