"""Comments in the JSON API: read and post them on a dataset request, backlog item or dataset."""

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate

from crowdsourcing.models import COMMENT_TARGETS, Comment
from crowdsourcing.services import comments
from webapp import idempotency
from webapp.extensions import db
from webapp.profiles import visibility
from webapp.schemas import StrictSchema, error_responses
from webapp.security import api_user

bp = Blueprint("api_comments", __name__, url_prefix="/api/v1", description="Comments")


class CommentTargetSchema(ma.Schema):
    target = ma.fields.String(
        required=True,
        validate=validate.OneOf(COMMENT_TARGETS),
        metadata={"description": "dataset_request, backlog_item or dataset"},
    )
    id = ma.fields.Integer(required=True, metadata={"description": "The target's id"})


class CommentInSchema(StrictSchema):
    body = ma.fields.String(required=True, metadata={"description": "1 to 2000 characters"})


class CommentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    target = ma.fields.String(required=True)
    target_id = ma.fields.Integer(required=True)
    author = ma.fields.String(
        required=True, metadata={"description": "As the author's privacy settings allow"}
    )
    body = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    submission_id = ma.fields.Integer(
        required=True, metadata={"description": "Report it at /submissions/{id}/flags"}
    )


def comment_body(comment, submission):
    author = comment.author
    return {
        "id": comment.id,
        "target": comment.target_type,
        "target_id": comment.target_id,
        "author": visibility.display_name(current_user, author) if author else _("Deleted account"),
        "body": comment.body,
        "created_at": comment.created_at,
        "submission_id": submission.id,
    }


@bp.route("/comments")
class CommentsResource(MethodView):
    @bp.arguments(CommentTargetSchema, location="query")
    @bp.response(200, CommentSchema(many=True))
    @error_responses(bp, 404)
    def get(self, target):
        """The visible comments of a target, oldest first (published at once, reviewed after)."""
        rows = comments.visible(current_user, target["target"], target["id"])
        return [comment_body(c, s) for c, s in rows]

    @bp.arguments(CommentTargetSchema, location="query")
    @bp.arguments(CommentInSchema)
    @bp.response(201, CommentSchema)
    @bp.doc(parameters=[idempotency.OPENAPI_PARAMETER])
    @error_responses(bp, 401, 404, 422)
    def post(self, target, data):
        """Comment on a target you can see; it is shown at once and reviewed by moderators.

        With an `Idempotency-Key` header, a retry gets the same comment back, never a second.
        """
        actor = api_user()
        key = idempotency.key_from_request()
        comment, _replayed = idempotency.run_once(
            actor,
            key,
            f"comment:{target['target']}:{target['id']}",
            data,
            lambda: comments.create(actor, target["target"], target["id"], data["body"]),
            lambda comment_id: db.session.get(Comment, comment_id),
        )
        return comment_body(comment, comments.submission_of(comment))
