"""The data behind an inventory's map: what one viewport shows, features or clusters.

The JSON API of inventories lives in `mapping.api`; this one route is what the HTML map
calls, kept apart so the two can be reconciled.
"""

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from mapping import geo
from mapping.services import inventories, listing
from webapp.schemas import error_responses

bp = Blueprint("api_map", __name__, url_prefix="/api/v1", description="Inventory maps")


class MapQuerySchema(ma.Schema):
    bbox = ma.fields.String(
        required=True, metadata={"description": "min lon, min lat, max lon, max lat (WGS 84)"}
    )


@bp.route("/inventories/<slug>/map")
class InventoryMapResource(MethodView):
    @bp.arguments(MapQuerySchema, location="query")
    @bp.response(200)
    @error_responses(bp, 404, 422)
    def get(self, args, slug):
        """What the inventory's map draws in a box: a FeatureCollection of the features the
        viewer may see (their own waiting ones included), or server-side clusters when many."""
        viewer = current_user._get_current_object()
        inventory = inventories.get_visible(viewer, slug)
        return listing.map_data(viewer, inventory, geo.parse_bbox(args["bbox"]))
