"""Features in the JSON API: pages by box, the map's data, add, edit, remove, history,
revert, confirm, report, photos. Non-staff get public geometry and values only."""

import hashlib
import json

from flask import Response, abort, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from mapping import geo, serializers
from mapping.api import common, schemas
from mapping.models import Photo
from mapping.services import features, inventories, listing
from mapping.services import photos as photo_services
from webapp import idempotency
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.schemas import error_responses
from webapp.security import api_user

bp = Blueprint(
    "api_map_features",
    __name__,
    url_prefix="/api/v1",
    description="Map features: GeoJSON pages, contributions, history, photos",
)

FEATURE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": schemas.FeatureInSchema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["feature"],
                "properties": {
                    "feature": {"type": "string", "description": "The feature as JSON"},
                },
                "additionalProperties": {"type": "string", "format": "binary"},
                "description": "Photo files are named by their photo field key",
            }
        },
    },
}
PHOTOS_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "revision": {"type": "integer", "description": "Optional: 409 if stale"},
                    "note": {"type": "string"},
                },
                "additionalProperties": {"type": "string", "format": "binary"},
                "description": "One photo file per photo field, named by its key",
            }
        }
    },
}


def _feature_response(feature, viewer, status=200, headers=None):
    body = serializers.feature_to_geojson(feature, viewer)
    return common.geojson_response(body, status, headers)


@bp.route("/inventories/<slug>/features")
class InventoryFeaturesResource(MethodView):
    @bp.arguments(schemas.FeatureQuerySchema, location="query")
    @bp.response(200, schemas.FeatureCollectionSchema, content_type=common.GEOJSON)
    @error_responses(bp, 403, 404, 422)
    def get(self, args, slug):
        """A page of the inventory's features as GeoJSON, by box, status and attribute."""
        inventory = inventories.get_visible(current_user, slug)
        bbox = geo.parse_bbox(args["bbox"]) if args["bbox"] else None
        if not args["count"] and not args["include_own"]:
            return _fast_page(inventory, bbox, args)
        body = listing.feature_collection(
            current_user,
            inventory,
            bbox=bbox,
            limit=args["limit"],
            offset=args["offset"],
            statuses=args["status"] or None,
            attrs=common.parse_attrs(args["attr"]),
            include_own=args["include_own"],
        )
        next_offset = body.pop("next_offset")
        body["links"] = common.page_links(next_offset, args["offset"], args["limit"])
        return common.geojson_response(body)

    @bp.doc(requestBody=FEATURE_BODY, parameters=[idempotency.OPENAPI_PARAMETER])
    @bp.response(201, schemas.FeatureSchema, content_type=common.GEOJSON)
    @error_responses(bp, 400, 401, 403, 404, 415, 422)
    def post(self, slug):
        """Add a feature; it enters moderation.

        Send a GeoJSON Feature as JSON, or multipart with the Feature as JSON in a part
        named `feature` and photo files named by their photo field. With an
        `Idempotency-Key` header (one per submission), a retry after a lost answer gets
        the same feature back (201, `Idempotent-Replayed: true`), never a second one.
        """
        user = api_user()
        key = idempotency.key_from_request()
        inventory = inventories.get_visible(user, slug)
        if request.mimetype == "multipart/form-data":
            data, photos = common.multipart_body(schemas.FeatureInSchema())
        else:
            data, photos = common.load(schemas.FeatureInSchema(), common.json_body()), {}
        payload = {**data, "photos": {k: hashlib.sha256(v).hexdigest() for k, v in photos.items()}}
        feature, replayed = idempotency.run_once(
            user,
            key,
            f"feature:{inventory.id}",
            payload,
            lambda: features.create(
                user,
                inventory.id,
                data["geometry"],
                data["properties"],
                photos=photos,
                party_id=data["party"],
                note=data["note"],
            ),
            lambda feature_id: features.get_visible(user, feature_id),
        )
        headers = {"Location": f"/api/v1/features/{feature.id}"}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return _feature_response(feature, user, 201, headers)


def _fast_page(inventory, bbox, args):
    """The page as the database built it: its features array is pasted in, never parsed."""
    text, returned, more = listing.feature_collection_text(
        current_user,
        inventory,
        bbox=bbox,
        limit=args["limit"],
        offset=args["offset"],
        statuses=args["status"] or None,
        attrs=common.parse_attrs(args["attr"]),
    )
    next_offset = args["offset"] + returned if more else None
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "numberReturned": returned,
            "links": common.page_links(next_offset, args["offset"], args["limit"]),
        }
    )
    return Response(f'{head[:-1]}, "features": {text}}}', mimetype=common.GEOJSON)


@bp.route("/inventories/<slug>/map")
class InventoryMapResource(MethodView):
    @bp.arguments(schemas.MapQuerySchema, location="query")
    @bp.response(200, schemas.MapDataSchema)
    @error_responses(bp, 404, 422)
    def get(self, args, slug):
        """What the map draws in a viewport: the features, or clusters when too many."""
        inventory = inventories.get_visible(current_user, slug)
        bbox = geo.parse_bbox(args["bbox"])
        return common.json_response(listing.map_data(current_user, inventory, bbox))


@bp.route("/features/<int:feature_id>")
class FeatureResource(MethodView):
    @bp.response(200, schemas.FeatureSchema, content_type=common.GEOJSON)
    @error_responses(bp, 404)
    def get(self, feature_id):
        """One feature with its photos (none for a sensitive one, unless you are staff)."""
        return _feature_response(features.get_visible(current_user, feature_id), current_user)

    @bp.arguments(schemas.FeaturePatchSchema)
    @bp.response(200, schemas.FeatureSchema, content_type=common.GEOJSON)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def patch(self, data, feature_id):
        """Edit at a known revision; 409 if someone changed it meanwhile."""
        user = api_user()
        feature = features.get_visible(user, feature_id)
        properties = data["properties"]
        if properties is not None:
            # Merged server-side: non-staff never received the withheld values to send back.
            properties = {**(feature.properties or {}), **properties}
        feature = features.update(
            user,
            feature.id,
            data["revision"],
            geometry=data["geometry"],
            properties=properties,
            note=data["note"],
        )
        return _feature_response(feature, user)

    @bp.arguments(schemas.NoteQuerySchema, location="query")
    @bp.response(204)
    @error_responses(bp, 401, 403, 404)
    def delete(self, args, feature_id):
        """Take the feature off the map (it stays in its history)."""
        user = api_user()
        features.get_visible(user, feature_id)
        features.remove(user, feature_id, args["note"])


@bp.route("/features/<int:feature_id>/history")
class HistoryResource(MethodView):
    @bp.response(200, schemas.HistorySchema)
    @error_responses(bp, 404)
    def get(self, feature_id):
        """Every revision, newest first; no position of a sensitive feature for non-staff."""
        feature, revisions = features.history(current_user, feature_id)
        return {
            "feature": feature.id,
            "revisions": [
                serializers.revision_to_dict(r, feature, current_user) for r in revisions
            ],
        }


@bp.route("/features/<int:feature_id>/revert")
class RevertResource(MethodView):
    @bp.arguments(schemas.RevertSchema)
    @bp.response(200, schemas.FeatureSchema, content_type=common.GEOJSON)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, feature_id):
        """Put the feature back as it was at a revision (moderators and organisers)."""
        user = api_user()
        features.get_visible(user, feature_id)
        feature = features.revert(user, feature_id, data["revision"], data["note"])
        return _feature_response(feature, user)


@bp.route("/features/<int:feature_id>/confirmation")
class ConfirmationResource(MethodView):
    @bp.response(200, schemas.ConfirmationSchema)
    @error_responses(bp, 401, 404, 409)
    def post(self, feature_id):
        """“I saw it too” (once per member, never on your own feature)."""
        feature = features.confirm(api_user(), feature_id)
        return {"feature": feature.id, "confirmations": feature.confirmations}

    @bp.response(200, schemas.ConfirmationSchema)
    @error_responses(bp, 401, 404)
    def delete(self, feature_id):
        """Take back your confirmation."""
        user = api_user()
        features.get_visible(user, feature_id)
        feature = features.unconfirm(user, feature_id)
        return {"feature": feature.id, "confirmations": feature.confirmations}


@bp.route("/features/<int:feature_id>/reports")
class ReportResource(MethodView):
    @bp.arguments(schemas.ReportInSchema)
    @bp.response(201, schemas.ReportSchema)
    @error_responses(bp, 401, 404, 409, 422)
    def post(self, data, feature_id):
        """Report a problem with a published feature to the moderators."""
        features.report(api_user(), feature_id, data["reason"], data["note"])
        return {"feature": feature_id, "reason": data["reason"]}


@bp.route("/features/<int:feature_id>/photos")
class PhotosResource(MethodView):
    @bp.doc(requestBody=PHOTOS_BODY)
    @bp.response(201, schemas.FeatureSchema, content_type=common.GEOJSON)
    @error_responses(bp, 401, 403, 404, 409, 415, 422)
    def post(self, feature_id):
        """Add photos to a feature's photo fields (a new revision)."""
        user = api_user()
        feature = features.get_visible(user, feature_id)
        if request.mimetype != "multipart/form-data":
            abort(415)
        form = common.load(schemas.PhotoFormSchema(), request.form.to_dict())
        photos = common.uploaded_photos()
        common.require_photos(photos)
        revision = form["revision"] if form["revision"] is not None else feature.revision
        feature = features.update(user, feature.id, revision, photos=photos, note=form["note"])
        return _feature_response(feature, user, 201)


@bp.route("/photos/<int:photo_id>")
class PhotoResource(MethodView):
    @bp.response(204)
    @error_responses(bp, 401, 403, 404, 422)
    def delete(self, photo_id):
        """Remove a photo (its feature's author or a moderator; not a required last one)."""
        user = api_user()
        photo = db.session.get(Photo, photo_id)
        if photo is None:
            raise NotFound("photo.not_found")
        features.get_visible(user, photo.feature_id)
        photo_services.delete(user, photo_id)
