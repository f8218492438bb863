"""Inventories in the JSON API: list, one, create and edit (organisers), templates."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from mapping import serializers
from mapping.api import schemas
from mapping.inventory_templates import TEMPLATES
from mapping.services import inventories
from webapp.schemas import error_responses
from webapp.security import api_user

bp = Blueprint(
    "api_inventories",
    __name__,
    url_prefix="/api/v1",
    description="Map inventories: their area, licence, moderation and form",
)


def _detail(inventory):
    return serializers.inventory_to_dict(inventory, full=True)


@bp.route("/inventories")
class InventoriesResource(MethodView):
    @bp.arguments(schemas.InventoryQuerySchema, location="query")
    @bp.response(200, schemas.InventorySchema(many=True))
    def get(self, args):
        """Inventories you may see, open ones first, with their published features.

        Drafts are listed for organisers only.
        """
        rows = inventories.listed(current_user, statuses=args["status"] or None)
        return [serializers.inventory_to_dict(inv, feature_count=n) for inv, n in rows]

    @bp.arguments(schemas.InventoryInSchema)
    @bp.response(201, schemas.InventoryDetailSchema)
    @error_responses(bp, 401, 403, 422)
    def post(self, data):
        """Create an inventory (organisers), from scratch or from a template."""
        user = api_user()
        name = data.pop("template", None)
        settings = inventories.template_data(name) if name else {}
        settings.update(data)
        inventory = inventories.create(user, settings)
        location = f"/api/v1/inventories/{inventory.slug}"
        return _detail(inventory), 201, {"Location": location}


@bp.route("/inventories/<slug>")
class InventoryResource(MethodView):
    @bp.response(200, schemas.InventoryDetailSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """One inventory: settings, area, allowed geometry types, licence and form."""
        return _detail(inventories.get_visible(current_user, slug))

    @bp.arguments(schemas.InventoryPatchSchema)
    @bp.response(200, schemas.InventoryDetailSchema)
    @error_responses(bp, 401, 403, 404, 422)
    def patch(self, data, slug):
        """Change some settings (organisers).

        Changing the form or the grid re-computes what non-staff see of each feature, in
        a job.
        """
        user = api_user()
        inventory = inventories.get_visible(user, slug)
        settings = {**serializers.inventory_settings(inventory), **data}
        return _detail(inventories.update(user, inventory.id, settings))


@bp.route("/inventory-templates")
class TemplatesResource(MethodView):
    @bp.response(200, schemas.TemplateSchema(many=True))
    def get(self):
        """The ready-made forms an inventory can start from."""
        return [serializers.template_to_dict(name) for name in TEMPLATES]
