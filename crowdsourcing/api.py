"""The pipeline in the JSON API: the inbox and decisions, my submissions, dataset requests, flags."""

import marshmallow as ma
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate

from crowdsourcing import queries, registry, stats
from crowdsourcing.models import BACKLOG_STATUSES, FLAG_REASONS, STATUSES
from crowdsourcing.services import moderation
from crowdsourcing.services import requests as dataset_requests
from webapp.accounts import policies
from webapp.schemas import StrictSchema, error_responses
from webapp.security import api_user
from webapp.urls import SQL_INTEGER_MAX

bp = Blueprint(
    "api_moderation", __name__, url_prefix="/api/v1", description="Moderation and dataset requests"
)


class SubmissionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    version = ma.fields.Integer(
        required=True, metadata={"description": "Send it back with a decision"}
    )
    preview = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    flag_count = ma.fields.Integer(required=True)
    hidden = ma.fields.Boolean(required=True)
    claimed = ma.fields.Boolean(required=True)


class InboxPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SubmissionSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, metadata={"description": "Pass as `after`"})


class InboxQuerySchema(ma.Schema):
    status = ma.fields.String(load_default="pending", validate=validate.OneOf(STATUSES))
    kind = ma.fields.String(load_default=None)
    department = ma.fields.Integer(load_default=None)
    context = ma.fields.String(load_default=None)
    older_than_days = ma.fields.Integer(load_default=None, validate=validate.Range(min=1, max=3650))
    flagged = ma.fields.Boolean(load_default=False)
    duplicate_hint = ma.fields.Boolean(load_default=False)
    after = ma.fields.String(load_default=None)


class DecisionSchema(StrictSchema):
    action = ma.fields.String(required=True, validate=validate.OneOf(list(moderation.ACTIONS)))
    version = ma.fields.Integer(required=True)
    reason_id = ma.fields.Integer(load_default=None)
    note = ma.fields.String(load_default=None)
    duplicate_of = ma.fields.Integer(load_default=None)


class FlagSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(FLAG_REASONS))
    note = ma.fields.String(load_default=None)


class DatasetRequestInSchema(StrictSchema):
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    reason = ma.fields.String(load_default=None)
    intended_use = ma.fields.String(load_default=None)
    wished_format = ma.fields.String(load_default=None)
    department = ma.fields.String(load_default=None, metadata={"description": "Department slug"})


class DatasetRequestSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    reason = ma.fields.String(allow_none=True)
    intended_use = ma.fields.String(allow_none=True)
    wished_format = ma.fields.String(allow_none=True)
    department = ma.fields.String(allow_none=True)
    supporters = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


def _moderator():
    user = api_user()
    policies.require(user, "moderation.decide")
    return user


def submission_body(submission, with_preview=True):
    kind = registry.KINDS.get(submission.kind)
    obj = kind.load(submission.object_id) if kind and with_preview else None
    locale = str(get_locale())
    return {
        "id": submission.id,
        "kind": submission.kind,
        "title": submission.title,
        "status": submission.status,
        "version": submission.version,
        "preview": kind.preview(obj) if obj is not None else None,
        "created_at": submission.created_at,
        "decided_at": submission.decided_at,
        "reason": submission.reason.text(locale) if submission.reason else None,
        "decision_note": submission.decision_note,
        "flag_count": submission.flag_count,
        "hidden": submission.hidden,
        "claimed": submission.claimed_by_id is not None,
    }


def encode_cursor(after):
    return f"{after[0].isoformat()}|{after[1]}" if after else None


def decode_cursor(raw):
    from datetime import datetime

    try:
        stamp, _, ident = (raw or "").partition("|")
        after = (datetime.fromisoformat(stamp), int(ident)) if raw else None
        # An id out of the column's range would reach the database and fail there (500).
        if after is not None and not 0 < after[1] <= SQL_INTEGER_MAX:
            raise ValueError(ident)
        return after
    except ValueError:
        from webapp.errors import ValidationError

        raise ValidationError(
            "inbox.cursor_invalid",
            fields={
                "after": [_l("This page marker is not valid: start again from the first page.")]
            },
        ) from None


@bp.route("/moderation/submissions")
class InboxResource(MethodView):
    @bp.arguments(InboxQuerySchema, location="query")
    @bp.response(200, InboxPageSchema)
    @error_responses(bp, 401, 403)
    def get(self, args):
        """The moderation inbox, oldest first, with keyset pagination."""
        _moderator()
        rows, after = queries.inbox(args, after=decode_cursor(args.pop("after")))
        return {"items": [submission_body(s) for s in rows], "next_cursor": encode_cursor(after)}


@bp.route("/moderation/submissions/<int:submission_id>/decision")
class DecisionResource(MethodView):
    @bp.arguments(DecisionSchema)
    @bp.response(200, SubmissionSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, submission_id):
        """Approve, reject, ask for changes or mark as duplicate; 409 if someone decided first."""
        submission = moderation.decide(
            _moderator(),
            submission_id,
            data["version"],
            data["action"],
            data["reason_id"],
            data["note"],
            data["duplicate_of"],
        )
        return submission_body(submission)


@bp.route("/my/submissions")
class MySubmissionsResource(MethodView):
    @bp.response(200, SubmissionSchema(many=True))
    @error_responses(bp, 401)
    def get(self):
        """Your contributions, their status and the reason of each decision."""
        return [submission_body(s, with_preview=False) for s in queries.of_submitter(api_user())]


@bp.route("/submissions/<int:submission_id>/flags")
class FlagResource(MethodView):
    @bp.arguments(FlagSchema)
    @bp.response(201, SubmissionSchema)
    @error_responses(bp, 401, 404, 409, 422)
    def post(self, data, submission_id):
        """Report a published item (spam, abusive, wrong, personal data)."""
        submission = moderation.flag(api_user(), submission_id, data["reason"], data["note"])
        return submission_body(submission, with_preview=False)


def request_body(request):
    submission = dataset_requests.submission_of(request)
    return {
        "id": request.id,
        "title": request.title,
        "description": request.description,
        "reason": request.reason,
        "intended_use": request.intended_use,
        "wished_format": request.wished_format,
        "department": request.department.slug if request.department else None,
        "supporters": dataset_requests.supporters_count(request.id),
        "status": submission.status if submission else "pending",
        "created_at": request.created_at,
    }


@bp.route("/dataset-requests")
class DatasetRequestsResource(MethodView):
    @bp.response(200, DatasetRequestSchema(many=True))
    def get(self):
        """Published dataset requests, most supported first."""
        return [request_body(r) for r, _n in queries.public_requests()]

    @bp.arguments(DatasetRequestInSchema)
    @bp.response(201, DatasetRequestSchema)
    @error_responses(bp, 401, 422)
    def post(self, data):
        """Ask for a dataset; it is public once a moderator approves it."""
        return request_body(dataset_requests.create(api_user(), data))


def _visible_request(request_id):
    return dataset_requests.get_visible(current_user, request_id)


@bp.route("/dataset-requests/<int:request_id>")
class DatasetRequestResource(MethodView):
    @bp.response(200, DatasetRequestSchema)
    @error_responses(bp, 404)
    def get(self, request_id):
        """One dataset request (published, or yours, or any for moderators)."""
        return request_body(_visible_request(request_id))


@bp.route("/dataset-requests/<int:request_id>/support")
class SupportResource(MethodView):
    @bp.response(200, DatasetRequestSchema)
    @error_responses(bp, 401, 404)
    def put(self, request_id):
        """“I need this too”."""
        dataset_requests.support(api_user(), request_id)
        return request_body(_visible_request(request_id))

    @bp.response(200, DatasetRequestSchema)
    @error_responses(bp, 401, 404)
    def delete(self, request_id):
        """Take back your “I need this too”."""
        dataset_requests.withdraw_support(api_user(), request_id)
        return request_body(_visible_request(request_id))


class KindStatusCountSchema(ma.Schema):
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    count = ma.fields.Integer(required=True)


class DecisionTimeSchema(ma.Schema):
    decided = ma.fields.Integer(
        required=True, metadata={"description": "Submissions decided in the period of `weeks`"}
    )
    median_seconds = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Median time from submission to decision; null if none"},
    )


class PendingItemSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class BacklogStatusCountSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=validate.OneOf(BACKLOG_STATUSES))
    count = ma.fields.Integer(required=True)


class BacklogDepartmentCountSchema(ma.Schema):
    department = ma.fields.String(
        allow_none=True, metadata={"description": "Department slug; null for no department"}
    )
    count = ma.fields.Integer(required=True)


class WeekSchema(ma.Schema):
    week = ma.fields.String(required=True, metadata={"description": "ISO week, e.g. 2024-W07"})
    start = ma.fields.DateTime(required=True, metadata={"description": "Monday 00:00 UTC"})
    submitted = ma.fields.Integer(required=True)
    decided = ma.fields.Integer(required=True)


class DashboardSchema(ma.Schema):
    counts = ma.fields.List(ma.fields.Nested(KindStatusCountSchema), required=True)
    decision = ma.fields.Nested(DecisionTimeSchema, required=True)
    oldest_pending = ma.fields.List(
        ma.fields.Nested(PendingItemSchema),
        required=True,
        metadata={"description": "The 10 pending submissions waiting longest, oldest first"},
    )
    backlog_by_status = ma.fields.List(ma.fields.Nested(BacklogStatusCountSchema), required=True)
    backlog_by_department = ma.fields.List(
        ma.fields.Nested(BacklogDepartmentCountSchema), required=True
    )
    weeks = ma.fields.List(
        ma.fields.Nested(WeekSchema),
        required=True,
        metadata={"description": "The last 12 ISO weeks (UTC), oldest first"},
    )
    generated_at = ma.fields.DateTime(required=True)


def dashboard_body(figures):
    return {
        "counts": [
            {"kind": kind, "status": status, "count": n}
            for kind, by_status in sorted(figures["counts"].items())
            for status, n in sorted(by_status.items())
        ],
        "decision": figures["decision"],
        "oldest_pending": [
            {"id": s.id, "kind": s.kind, "title": s.title, "created_at": s.created_at}
            for s in figures["oldest"]
        ],
        "backlog_by_status": [
            {"status": status, "count": n} for status, n in figures["backlog_by_status"].items()
        ],
        "backlog_by_department": [
            {"department": d.slug if d else None, "count": n}
            for d, n in figures["backlog_by_department"]
        ],
        "weeks": figures["weeks"],
        "generated_at": figures["generated_at"],
    }


@bp.route("/moderation/dashboard")
class DashboardResource(MethodView):
    @bp.response(200, DashboardSchema)
    @error_responses(bp, 401, 403)
    def get(self):
        """The moderators' dashboard: counts, time to decision, oldest items, backlog, trends."""
        _moderator()
        return dashboard_body(stats.dashboard())
