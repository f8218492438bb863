"""Exports of an inventory's published features: GeoJSON, CSV, OSM XML and GeoPackage.

Everyone gets the public view (`public_geom`, `public_properties`): a sensitive feature's
exact position and locating fields never leave the server. Staff who see exact positions
may ask for an exact export. Every format carries the licence and the attribution.
Small inventories stream; GeoPackage files and large inventories are built by a job.
"""

import os
from types import SimpleNamespace

import shapely
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mapping import jobs, policies
from mapping.io import gpkg, writers
from mapping.models import PUBLISHED, Feature, Inventory
from mapping.services import inventories
from webapp import jobs as kernel_jobs
from webapp import settings
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied
from webapp.extensions import db
from webapp.models import Job

FORMATS = {
    "geojson": (".geojson", "application/geo+json"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "osm": (".osm", "application/vnd.openstreetmap.data+xml"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
}
STREAMED = ("geojson", "csv", "osm")
STREAM_MAX = 20_000
BATCH = 1000
EXPORT_JOB = "mapping.jobs.build_export"


def format_labels():
    return {
        "geojson": _l("GeoJSON"),
        "csv": _l("CSV (spreadsheet)"),
        "gpkg": _l("GeoPackage (QGIS)"),
        "osm": _l("OpenStreetMap XML (JOSM)"),
    }


def stream_max():
    return int(current_app.config.get("MAPPING_EXPORT_STREAM_MAX", STREAM_MAX))


def folder(*parts):
    return os.path.join(current_app.config["UPLOAD_DIR"], "mapping", "exports", *parts)


def licence(inventory):
    """Licence label and URL, and the attribution anyone reusing the data must give."""
    attribution = inventory.attribution or f"{settings.current().name} – {inventory.title}"
    return {
        "code": inventory.licence,
        "label": inventories.LICENCE_LABELS.get(inventory.licence, inventory.licence),
        "url": inventories.LICENCE_URLS.get(inventory.licence, ""),
        "attribution": attribution,
    }


def _viewable(viewer, inventory_id, exact):
    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None or not policies.can_view_inventory(viewer, inventory):
        raise NotFound("inventory.not_found")
    if exact and not policies.sees_exact(viewer):
        raise PermissionDenied("export.exact_refused")
    if exact not in (True, False):
        raise ValueError("exact must be a boolean")
    return inventory


def count(inventory):
    return db.session.scalar(
        select(func.count(Feature.id)).where(
            Feature.inventory_id == inventory.id, Feature.status == PUBLISHED
        )
    )


def features(inventory, exact):
    """(id, Shapely geometry, values) of each published feature, in id order, by batches:
    one keyset query per BATCH rows, so that memory stays flat whatever the inventory's size
    (tests/mapping/test_export_streaming.py fails if every row is loaded at once). The
    geometries of a batch are read from WKB by Shapely in one call."""
    geometry = Feature.geom if exact else Feature.public_geom
    properties = Feature.properties if exact else Feature.public_properties
    last = 0
    while True:
        rows = db.session.execute(
            select(Feature.id, func.ST_AsBinary(geometry), properties)
            .where(
                Feature.inventory_id == inventory.id,
                Feature.status == PUBLISHED,
                Feature.id > last,
            )
            .order_by(Feature.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        shapes = shapely.from_wkb([bytes(wkb) for _ident, wkb, _props in rows])
        for (ident, _wkb, props), shape in zip(rows, shapes, strict=True):
            yield ident, shape, props or {}
        last = rows[-1][0]


WRITERS = {"geojson": writers.geojson, "csv": writers.csv_text, "osm": writers.osm_xml}


def _snapshot(inventory):
    """What the writers read of an inventory, detached from the database session."""
    return SimpleNamespace(
        slug=inventory.slug,
        title=inventory.title,
        fields=inventory.fields,
        form_schema=inventory.form_schema,
    )


def filename(inventory, fmt, exact):
    return f"{inventory.slug}{'-exact' if exact else ''}{FORMATS[fmt][0]}"


def stream(viewer, inventory_id, fmt, exact=False):
    """A streamed export: (inventory, text chunks); too large an inventory needs a job."""
    inventory = _viewable(viewer, inventory_id, exact)
    if fmt not in STREAMED:
        raise NotFound("export.format_unknown")
    if count(inventory) > stream_max():
        raise Conflict(
            "export.too_large",
            message=_l("This inventory is large: its export is prepared in the background."),
        )
    # Rows are read batch by batch while the body is sent: the caller keeps the request's
    # context (and so its database session) open while it iterates (stream_with_context).
    return inventory, WRITERS[fmt](
        _snapshot(inventory), licence(inventory), features(inventory, exact)
    )


def write_file(inventory, fmt, exact, path, progress=None):
    """Write an export to a file (for the job and the CLI); return the number of features."""
    total = count(inventory) or 1
    written = 0

    def counted(rows):
        nonlocal written
        for row in rows:
            written += 1
            if progress and written % BATCH == 0:
                progress(min(99, written * 100 // total), 100)
            yield row

    temporary = f"{path}.part"
    if os.path.exists(temporary):
        os.remove(temporary)
    if fmt == "gpkg":
        _write_gpkg(inventory, counted(features(inventory, exact)), temporary)
    else:
        writer = WRITERS[fmt]
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            for piece in writer(inventory, licence(inventory), counted(features(inventory, exact))):
                handle.write(piece)
    os.replace(temporary, path)
    return written


def _write_gpkg(inventory, rows, path):
    terms = licence(inventory)
    description = f"{inventory.title}. Licence: {terms['label']} ({terms['url']}). "
    description += f"Attribution: {terms['attribution']}"
    metadata = {
        "TITLE": inventory.title,
        "LICENCE": terms["label"],
        "LICENCE_URL": terms["url"],
        "ATTRIBUTION": terms["attribution"],
    }
    writer = gpkg.Writer(path, inventory.slug, inventory.fields, description, metadata)
    try:
        for ident, geometry, values in rows:
            writer.add(ident, geometry, values)
    finally:
        writer.close(inventory.allowed_types)


# --- exports built by a job --------------------------------------------------------------------


def signature(inventory):
    """Changes whenever the exported data or its terms may have changed."""
    latest, total, top = db.session.execute(
        select(func.max(Feature.updated_at), func.count(Feature.id), func.max(Feature.id)).where(
            Feature.inventory_id == inventory.id
        )
    ).one()
    published = count(inventory)
    stamp = latest.isoformat() if latest else ""
    return f"{inventory.updated_at.isoformat()}|{stamp}|{total}|{top}|{published}"


def _export_jobs(inventory_id, limit=200):
    rows = db.session.scalars(
        select(Job).where(Job.name == EXPORT_JOB).order_by(Job.created_at.desc()).limit(limit)
    ).all()
    return [j for j in rows if j.args and j.args[0] == inventory_id]


def recent(viewer, inventory_id):
    """The latest export job of each format the viewer may download, newest first."""
    inventory = _viewable(viewer, inventory_id, False)
    exact_ok = policies.sees_exact(viewer)
    seen, found = set(), []
    for job in _export_jobs(inventory.id):
        key = (job.args[1], bool(job.args[2]))
        if key in seen or (key[1] and not exact_ok) or job.status == "failed":
            continue
        seen.add(key)
        found.append(job)
    return inventory, found


def request_export(actor, inventory_id, fmt, exact=False):
    """Queue the build of an export, or return the finished or running one still current."""
    inventory = _viewable(actor, inventory_id, exact)
    if fmt not in FORMATS:
        raise NotFound("export.format_unknown")
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("export.login_required")
    current = signature(inventory)
    for job in _export_jobs(inventory.id):
        if job.args[1:] == [fmt, exact, current] and job.status != "failed":
            return job
    with unit_of_work():
        job = jobs.enqueue_after_commit(
            jobs.build_export, inventory.id, fmt, exact, current, actor=actor
        )
    return job


def build(inventory_id, fmt, exact, expected_signature):
    """The job: write the export file under UPLOAD_DIR/mapping/exports/."""
    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None:
        return {"path": None, "count": 0}
    job_id = kernel_jobs.current_job_id() or "manual"
    os.makedirs(folder(), exist_ok=True)
    relative = os.path.join("mapping", "exports", f"{job_id}{FORMATS[fmt][0]}")
    path = os.path.join(current_app.config["UPLOAD_DIR"], relative)
    written = write_file(inventory, fmt, exact, path, progress=kernel_jobs.report_progress)
    return {
        "inventory_id": inventory.id,
        "format": fmt,
        "exact": exact,
        "path": relative,
        "count": written,
        "filename": filename(inventory, fmt, exact),
        "signature": expected_signature,
    }


def download(viewer, inventory_id, job_id):
    """The file of a finished export job: (absolute path, file name, media type)."""
    job = db.session.get(Job, job_id)
    if job is None or job.name != EXPORT_JOB or not job.args or job.args[0] != inventory_id:
        raise NotFound("export.not_found")
    _viewable(viewer, inventory_id, bool(job.args[2]))
    result = job.result or {}
    path = result.get("path")
    absolute = os.path.join(current_app.config["UPLOAD_DIR"], path) if path else None
    if job.status != "finished" or absolute is None or not os.path.exists(absolute):
        raise NotFound("export.not_ready")
    return absolute, result.get("filename"), FORMATS[job.args[1]][1]
