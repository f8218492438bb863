"""Imports and exports of an inventory in the JSON API.

Streamed exports are plain downloads at /mapping/inventories/<slug>/export.<format>
(GeoJSON, CSV, OSM XML); here scripts upload and start imports, follow them and ask for
the exports that a job prepares (GeoPackage, large inventories).
"""

import marshmallow as ma
from flask import send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import validate

from mapping.io import crs
from mapping.services import exports, imports, inventories
from webapp.errors import NotFound
from webapp.schemas import error_responses
from webapp.security import api_user

bp = Blueprint(
    "api_mapping_io",
    __name__,
    url_prefix="/api/v1",
    description="Imports and exports of inventories",
)


class UploadSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "GeoJSON, CSV or OSM XML, ≤ 50 MB"})


class SourceSchema(ma.Schema):
    encoding = ma.fields.String()
    delimiter = ma.fields.String()
    rows = ma.fields.Integer()
    columns = ma.fields.List(ma.fields.String())
    samples = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    declared_crs = ma.fields.String(allow_none=True)


class GeometrySchema(ma.Schema):
    mode = ma.fields.String(
        validate=validate.OneOf(imports.GEOMETRY_MODES + ("geojson", "osm")),
        metadata={"description": "CSV: lonlat, latlon, wkt or json (GeoJSON text)"},
    )
    lon = ma.fields.String(allow_none=True)
    lat = ma.fields.String(allow_none=True)
    column = ma.fields.String(allow_none=True)


class StartSchema(ma.Schema):
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        load_default=None,
        metadata={
            "description": "Form field key → source column ('@osm': through OSM tags); "
            "omitted: the proposed mapping"
        },
    )
    geometry = ma.fields.Nested(GeometrySchema, load_default=None)
    crs = ma.fields.String(
        load_default="auto", validate=validate.OneOf([c for c, _label in crs.choices()])
    )
    id_column = ma.fields.String(load_default="")


class ImportSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inventory = ma.fields.String(required=True)
    filename = ma.fields.String(required=True)
    format = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    job_id = ma.fields.String(allow_none=True)
    accepted = ma.fields.Integer(required=True)
    rejected = ma.fields.Integer(required=True)
    error = ma.fields.String(allow_none=True)
    source = ma.fields.Nested(SourceSchema)
    mapping = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    geometry = ma.fields.Dict()
    crs = ma.fields.String()
    report_url = ma.fields.String(allow_none=True)


class ExportRequestSchema(ma.Schema):
    format = ma.fields.String(required=True, validate=validate.OneOf(list(exports.FORMATS)))
    exact = ma.fields.Boolean(load_default=False)


class ExportJobSchema(ma.Schema):
    job_id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    download_url = ma.fields.String(required=True)


def import_body(record):
    options = record.options or {}
    report = None
    if record.report_path:
        report = url_for("api_mapping_io.ImportReport", import_id=record.id)
    return {
        "id": record.id,
        "inventory": record.inventory.slug,
        "filename": record.filename,
        "format": record.format,
        "status": record.status,
        "job_id": record.job_id,
        "accepted": record.accepted,
        "rejected": record.rejected,
        "error": record.error,
        "source": options.get("source", {}),
        "mapping": options.get("fields", {}),
        "geometry": options.get("geometry", {}),
        "crs": options.get("crs", "auto"),
        "report_url": report,
    }


@bp.route("/inventories/<slug>/imports")
class InventoryImports(MethodView):
    @bp.response(200, ImportSchema(many=True))
    @error_responses(bp, 401, 403, 404)
    def get(self, slug):
        """The latest imports of an inventory (organisers)."""
        user = api_user()
        inventory = inventories.get_visible(user, slug)
        return [import_body(r) for r in imports.recent(user, inventory.id)]

    @bp.arguments(UploadSchema, location="files")
    @bp.response(201, ImportSchema)
    @error_responses(bp, 401, 403, 404, 413, 422)
    def post(self, files, slug):
        """Upload a file: its columns, samples and a first mapping, to check before starting."""
        user = api_user()
        inventory = inventories.get_visible(user, slug)
        upload = files["file"]
        return import_body(imports.upload(user, inventory.id, upload.filename, upload.read()))


@bp.route("/imports/<int:import_id>")
class ImportResource(MethodView):
    @bp.response(200, ImportSchema)
    @error_responses(bp, 401, 403, 404)
    def get(self, import_id):
        """One import: status, counts, mapping and report link."""
        return import_body(imports.get(api_user(), import_id))


@bp.route("/imports/<int:import_id>/start")
class ImportStart(MethodView):
    @bp.arguments(StartSchema)
    @bp.response(202, ImportSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, choices, import_id):
        """Map the columns and start the import (a job: follow it at /api/v1/jobs/<job_id>)."""
        user = api_user()
        record = imports.get(user, import_id)
        for name in ("fields", "geometry"):
            if choices.get(name) is None:
                choices[name] = (record.options or {}).get(name, {})
        return import_body(imports.start(user, import_id, choices))


@bp.route("/imports/<int:import_id>/report.csv")
class ImportReport(MethodView):
    @bp.response(200, content_type="text/csv")
    @error_responses(bp, 401, 403, 404)
    def get(self, import_id):
        """The import's report: one line per row, accepted or rejected and why."""
        record = imports.get(api_user(), import_id)
        if not record.report_path:
            raise NotFound("import.report_not_ready")
        return send_file(
            imports.absolute(record.report_path),
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"import-{record.id}-report.csv",
        )


@bp.route("/inventories/<slug>/exports")
class InventoryExports(MethodView):
    @bp.arguments(ExportRequestSchema)
    @bp.response(202, ExportJobSchema)
    @error_responses(bp, 401, 403, 404, 422)
    def post(self, args, slug):
        """Prepare an export file (the current one is reused while the data is unchanged)."""
        user = api_user()
        inventory = inventories.get_visible(user, slug)
        job = exports.request_export(user, inventory.id, args["format"], args["exact"])
        url = url_for("mapping_io.export_download", slug=inventory.slug, job_id=job.id)
        return {"job_id": job.id, "status": job.status, "download_url": url}
