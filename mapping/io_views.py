"""Pages of imports (organisers) and exports (everyone) of an inventory."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from mapping import policies
from mapping.io import crs
from mapping.io import values as value_mapping
from mapping.services import exports, imports, inventories
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError

bp = Blueprint(
    "mapping_io", __name__, url_prefix="/mapping/inventories/<slug>", template_folder="templates"
)
UPLOAD_ENDPOINTS = {"mapping_io.imports_page"}


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    # Runs before the CSRF check reads the form: the import's own limit replaces the app's.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = imports.max_bytes() + 1024 * 1024


@bp.context_processor
def _io_globals():
    return {
        "export_formats": exports.format_labels(),
        "import_status_labels": imports.status_labels(),
        "geometry_mode_labels": imports.geometry_mode_labels(),
        "inventory_page_url": inventory_page_url,
        "locale": str(get_locale()),
    }


def inventory_page_url(inventory):
    """The inventory's own page, when the pages of the mapping package provide one."""
    try:
        return url_for("mapping.inventory", slug=inventory.slug)
    except BuildError:
        return None


def _user():
    return current_user._get_current_object()


def _inventory(slug):
    return inventories.get_visible(_user(), slug)


def _organiser_inventory(slug):
    inventory = _inventory(slug)
    if not policies.can_organise(_user()):
        raise PermissionDenied("import.not_organiser")
    return inventory


def _imports_page(inventory, errors=None, status=200):
    runs = imports.recent(_user(), inventory.id)
    return render_template(
        "mapping/io/imports.html",
        inventory=inventory,
        runs=runs,
        errors=errors or [],
        max_mb=imports.max_megabytes(),
    ), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    inventory = _organiser_inventory(request.view_args["slug"])
    message = _("The file is over %(max)d MB.", max=imports.max_megabytes())
    return _imports_page(inventory, [message], 413)


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def imports_page(slug):
    inventory = _organiser_inventory(slug)
    if request.method == "GET":
        return _imports_page(inventory)
    upload = request.files.get("file")
    try:
        record = imports.upload(
            _user(),
            inventory.id,
            upload.filename if upload else "",
            upload.read() if upload else b"",
        )
    except ValidationError as error:
        messages = [str(m) for ms in error.fields.values() for m in ms]
        return _imports_page(inventory, messages, 422)
    return redirect(url_for(".import_detail", slug=slug, import_id=record.id))


def _record(slug, import_id):
    inventory = _organiser_inventory(slug)
    record = imports.get(_user(), import_id)
    if record.inventory_id != inventory.id:
        raise NotFound("import.not_found")
    return inventory, record


def _choices(form, record):
    fields = {
        f["key"]: form.get(f"field_{f['key']}", "")
        for f in value_mapping.mappable(record.inventory.fields)
    }
    geometry = {
        "mode": form.get("geometry_mode", ""),
        "lon": form.get("geometry_lon", ""),
        "lat": form.get("geometry_lat", ""),
        "column": form.get("geometry_column", ""),
    }
    return {
        "fields": fields,
        "geometry": geometry,
        "crs": form.get("crs", "auto"),
        "id_column": form.get("id_column", ""),
    }


@bp.route("/imports/<int:import_id>", methods=["GET", "POST"])
@login_required
def import_detail(slug, import_id):
    inventory, record = _record(slug, import_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            imports.start(_user(), record.id, _choices(request.form, record))
            flash(_("The import has started."), "success")
            return redirect(url_for(".import_detail", slug=slug, import_id=record.id))
        except ValidationError as error:
            errors, status = error.fields, 422
        except Conflict as error:
            flash(str(error.message), "warning")
            return redirect(url_for(".import_detail", slug=slug, import_id=record.id))
    return render_template(
        "mapping/io/import_detail.html",
        inventory=inventory,
        record=record,
        fields=value_mapping.mappable(inventory.fields),
        errors=errors,
        crs_choices=crs.choices(),
        from_osm=value_mapping.FROM_OSM,
        form=request.form if request.method == "POST" else None,
    ), status


@bp.get("/imports/<int:import_id>/report.csv")
@login_required
def import_report(slug, import_id):
    _inventory_, record = _record(slug, import_id)
    if not record.report_path:
        raise NotFound("import.report_not_ready")
    return send_file(
        imports.absolute(record.report_path),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"import-{record.id}-report.csv",
    )


# --- exports -----------------------------------------------------------------------------------


@bp.get("/export")
def export_page(slug):
    inventory, jobs = exports.recent(_user(), _inventory(slug).id)
    return render_template(
        "mapping/io/export.html",
        inventory=inventory,
        jobs=jobs,
        terms=exports.licence(inventory),
        sees_exact=policies.sees_exact(_user()),
        large=exports.count(inventory) > exports.stream_max(),
    )


@bp.get("/export.<fmt>")
def export_file(slug, fmt):
    inventory = _inventory(slug)
    exact = request.args.get("exact") == "1"
    if fmt not in exports.STREAMED:
        if fmt not in exports.FORMATS:
            raise NotFound("export.format_unknown")
        flash(_("This format is prepared in the background: ask for it below."), "info")
        return redirect(url_for(".export_page", slug=slug))
    try:
        inventory, pieces = exports.stream(_user(), inventory.id, fmt, exact)
    except Conflict as error:
        flash(str(error.message), "info")
        return redirect(url_for(".export_page", slug=slug))
    terms = exports.licence(inventory)
    name = exports.filename(inventory, fmt, exact)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Link": f'<{terms["url"]}>; rel="license"',
    }
    mimetype = exports.FORMATS[fmt][1]
    return Response(stream_with_context(pieces), mimetype=mimetype, headers=headers)


@bp.post("/exports")
@login_required
def export_start(slug):
    inventory = _inventory(slug)
    fmt = request.form.get("format", "")
    exact = request.form.get("exact") == "1"
    exports.request_export(_user(), inventory.id, fmt, exact)
    flash(_("The export is being prepared."), "success")
    return redirect(url_for(".export_page", slug=slug))


@bp.get("/exports/<job_id>")
def export_download(slug, job_id):
    inventory = _inventory(slug)
    path, name, mimetype = exports.download(_user(), inventory.id, job_id)
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
