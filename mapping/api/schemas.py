"""Schemas of the mapping API: they parse input and document output; services decide."""

import marshmallow as ma
from marshmallow import validate

from crowdsourcing.models import FLAG_REASONS
from mapping.inventory_templates import TEMPLATES
from mapping.models import FEATURE_STATUSES
from mapping.services.listing import MAX_LIMIT
from webapp.schemas import StrictSchema

GEOJSON_OBJECT = {"description": "A GeoJSON object, WGS 84 longitude/latitude"}


class LicenceSchema(ma.Schema):
    id = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    url = ma.fields.String(allow_none=True)


class InventorySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    theme = ma.fields.String(required=True)
    theme_label = ma.fields.String(required=True)
    description = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True)
    moderation_mode = ma.fields.String(
        required=True, metadata={"description": "pre: reviewed before shown; post: shown at once"}
    )
    geometry_types = ma.fields.List(ma.fields.String(), required=True)
    licence = ma.fields.Nested(LicenceSchema, required=True)
    attribution = ma.fields.String(allow_none=True)
    department = ma.fields.String(allow_none=True, metadata={"description": "Department slug"})
    bbox = ma.fields.List(
        ma.fields.Float(), allow_none=True, metadata={"description": "Bounds of the area"}
    )
    feature_count = ma.fields.Integer(
        allow_none=True, metadata={"description": "Published features"}
    )


class InventoryDetailSchema(InventorySchema):
    area = ma.fields.Dict(required=True, metadata=GEOJSON_OBJECT)
    generalise_m = ma.fields.Integer(
        required=True,
        metadata={"description": "Grid (metres) a sensitive position is shown on to non-staff"},
    )
    form_schema = ma.fields.Dict(required=True, metadata={"description": "The form's fields"})


class InventoryInSchema(StrictSchema):
    template = ma.fields.String(
        validate=validate.OneOf(list(TEMPLATES)),
        metadata={"description": "Start from a ready-made form (creation only)"},
    )
    title = ma.fields.String()
    slug = ma.fields.String()
    theme = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    geometry_types = ma.fields.List(ma.fields.String())
    licence = ma.fields.String()
    moderation_mode = ma.fields.String()
    status = ma.fields.String()
    attribution = ma.fields.String(allow_none=True)
    generalise_m = ma.fields.Integer()
    department = ma.fields.String(allow_none=True, metadata={"description": "Department slug"})
    area = ma.fields.Raw(metadata=GEOJSON_OBJECT)
    form_schema = ma.fields.Dict()


class InventoryPatchSchema(InventoryInSchema):
    class Meta(StrictSchema.Meta):
        exclude = ("template",)


class InventoryQuerySchema(ma.Schema):
    status = ma.fields.List(ma.fields.String(), load_default=list)


class TemplateSchema(ma.Schema):
    name = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    theme = ma.fields.String(required=True)
    geometry_types = ma.fields.List(ma.fields.String(), required=True)
    licence = ma.fields.String(required=True)
    form_schema = ma.fields.Dict(required=True)


class LinkSchema(ma.Schema):
    rel = ma.fields.String(required=True)
    type = ma.fields.String()
    href = ma.fields.String(required=True)


class PhotoSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    field = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    thumbnail_url = ma.fields.String(required=True)
    width = ma.fields.Integer(required=True)
    height = ma.fields.Integer(required=True)


class FeatureSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={"example": "Feature"})
    id = ma.fields.Integer(required=True)
    geometry = ma.fields.Dict(
        required=True,
        metadata={"description": "Exact for staff; a coarse cell centre if sensitive"},
    )
    properties = ma.fields.Dict(
        required=True,
        metadata={"description": "Attributes, plus _status, _sensitive and _confirmations"},
    )
    inventory = ma.fields.String(metadata={"description": "Inventory slug"})
    revision = ma.fields.Integer(metadata={"description": "Send it back to edit"})
    party = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))


class FeatureCollectionSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={"example": "FeatureCollection"})
    features = ma.fields.List(ma.fields.Nested(FeatureSchema), required=True)
    numberMatched = ma.fields.Integer()
    numberReturned = ma.fields.Integer()
    links = ma.fields.List(ma.fields.Nested(LinkSchema))


class FeatureQuerySchema(ma.Schema):
    bbox = ma.fields.String(
        load_default=None, metadata={"description": "minlon,minlat,maxlon,maxlat (WGS 84)"}
    )
    limit = ma.fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = ma.fields.Integer(load_default=0, validate=validate.Range(min=0))
    status = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(FEATURE_STATUSES)),
        load_default=list,
        metadata={"description": "Repeatable; other than published for moderators only"},
    )
    attr = ma.fields.List(
        ma.fields.String(),
        load_default=list,
        metadata={"description": "Repeatable attribute filter key:value"},
    )
    count = ma.fields.Boolean(
        load_default=True,
        metadata={
            "description": "false: skip numberMatched; the database then builds the page "
            "itself, which is faster on large inventories"
        },
    )
    include_own = ma.fields.Boolean(
        load_default=False, metadata={"description": "Add your own features awaiting review"}
    )


class MapQuerySchema(ma.Schema):
    bbox = ma.fields.String(
        required=True, metadata={"description": "minlon,minlat,maxlon,maxlat (WGS 84)"}
    )


class ClusterSchema(ma.Schema):
    lon = ma.fields.Float(required=True)
    lat = ma.fields.Float(required=True)
    count = ma.fields.Integer(required=True)


class MapDataSchema(ma.Schema):
    type = ma.fields.String(
        required=True, metadata={"description": "FeatureCollection, or Clusters when too many"}
    )
    features = ma.fields.List(ma.fields.Nested(FeatureSchema))
    clusters = ma.fields.List(ma.fields.Nested(ClusterSchema))


class FeatureInSchema(StrictSchema):
    type = ma.fields.String(validate=validate.Equal("Feature"))
    geometry = ma.fields.Dict(required=True, metadata=GEOJSON_OBJECT)
    properties = ma.fields.Dict(load_default=dict)
    party = ma.fields.Integer(load_default=None, metadata={"description": "Mapping party id"})
    note = ma.fields.String(load_default=None)


class FeaturePatchSchema(StrictSchema):
    revision = ma.fields.Integer(
        required=True, metadata={"description": "The revision you edited (409 if stale)"}
    )
    geometry = ma.fields.Dict(load_default=None, metadata=GEOJSON_OBJECT)
    properties = ma.fields.Dict(
        load_default=None,
        metadata={"description": "Merged: keys sent replace their values, null clears one"},
    )
    note = ma.fields.String(load_default=None)


class NoteQuerySchema(ma.Schema):
    note = ma.fields.String(load_default=None)


class PhotoFormSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # the file parts

    revision = ma.fields.Integer(load_default=None)
    note = ma.fields.String(load_default=None)


class RevertSchema(StrictSchema):
    revision = ma.fields.Integer(required=True, metadata={"description": "Revision to restore"})
    note = ma.fields.String(load_default=None)


class RevisionSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    changed = ma.fields.List(ma.fields.String(), required=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    actor = ma.fields.Dict(allow_none=True)
    by_you = ma.fields.Boolean(required=True)
    geometry = ma.fields.Dict(
        allow_none=True, metadata={"description": "Withheld from non-staff if sensitive"}
    )
    properties = ma.fields.Dict(required=True)


class HistorySchema(ma.Schema):
    feature = ma.fields.Integer(required=True)
    revisions = ma.fields.List(ma.fields.Nested(RevisionSchema), required=True)


class ConfirmationSchema(ma.Schema):
    feature = ma.fields.Integer(required=True)
    confirmations = ma.fields.Integer(required=True)


class ReportInSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(FLAG_REASONS))
    note = ma.fields.String(load_default=None)


class ReportSchema(ma.Schema):
    feature = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)


class PartyQuerySchema(ma.Schema):
    when = ma.fields.String(load_default="upcoming", validate=validate.OneOf(["upcoming", "past"]))


class PartyInventorySchema(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)


class PartySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(allow_none=True)
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    address = ma.fields.String(allow_none=True)
    meeting_point = ma.fields.Dict(allow_none=True, metadata=GEOJSON_OBJECT)
    capacity = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(required=True)
    registration_open = ma.fields.Boolean(required=True)
    event_id = ma.fields.Integer(
        required=True, metadata={"description": "Register at /api/v1/events/{id}/registration"}
    )
    inventories = ma.fields.List(ma.fields.Nested(PartyInventorySchema), required=True)


class PartyDetailSchema(PartySchema):
    area = ma.fields.Dict(allow_none=True, metadata=GEOJSON_OBJECT)
    claim_minutes = ma.fields.Integer(required=True)
    tasks = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "Cells per status"},
    )


class TaskActionSchema(StrictSchema):
    note = ma.fields.String(load_default=None)


class SummarySchema(ma.Schema):
    party = ma.fields.String(required=True)
    total = ma.fields.Integer(required=True)
    by_type = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    tasks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    contributors = ma.fields.List(ma.fields.Dict(), required=True)
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema), required=True)
