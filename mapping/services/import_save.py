"""Saving an import's accepted rows in bulk, in the caller's transaction.

The rows go to the database by chunks without ORM objects: `COPY … FROM STDIN` on PostgreSQL,
one `executemany` on SQLite. Feature ids are reserved first (the sequence on PostgreSQL; on
SQLite, whose transactions here begin IMMEDIATE and so hold the write lock, the ids after the
largest one), so that each revision and the import's report name their feature.
Geometries are encoded by Shapely for a whole chunk at once (hex EWKB).
"""

import json
from datetime import datetime

import shapely
from sqlalchemy import func, insert, select, text

from mapping import geo
from mapping.models import PUBLISHED, Feature, FeatureRevision
from mapping.services import visibility
from webapp.db import utcnow
from webapp.extensions import db

CHUNK = 5000
FEATURE_COLUMNS = (
    "id",
    "inventory_id",
    "geom",
    "public_geom",
    "public_lon",
    "public_lat",
    "geometry_type",
    "properties",
    "public_properties",
    "is_sensitive",
    "status",
    "revision",
    "confirmations",
    "created_by_id",
    "updated_by_id",
    "import_id",
    "source_ref",
    "created_at",
    "updated_at",
)
REVISION_COLUMNS = (
    "feature_id",
    "number",
    "action",
    "actor_id",
    "geom",
    "properties",
    "status",
    "changed",
    "note",
    "created_at",
)


def save(record, inventory, actor, accepted):
    """Insert one published feature and its first revision per accepted outcome; set each
    outcome's feature_id. Nothing is committed here."""
    actor_id = getattr(actor, "id", None)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(accepted), CHUNK):
        chunk = accepted[start : start + CHUNK]
        ids = _reserve_ids(len(chunk), postgres)
        features, revisions = _rows(record, inventory, actor_id, chunk, ids, postgres)
        if postgres:
            _copy("mapping_feature", FEATURE_COLUMNS, features)
            _copy("mapping_feature_revision", REVISION_COLUMNS, revisions)
        else:
            _insert(Feature, FEATURE_COLUMNS, features)
            _insert(FeatureRevision, REVISION_COLUMNS, revisions)
        for outcome, ident in zip(chunk, ids, strict=True):
            outcome.feature_id = ident


def _reserve_ids(count, postgres):
    if postgres:
        return db.session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('mapping_feature', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        ).all()
    top = db.session.scalar(select(func.max(Feature.id))) or 0
    return list(range(top + 1, top + 1 + count))


def _rows(record, inventory, actor_id, chunk, ids, postgres):
    """Tuples in the order of the columns above: text for COPY on PostgreSQL (hex EWKB,
    JSON text), values for the SQLAlchemy column types on SQLite."""
    now = utcnow()
    public = [visibility.columns(inventory, o.shape, o.values) for o in chunk]
    encode = _ewkb if postgres else _wkt_elements
    exact_geoms = encode([o.shape for o in chunk])
    public_geoms = encode([p["public_geom"] for p in public])
    dump = _json_text if postgres else _same
    features, revisions = [], []
    for ident, outcome, cols, geom, public_geom in zip(
        ids, chunk, public, exact_geoms, public_geoms, strict=True
    ):
        properties = dump(cols["properties"])
        features.append(
            (
                ident,
                inventory.id,
                geom,
                public_geom,
                cols["public_lon"],
                cols["public_lat"],
                cols["geometry_type"],
                properties,
                dump(cols["public_properties"]),
                cols["is_sensitive"],
                PUBLISHED,
                1,
                0,
                actor_id,
                actor_id,
                record.id,
                outcome.ref,
                now,
                now,
            )
        )
        revisions.append(
            (
                ident,
                1,
                "import",
                actor_id,
                geom,
                properties,
                PUBLISHED,
                dump(sorted(cols["properties"]) + ["geometry"]),
                f"import #{record.id}: {outcome.ref}"[:500],
                now,
            )
        )
    return features, revisions


def _json_text(value):
    return json.dumps(value, ensure_ascii=False)


def _same(value):
    return value


def _wkt_elements(shapes):
    return [geo.to_db(shape) for shape in shapes]


def _ewkb(shapes):
    return shapely.to_wkb(shapely.set_srid(shapes, 4326), hex=True, include_srid=True).tolist()


def _copy(table, columns, rows):
    """COPY in PostgreSQL's text format, written by us in large pieces: adapting each value
    through the driver costs more than the database's own work."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(rows), 1000):
            lines = ["\t".join(map(_copy_text, row)) for row in rows[start : start + 1000]]
            copy.write("\n".join(lines) + "\n")


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value):
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def _insert(model, columns, rows):
    db.session.execute(insert(model), [dict(zip(columns, r, strict=True)) for r in rows])
