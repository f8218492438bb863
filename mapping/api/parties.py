"""Mapping parties in the JSON API: list, one, task cells and their steps, the live feed
of what is being mapped, and the summary afterwards."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from mapping import serializers
from mapping.api import common, schemas
from mapping.services import parties, tasks
from webapp.schemas import error_responses
from webapp.security import api_user

bp = Blueprint(
    "api_map_parties",
    __name__,
    url_prefix="/api/v1",
    description="Mapping parties: events, task cells, live map, summary",
)


@bp.route("/parties")
class PartiesResource(MethodView):
    @bp.arguments(schemas.PartyQuerySchema, location="query")
    @bp.response(200, schemas.PartySchema(many=True))
    def get(self, args):
        """Upcoming parties (soonest first) or past ones (latest first)."""
        rows = parties.listed(upcoming=args["when"] == "upcoming")
        return [serializers.party_to_dict(p, current_user) for p in rows]


@bp.route("/parties/<slug>")
class PartyResource(MethodView):
    @bp.response(200, schemas.PartyDetailSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """One party: its inventories, meeting point, times, seats left, cells per status."""
        return serializers.party_to_dict(parties.by_slug(slug), current_user, full=True)


def _task_view(name, action, doc):
    """A POST endpoint taking one step on a task cell."""

    @bp.arguments(schemas.TaskActionSchema, required=False)
    @bp.response(200, schemas.FeatureSchema, content_type=common.GEOJSON)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, task_id):
        user = api_user()
        task = action(user, task_id, data.get("note"))
        return common.geojson_response(serializers.task_to_geojson(task, user))

    post.__doc__ = doc
    return type(f"Task{name.title()}Resource", (MethodView,), {"post": post})


TASK_ACTIONS = {
    "claim": (
        lambda user, task_id, note: tasks.claim(user, task_id),
        "Claim an open cell (registered participants; one at a time).",
    ),
    "release": (
        lambda user, task_id, note: tasks.release(user, task_id),
        "Give back the cell you hold.",
    ),
    "done": (tasks.mark_done, "Say the cell you hold is mapped."),
    "validate": (tasks.validate, "Validate a done cell (organisers and validators)."),
    "reopen": (tasks.reopen, "Send a done or validated cell back to be mapped again."),
}
for _name, (_action, _doc) in TASK_ACTIONS.items():
    bp.route(f"/tasks/<int:task_id>/{_name}")(_task_view(_name, _action, _doc))


@bp.route("/parties/<slug>/summary")
class PartySummaryResource(MethodView):
    @bp.response(200, schemas.SummarySchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """The page after: features by type and status, cells, contributors, photos."""
        party = parties.by_slug(slug)
        return serializers.summary_to_dict(party, parties.summary(party), current_user)
