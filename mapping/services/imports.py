"""Imports of GeoJSON, CSV and OpenStreetMap XML files into an inventory.

`upload` keeps the file under a generated name and reads its columns (a draft import);
`start` records the organiser's mapping of columns to form fields and queues the job;
`run`, the job, converts every row or refuses it with a reason, then saves the accepted
rows as published features in ONE transaction together with the import's counts and
report: an import that fails half-way saves nothing, and says so in its report.
"""

import os
import re
import uuid

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from mapping import geo, jobs, policies
from mapping.io import convert, crs, osm, sources
from mapping.io import values as value_mapping
from mapping.models import PUBLISHED, Feature, FeatureRevision, ImportRun, Inventory
from mapping.services import visibility
from mapping.services.import_report import write_report
from webapp import jobs as kernel_jobs
from webapp.accounts.models import User
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db

MAX_BYTES = 50 * 1024 * 1024
DRAFT, QUEUED, RUNNING, FINISHED, FAILED = "draft", "queued", "running", "finished", "failed"
FORMATS = ("geojson", "csv", "osm")
EXTENSIONS = {"geojson": ".geojson", "csv": ".csv", "osm": ".osm"}
GEOMETRY_MODES = ("lonlat", "latlon", "wkt", "json")
BATCH = 500


def status_labels():
    return {
        DRAFT: _l("Columns to map"),
        QUEUED: _l("Waiting"),
        RUNNING: _l("Being imported"),
        FINISHED: _l("Finished"),
        FAILED: _l("Failed"),
    }


def geometry_mode_labels():
    return {
        "lonlat": _l("Two columns: longitude and latitude (or X and Y)"),
        "latlon": _l('One column: "latitude,longitude"'),
        "wkt": _l("One column of WKT geometry"),
        "json": _l("One column of GeoJSON geometry"),
    }


def max_bytes():
    """The largest file accepted (MAPPING_IMPORT_MAX_BYTES, 50 MB by default)."""
    return int(current_app.config.get("MAPPING_IMPORT_MAX_BYTES", MAX_BYTES))


def max_megabytes():
    return max_bytes() // (1024 * 1024)


def folder(*parts):
    return os.path.join(current_app.config["UPLOAD_DIR"], "mapping", "imports", *parts)


def absolute(relative):
    return os.path.join(current_app.config["UPLOAD_DIR"], relative)


def _organised(actor, inventory_id):
    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFound("inventory.not_found")
    if not policies.can_organise(actor):
        raise PermissionDenied("import.not_organiser")
    return inventory


def get(actor, import_id):
    """An import of an inventory the actor organises."""
    run = db.session.get(ImportRun, import_id)
    if run is None:
        raise NotFound("import.not_found")
    _organised(actor, run.inventory_id)
    return run


def recent(actor, inventory_id, limit=10):
    _organised(actor, inventory_id)
    return db.session.scalars(
        select(ImportRun)
        .where(ImportRun.inventory_id == inventory_id)
        .order_by(ImportRun.id.desc())
        .limit(limit)
    ).all()


def detect_format(filename, data):
    extension = os.path.splitext((filename or "").lower())[1]
    known = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".tsv": "csv"}
    known.update({".txt": "csv", ".osm": "osm", ".xml": "osm"})
    if extension in known:
        return known[extension]
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<") and b"<osm" in head:
        return "osm"
    return "csv"


def inspect(fmt, data):
    readers = {"geojson": sources.geojson_inspect, "csv": sources.csv_inspect}
    return (readers.get(fmt) or osm.inspect)(data)


def read_rows(fmt, data, options):
    readers = {"geojson": sources.geojson_rows, "csv": sources.csv_rows}
    return (readers.get(fmt) or osm.rows)(data, options)


def _display_name(filename):
    name = os.path.basename((filename or "").replace("\\", "/"))
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:200] or "upload"


def _refuse(code, message):
    return ValidationError(code, fields={"file": [message]})


def upload(actor, inventory_id, filename, data):
    """Keep an uploaded file under a generated name and read its columns: a draft import."""
    inventory = _organised(actor, inventory_id)
    if not data:
        raise _refuse("import.empty", _l("Choose a file to import."))
    if len(data) > max_bytes():
        raise _refuse("import.too_big", _l("The file is over %(max)d MB.", max=max_megabytes()))
    fmt = detect_format(filename, data)
    try:
        source = inspect(fmt, data)
    except sources.Unreadable as error:
        raise _refuse("import.unreadable", error.message) from None
    if not source["rows"]:
        raise _refuse("import.no_rows", _l("The file holds no rows to import."))
    relative = os.path.join("mapping", "imports", f"{uuid.uuid4().hex}{EXTENSIONS[fmt]}")
    os.makedirs(folder(), exist_ok=True)
    with open(absolute(relative), "wb") as handle:
        handle.write(data)
    options = {
        "source": source,
        "fields": value_mapping.guess_mapping(inventory.fields, source["columns"], fmt),
        "geometry": source["geometry"],
        "crs": "auto",
        "id_column": "",
    }
    try:
        with unit_of_work():
            run = ImportRun(
                inventory_id=inventory.id,
                actor_id=actor.id,
                filename=_display_name(filename),
                format=fmt,
                path=relative,
                options=options,
                status=DRAFT,
            )
            db.session.add(run)
    except BaseException:
        os.remove(absolute(relative))
        raise
    return run


def clean_choices(run, choices):
    """The organiser's mapping, checked against the file's columns and the form."""
    source = run.options.get("source") or {}
    columns = set(source.get("columns") or [])
    fields = {f["key"] for f in value_mapping.mappable(run.inventory.fields)}
    errors, mapping = {}, {}
    for key, column in (choices.get("fields") or {}).items():
        if key not in fields:
            errors[key] = [_l("This inventory has no field %(key)s.", key=key)]
        elif (
            column
            and column not in columns
            and not (column == value_mapping.FROM_OSM and run.format == "osm")
        ):
            errors[key] = [_l("The file has no column %(column)s.", column=column)]
        elif column:
            mapping[key] = column
    geometry = dict(run.options.get("geometry") or {})
    if run.format == "csv":
        geometry = _clean_geometry(choices.get("geometry") or geometry, columns, errors)
    chosen = choices.get("crs") or "auto"
    if chosen not in dict(crs.choices()):
        errors["crs"] = [_l("Choose a coordinate system from the list.")]
    id_column = choices.get("id_column") or ""
    if id_column and id_column not in columns:
        errors["id_column"] = [_l("The file has no column %(column)s.", column=id_column)]
    if errors:
        raise ValidationError("import.mapping_invalid", fields=errors)
    return {"fields": mapping, "geometry": geometry, "crs": chosen, "id_column": id_column}


def _clean_geometry(geometry, columns, errors):
    mode = geometry.get("mode")
    needed = ("lon", "lat") if mode == "lonlat" else ("column",)
    if mode not in GEOMETRY_MODES:
        errors["geometry"] = [_l("Say where the positions are.")]
        return {}
    for name in needed:
        if geometry.get(name) not in columns:
            errors[f"geometry_{name}"] = [_l("Choose the column holding the position.")]
    return {"mode": mode, **{name: geometry.get(name) for name in needed}}


def start(actor, import_id, choices):
    """Record the mapping of a draft import and queue the job that imports it."""
    run = get(actor, import_id)
    options = clean_choices(run, choices)
    with unit_of_work():
        claimed = db.session.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id, ImportRun.status == DRAFT)
            .values(status=QUEUED, options={**run.options, **options})
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            raise Conflict(
                "import.already_started",
                message=_l("This import has already started."),
            )
        job = jobs.enqueue_after_commit(jobs.run_import, run.id, actor=actor)
        db.session.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id)
            .values(job_id=job.id)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(run)
    return run


# --- the job -----------------------------------------------------------------------------------


def run(import_id):
    """Import a queued file; safe to run twice, and to run again after a worker died.

    A queued import is claimed; a running one too, because a retried job finds the import
    its dead attempt left running. Nothing was saved by that attempt (one transaction),
    and `_save` lets only one attempt ever finish: exactly once in effect.
    """
    claimed = db.session.execute(
        update(ImportRun)
        .where(ImportRun.id == import_id, ImportRun.status.in_((QUEUED, RUNNING)))
        .values(status=RUNNING)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    record = db.session.get(ImportRun, import_id)
    if not claimed or record is None:
        return _unclaimed(import_id, record)
    db.session.refresh(record)
    actor = db.session.get(User, record.actor_id) if record.actor_id else None
    with force_locale(getattr(actor, "locale", None) or "fr"):
        outcomes = []
        try:
            outcomes = _convert_all(record)
            if not _save(record, actor, outcomes):
                db.session.refresh(record)
                return _unclaimed(import_id, record)
        except Exception:
            db.session.rollback()
            _fail(import_id, outcomes)
            raise
    return {"import_id": import_id, "accepted": record.accepted, "rejected": record.rejected}


def _unclaimed(import_id, record):
    """What an attempt that found the import done by another one answers: that one's result."""
    if record is None:
        return {"import_id": import_id, "claimed": False}
    db.session.refresh(record)
    return {
        "import_id": import_id,
        "claimed": False,
        "status": record.status,
        "accepted": record.accepted,
        "rejected": record.rejected,
    }


def _still_running(import_id):
    """Lock the import's row for this transaction and say whether it is still running.

    Another attempt that finished first has committed `finished`: this one must not save.
    PostgreSQL waits on the row lock, SQLite on its write lock, so the check is not racy.
    """
    return bool(
        db.session.execute(
            update(ImportRun)
            .where(ImportRun.id == import_id, ImportRun.status == RUNNING)
            .values(status=RUNNING)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _convert_all(record):
    with open(absolute(record.path), "rb") as handle:
        data = handle.read()
    rows = list(read_rows(record.format, data, record.options))
    inventory = record.inventory
    chosen = record.options.get("crs") or "auto"
    points = [r.first_xy() for r in rows if r.shape is not None and not r.crs]
    file_crs, how = crs.decide(points, geo.from_db(inventory.area), chosen=chosen)
    context = convert.Context(inventory, record.options, record.format, file_crs, how)
    outcomes = []
    for done, row in enumerate(rows, start=1):
        outcomes.append(convert.convert(row, context))
        if done % BATCH == 0:
            kernel_jobs.report_progress(done * 80 // len(rows), 100)
    kernel_jobs.report_progress(80, 100, message="saving")
    return outcomes


def _save(record, actor, outcomes):
    accepted = [o for o in outcomes if o.accepted]
    with unit_of_work():
        if not _still_running(record.id):
            return False
        inventory = record.inventory
        for start_at in range(0, len(accepted), BATCH):
            batch = accepted[start_at : start_at + BATCH]
            features = [_feature(record, inventory, actor, o) for o in batch]
            db.session.flush()
            for outcome, feature in zip(batch, features, strict=True):
                outcome.feature_id = feature.id
                db.session.add(_revision(feature, actor, record))
            db.session.flush()
        record.accepted = len(accepted)
        record.rejected = len(outcomes) - len(accepted)
        record.report_path = write_report(record, outcomes, saved=True)
        record.status, record.error = FINISHED, None
    return True


def _feature(record, inventory, actor, outcome):
    feature = Feature(
        inventory_id=inventory.id,
        inventory=inventory,
        status=PUBLISHED,
        created_by_id=getattr(actor, "id", None),
        updated_by_id=getattr(actor, "id", None),
        import_id=record.id,
        source_ref=outcome.ref,
        revision=1,
    )
    visibility.apply(feature, inventory, outcome.shape, outcome.values)
    db.session.add(feature)
    return feature


def _revision(feature, actor, record):
    return FeatureRevision(
        feature_id=feature.id,
        number=1,
        action="import",
        actor_id=getattr(actor, "id", None),
        geom=feature.geom,
        properties=dict(feature.properties or {}),
        status=feature.status,
        changed=sorted(feature.properties or {}) + ["geometry"],
        note=f"import #{record.id}: {feature.source_ref}"[:500],
    )


def _fail(import_id, outcomes):
    with unit_of_work():
        if not _still_running(import_id):
            return  # another attempt finished it: its result stands
        record = db.session.get(ImportRun, import_id)
        for outcome in outcomes:
            outcome.feature_id = None
        record.status, record.accepted = FAILED, 0
        record.rejected = sum(1 for o in outcomes if not o.accepted)
        record.error = str(_l("The import failed; nothing was saved. Try again later."))
        record.report_path = write_report(record, outcomes, saved=False) if outcomes else None
