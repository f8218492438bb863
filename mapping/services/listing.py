"""Reading features out: GeoJSON FeatureCollections by box and page, and the map's data
(features when few, server-side clusters when many). What each viewer gets follows
`policies`: the public geometry and values unless they are staff."""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_

from mapping import policies, queries
from mapping.models import (
    CHANGES_REQUESTED,
    FEATURE_STATUSES,
    PENDING,
    PUBLISHED,
    REMOVED,
    Feature,
)
from mapping.services import map_grid
from webapp.errors import PermissionDenied, ValidationError
from webapp.extensions import db

MAX_LIMIT = 10000
MAP_LIMIT = 2000
# The display grid of clusters over a viewport: columns, rows.
CLUSTER_CELLS = (24, 16)


def _statuses(viewer, statuses):
    """Anyone lists published features; moderators and organisers may ask for others."""
    statuses = tuple(statuses or (PUBLISHED,))
    unknown = set(statuses) - set(FEATURE_STATUSES)
    if unknown:
        raise ValidationError("feature.status_unknown", fields={"status": [_l("Unknown status.")]})
    if set(statuses) - {PUBLISHED} and not policies.can_moderate(viewer):
        raise PermissionDenied("feature.status_forbidden")
    return statuses


def _attrs(inventory, attrs):
    keys = {f["key"] for f in inventory.fields}
    unknown = [k for k in (attrs or {}) if k not in keys]
    if unknown:
        raise ValidationError(
            "feature.filter_unknown",
            fields={"attr": [_l("This inventory has no field %(key)s.", key=unknown[0])]},
        )
    return attrs or {}


def _own_waiting(viewer):
    """The viewer's own contributions still waiting for a decision, shown to them alone."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return and_(
        Feature.created_by_id == viewer.id, Feature.status.in_((PENDING, CHANGES_REQUESTED))
    )


def feature_collection(
    viewer,
    inventory,
    bbox=None,
    limit=1000,
    offset=0,
    statuses=None,
    attrs=None,
    include_own=False,
    updated=None,
):
    """A page of features as a GeoJSON FeatureCollection, with the total matched;
    `updated` is a (start, end) pair of UTC times, either None for open-ended."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValidationError(
            "feature.page_invalid",
            fields={"limit": [_l("Between 1 and %(max)d.", max=MAX_LIMIT)]},
        )
    exact = policies.sees_exact(viewer)
    conditions = queries.feature_filters(
        inventory.id,
        bbox,
        exact,
        _statuses(viewer, statuses),
        _attrs(inventory, attrs),
        also=_own_waiting(viewer) if include_own else None,
        updated=updated,
    )
    rows = db.session.execute(queries.feature_rows(conditions, exact, limit, offset)).all()
    matched = db.session.scalar(queries.count(conditions))
    return {
        "type": "FeatureCollection",
        "features": [_feature(row) for row in rows],
        "numberMatched": matched,
        "numberReturned": len(rows),
        "next_offset": offset + len(rows) if offset + len(rows) < matched else None,
    }


def _feature(row):
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": json.loads(row.geometry),
        "properties": {
            **(row.properties or {}),
            "_status": row.status,
            "_sensitive": bool(row.is_sensitive),
            "_confirmations": row.confirmations,
        },
    }


def map_data(viewer, inventory, bbox, limit=MAP_LIMIT):
    """What the map draws for a viewport: the features if at most `limit`, else clusters
    counted on the server (the page never receives more than `limit` features).

    Zoomed out, clusters come from the map grid (a few hundred stored cells, whatever the
    number of features); only a small box is grouped feature by feature."""
    exact = policies.sees_exact(viewer)
    grid = None
    level = map_grid.level_for((bbox[2] - bbox[0]) / CLUSTER_CELLS[0])
    if level is not None:
        grid = db.session.execute(queries.grid_clusters(inventory.id, bbox, level)).all()
        if sum(int(c.inside) for c in grid) > limit:
            return _clusters(grid, _own_clusters(viewer, inventory, bbox, exact))
    conditions = queries.feature_filters(inventory.id, bbox, exact, also=_own_waiting(viewer))
    rows = db.session.execute(queries.feature_rows(conditions, exact, limit + 1, 0)).all()
    if len(rows) <= limit:
        return {"type": "FeatureCollection", "features": [_feature(r) for r in rows]}
    if grid is not None:
        return _clusters(grid, _own_clusters(viewer, inventory, bbox, exact))
    return _clusters(db.session.execute(queries.clusters(conditions, bbox, CLUSTER_CELLS)).all())


def _own_clusters(viewer, inventory, bbox, exact):
    """The viewer's own features waiting for review (never in the grid), grouped live."""
    own = _own_waiting(viewer)
    if own is None:
        return []
    conditions = queries.feature_filters(inventory.id, bbox, exact, statuses=(), also=own)
    return db.session.execute(queries.clusters(conditions, bbox, CLUSTER_CELLS)).all()


def _clusters(*groups):
    return {
        "type": "Clusters",
        "clusters": [
            {"lon": float(c.lon), "lat": float(c.lat), "count": int(c.n)}
            for group in groups
            for c in group
        ],
    }


def visible_statuses():
    return tuple(s for s in FEATURE_STATUSES if s != REMOVED)


def feature_collection_text(
    viewer, inventory, bbox=None, limit=1000, offset=0, statuses=None, attrs=None
):
    """The same page as `feature_collection`, with the features array built by the database
    as one JSON text (no row goes through Python): the fast path of the API and OGC lists.

    Returns (features_json_text, number_returned, has_more); the exact total is not
    counted here, since it would cost as much as the page itself.
    """
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValidationError(
            "feature.page_invalid",
            fields={"limit": [_l("Between 1 and %(max)d.", max=MAX_LIMIT)]},
        )
    exact = policies.sees_exact(viewer)
    statement, params = queries.page_array(
        inventory.id,
        bbox,
        exact,
        _statuses(viewer, statuses),
        _attrs(inventory, attrs),
        limit,
        offset,
    )
    row = db.session.execute(statement, params).one()
    seen = int(row.seen or 0)
    return row.features or "[]", min(seen, limit), seen > limit
