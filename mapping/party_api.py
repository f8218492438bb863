"""Mapping parties in the JSON API: a party's task cells and the live feed of its
contributions, as the party pages use them."""

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from mapping.services import party_pages
from webapp.schemas import error_responses

bp = Blueprint("api_parties", __name__, url_prefix="/api/v1", description="Mapping parties")


class GeoJSONFeatureSchema(ma.Schema):
    type = ma.fields.String(required=True)
    id = ma.fields.Integer(required=True)
    geometry = ma.fields.Dict(required=True, metadata={"description": "GeoJSON, WGS 84"})
    properties = ma.fields.Dict(required=True)


class TaskCollectionSchema(ma.Schema):
    type = ma.fields.String(required=True)
    features = ma.fields.List(
        ma.fields.Nested(GeoJSONFeatureSchema),
        required=True,
        metadata={
            "description": "One per cell; properties: number, status (open, claimed, done, "
            "validated; a claim past its time shows open), status_label, holder (as their "
            "privacy settings allow you to see it), until, mine"
        },
    )


class FeedQuerySchema(ma.Schema):
    since = ma.fields.String(
        load_default=None,
        metadata={"description": "ISO 8601 instant: only features changed since (inclusive)"},
    )


class FeedSchema(ma.Schema):
    type = ma.fields.String(required=True)
    features = ma.fields.List(
        ma.fields.Nested(GeoJSONFeatureSchema),
        required=True,
        metadata={
            "description": "Oldest change first. Public geometry and values unless you are "
            "staff; waiting features only to their authors and staff"
        },
    )
    numberReturned = ma.fields.Integer(required=True)
    truncated = ma.fields.Boolean(required=True)
    next_since = ma.fields.String(
        required=True, metadata={"description": "Pass it as `since` in the next call"}
    )


@bp.route("/parties/<slug>/tasks")
class PartyTasks(MethodView):
    @bp.response(200, TaskCollectionSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """The party's task cells as GeoJSON, with their effective status."""
        party = party_pages.party_of(slug)
        return party_pages.tasks_geojson(party_pages.task_rows(current_user, party))


@bp.route("/parties/<slug>/features")
class PartyFeatures(MethodView):
    @bp.arguments(FeedQuerySchema, location="query")
    @bp.response(200, FeedSchema)
    @error_responses(bp, 404, 422)
    def get(self, query, slug):
        """The features mapped at the party, changed since an instant: the live map polls it."""
        party = party_pages.party_of(slug)
        since = party_pages.parse_since(query["since"])
        return party_pages.live_features(current_user, party, since)
