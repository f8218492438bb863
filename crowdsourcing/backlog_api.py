"""The dataset backlog in the JSON API: items, their transitions, routing submissions."""

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from crowdsourcing import queries
from crowdsourcing.api import _moderator
from crowdsourcing.models import BACKLOG_STATUSES, DECLINE_REASONS, LICENCES, PRIORITIES
from crowdsourcing.services import backlog
from webapp.errors import PermissionDenied
from webapp.schemas import StrictSchema, error_responses
from webapp.security import api_user

bp = Blueprint("api_backlog", __name__, url_prefix="/api/v1", description="The open-data backlog")


class DemandSchema(ma.Schema):
    people = ma.fields.Integer(
        required=True,
        metadata={
            "description": "Distinct requesters of linked requests, their supporters and "
            "the supporters of the app proposals behind them"
        },
    )
    evidence = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "Linked submissions by kind"},
    )
    proposals = ma.fields.Integer(
        required=True,
        metadata={"description": "App proposals whose missing data is linked to the item"},
    )


class BacklogItemSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    department = ma.fields.String(allow_none=True, metadata={"description": "Department slug"})
    steward_id = ma.fields.Integer(allow_none=True)
    formats = ma.fields.String(allow_none=True)
    licence = ma.fields.String(allow_none=True, validate=validate.OneOf(LICENCES))
    licence_conditions = ma.fields.String(allow_none=True)
    priority = ma.fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    status = ma.fields.String(required=True, validate=validate.OneOf(BACKLOG_STATUSES))
    due_date = ma.fields.Date(allow_none=True)
    overdue = ma.fields.Boolean(required=True)
    decline_reason = ma.fields.String(allow_none=True)
    decline_text = ma.fields.String(allow_none=True)
    decline_link = ma.fields.String(allow_none=True)
    postponed_until = ma.fields.Date(allow_none=True)
    demand = ma.fields.Nested(DemandSchema, required=True)
    evidence = ma.fields.List(
        ma.fields.Integer(), required=True, metadata={"description": "Linked submission ids"}
    )
    created_at = ma.fields.DateTime(required=True)


class BacklogQuerySchema(ma.Schema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(BACKLOG_STATUSES))
    department = ma.fields.Integer(load_default=None)
    sort = ma.fields.String(
        load_default="priority", validate=validate.OneOf(["priority", "demand", "due"])
    )


class BacklogItemInSchema(StrictSchema):
    title = ma.fields.String(required=True)
    description = ma.fields.String(load_default="")
    department = ma.fields.String(load_default=None, metadata={"description": "Department slug"})
    steward = ma.fields.Integer(load_default=None, metadata={"description": "User id"})
    formats = ma.fields.String(load_default=None)
    licence = ma.fields.String(load_default=None, validate=validate.OneOf(LICENCES))
    licence_conditions = ma.fields.String(load_default=None)
    priority = ma.fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    due_date = ma.fields.Date(load_default=None)


class TransitionInSchema(StrictSchema):
    to_status = ma.fields.String(required=True, validate=validate.OneOf(BACKLOG_STATUSES))
    note = ma.fields.String(required=True)
    due_date = ma.fields.Date(load_default=None)
    decline_reason = ma.fields.String(load_default=None, validate=validate.OneOf(DECLINE_REASONS))
    decline_link = ma.fields.String(load_default=None)
    decline_text = ma.fields.String(load_default=None)
    postponed_until = ma.fields.Date(load_default=None)
    dataset = ma.fields.String(
        load_default=None,
        metadata={
            "description": "To published: slug of a catalogue dataset to link; omit to create one"
        },
    )


class RouteInSchema(StrictSchema):
    item_id = ma.fields.Integer(
        load_default=None, metadata={"description": "Attach to this item; omit to create one"}
    )
    new_item = ma.fields.Nested(BacklogItemInSchema, load_default=None)
    version = ma.fields.Integer(
        load_default=None, metadata={"description": "Of a pending submission: approve and route"}
    )
    note = ma.fields.String(load_default=None)


def item_body(item, demand=None, overdue=None):
    demand = demand or queries.demand([item.id])[item.id]
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "department": item.department.slug if item.department else None,
        "steward_id": item.steward_id,
        "formats": item.formats,
        "licence": item.licence,
        "licence_conditions": item.licence_conditions,
        "priority": item.priority,
        "status": item.status,
        "due_date": item.due_date,
        "overdue": bool(queries.is_overdue(item) if overdue is None else overdue),
        "decline_reason": item.decline_reason,
        "decline_text": item.decline_text,
        "decline_link": item.decline_link,
        "postponed_until": item.postponed_until,
        "demand": demand,
        "evidence": [e.submission_id for e in queries.evidence(item.id)],
        "created_at": item.created_at,
    }


def _staff():
    user = api_user()
    if not backlog.can_view_staff_pages(user):
        raise PermissionDenied("backlog.denied")
    return user


@bp.route("/backlog")
class BacklogResource(MethodView):
    @bp.arguments(BacklogQuerySchema, location="query")
    @bp.response(200, BacklogItemSchema(many=True))
    @error_responses(bp, 401, 403)
    def get(self, args):
        """Backlog items with their demand (staff)."""
        rows = queries.backlog(args, viewer=_staff())
        return [item_body(item, demand, late) for item, late, demand in rows]

    @bp.arguments(BacklogItemInSchema)
    @bp.response(201, BacklogItemSchema)
    @error_responses(bp, 401, 403, 422)
    def post(self, data):
        """Create an item, proposed (moderators; data stewards for their department)."""
        return item_body(backlog.create(_staff(), data))


@bp.route("/backlog/<int:item_id>")
class BacklogItemResource(MethodView):
    @bp.response(200, BacklogItemSchema)
    @error_responses(bp, 401, 403, 404)
    def get(self, item_id):
        """One backlog item (staff)."""
        _staff()
        return item_body(backlog.get(item_id))


@bp.route("/backlog/<int:item_id>/transitions")
class TransitionResource(MethodView):
    @bp.arguments(TransitionInSchema)
    @bp.response(200, BacklogItemSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, item_id):
        """Move an item to another status; 409 when the step is not allowed."""
        to_status, note = data.pop("to_status"), data.pop("note")
        return item_body(backlog.transition(api_user(), item_id, to_status, note, **data))


@bp.route("/moderation/submissions/<int:submission_id>/route")
class RouteResource(MethodView):
    @bp.arguments(RouteInSchema)
    @bp.response(200, BacklogItemSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, submission_id):
        """Route a submission into the backlog: attach it to `item_id`, or make `new_item`."""
        item = backlog.route(
            _moderator(),
            submission_id,
            data["item_id"],
            data["new_item"],
            data["version"],
            data["note"],
        )
        return item_body(item)
