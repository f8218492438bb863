"""The dataset catalogue in the JSON API: list with filters, one dataset."""

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from crowdsourcing.models import CATALOGUE_LICENCES
from crowdsourcing.services import catalogue
from webapp.schemas import error_responses

bp = Blueprint("api_catalogue", __name__, url_prefix="/api/v1", description="The dataset catalogue")


class ResourceSchema(ma.Schema):
    url = ma.fields.String(required=True)
    format = ma.fields.String(allow_none=True)
    title = ma.fields.String(allow_none=True)


class DatasetSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    identifier = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    department = ma.fields.String(allow_none=True, metadata={"description": "Department slug"})
    publisher = ma.fields.String(allow_none=True)
    licence = ma.fields.String(allow_none=True, validate=validate.OneOf(CATALOGUE_LICENCES))
    licence_source = ma.fields.String(
        allow_none=True, metadata={"description": "The licence as the source wrote it"}
    )
    formats = ma.fields.List(ma.fields.String(), required=True)
    themes = ma.fields.List(ma.fields.String(), required=True)
    keywords = ma.fields.List(ma.fields.String(), required=True)
    frequency = ma.fields.String(allow_none=True)
    coverage = ma.fields.String(allow_none=True)
    issued = ma.fields.Date(allow_none=True)
    modified = ma.fields.Date(allow_none=True)
    source = ma.fields.String(required=True)
    backlog_item_id = ma.fields.Integer(allow_none=True)
    resources = ma.fields.List(ma.fields.Nested(ResourceSchema), required=True)


class DatasetPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DatasetSchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)


class DatasetQuerySchema(ma.Schema):
    q = ma.fields.String(
        load_default=None, metadata={"description": "Text in title or description"}
    )
    department = ma.fields.String(load_default=None, metadata={"description": "Department slug"})
    theme = ma.fields.String(load_default=None)
    licence = ma.fields.String(load_default=None, validate=validate.OneOf(CATALOGUE_LICENCES))
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def dataset_body(row):
    return {
        "slug": row.slug,
        "identifier": row.identifier,
        "title": row.title,
        "description": row.description,
        "department": row.department.slug if row.department else None,
        "publisher": row.publisher,
        "licence": row.licence,
        "licence_source": row.licence_source,
        "formats": row.formats,
        "themes": row.themes,
        "keywords": row.keywords,
        "frequency": row.frequency,
        "coverage": row.coverage,
        "issued": row.issued,
        "modified": row.modified,
        "source": row.source,
        "backlog_item_id": row.backlog_item_id,
        "resources": [{"url": r.url, "format": r.format, "title": r.title} for r in row.resources],
    }


@bp.route("/datasets")
class DatasetsResource(MethodView):
    @bp.arguments(DatasetQuerySchema, location="query")
    @bp.response(200, DatasetPageSchema)
    @error_responses(bp, 422)
    def get(self, args):
        """Catalogue datasets by title, filtered, a page at a time."""
        number, per_page = args.pop("page"), args.pop("per_page")
        rows, total = catalogue.page(args, number, per_page)
        return {
            "items": [dataset_body(r) for r in rows],
            "total": total,
            "page": number,
            "per_page": per_page,
        }


@bp.route("/datasets/<slug>")
class DatasetResource(MethodView):
    @bp.response(200, DatasetSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """One catalogue dataset."""
        return dataset_body(catalogue.get(slug))
