"""Read-only spatial selects. On SpatiaLite the R*Tree is used explicitly (it never is
implicitly); the exact ST_Intersects test is always kept, since index boxes are approximate."""

import functools

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from mapping import geo
from mapping.models import PUBLISHED, Feature, MapCell
from webapp.db import is_sqlite


def intersects(column, bbox):
    """A WHERE clause: the column's geometry meets the box, through the spatial index."""
    minlon, minlat, maxlon, maxlat = bbox
    return _intersects(
        column,
        geo.bbox_polygon(bbox).wkt,
        dict(minlon=minlon, minlat=minlat, maxlon=maxlon, maxlat=maxlat),
    )


def _intersects(column, wkt, corners):
    """`intersects` with values, or with named parameters bound at execution (`wkt` and
    `corners` are then bindparam objects and None)."""
    exact = func.ST_Intersects(column, func.ST_GeomFromText(wkt, 4326))
    if not is_sqlite():
        return exact
    table = column.table.name
    index = f"idx_{table}_{column.name}"
    rows = text(
        f"SELECT pkid FROM {index} "  # noqa: S608  (names come from our own model, not input)
        "WHERE xmin <= :maxlon AND xmax >= :minlon AND ymin <= :maxlat AND ymax >= :minlat"
    )
    if corners is not None:
        rows = rows.bindparams(**corners)
    primary = next(iter(column.table.primary_key.columns))
    return and_(primary.in_(rows), exact == 1)


def feature_filters(
    inventory_id, bbox=None, exact=False, statuses=(PUBLISHED,), attrs=None, also=None, updated=None
):
    """The conditions for listing an inventory's features.

    `exact` (staff only) searches the real geometry; everyone else searches the public one,
    so that probing with small boxes never finds a sensitive feature's real place.
    `also` widens the status condition (a viewer's own features waiting for review).
    `updated` is a (start, end) pair bounding the time of the last change, either None.
    """
    status = Feature.status.in_(statuses)
    conditions = [
        Feature.inventory_id == inventory_id,
        status if also is None else or_(status, also),
    ]
    if bbox is not None:
        conditions.append(intersects(Feature.geom if exact else Feature.public_geom, bbox))
    properties = Feature.properties if exact else Feature.public_properties
    for key, value in (attrs or {}).items():
        conditions.append(attribute_text(properties, key) == value)
    start, end = updated or (None, None)
    if start is not None:
        conditions.append(Feature.updated_at >= start)
    if end is not None:
        conditions.append(Feature.updated_at <= end)
    return conditions


def attribute_text(properties, key):
    """An attribute as PostgreSQL's ->> gives it: 240, 3.5, true, false or the text itself.

    SQLite's json_extract gives numbers as numbers and booleans as 0 or 1, which never equal
    the text of a query string.
    """
    if not is_sqlite():
        return properties[key].as_string()
    path = f'$."{key}"'
    kind = func.json_type(properties, path)
    return case(
        (kind.in_(("true", "false")), kind),
        else_=cast(func.json_extract(properties, path), String),
    )


def feature_rows(conditions, exact=False, limit=1000, offset=0):
    """Id, GeoJSON text, properties and status of each feature, ordered by id."""
    geometry = Feature.geom if exact else Feature.public_geom
    properties = Feature.properties if exact else Feature.public_properties
    query = (
        select(
            Feature.id,
            func.ST_AsGeoJSON(geometry).label("geometry"),
            properties.label("properties"),
            Feature.status,
            Feature.is_sensitive,
            Feature.confirmations,
            Feature.created_at,
            Feature.updated_at,
        )
        .where(*conditions)
        .order_by(Feature.id)
        .limit(limit)
        .offset(offset)
    )
    return query


def count(conditions):
    return select(func.count(Feature.id)).where(*conditions)


def clusters(conditions, bbox, cells=(24, 16)):
    """Features counted on a grid over the box: one row per non-empty cell with its
    count and the mean position, for maps zoomed out over many features."""
    minlon, minlat, maxlon, maxlat = bbox
    step_lon = max((maxlon - minlon) / cells[0], 1e-9)
    step_lat = max((maxlat - minlat) / cells[1], 1e-9)
    column = func.floor((Feature.public_lon - minlon) / step_lon).label("col")
    row = func.floor((Feature.public_lat - minlat) / step_lat).label("row")
    return (
        select(
            column,
            row,
            func.count(Feature.id).label("n"),
            func.avg(Feature.public_lon).label("lon"),
            func.avg(Feature.public_lat).label("lat"),
        )
        .where(*conditions)
        .group_by(column, row)
    )


def grid_clusters(inventory_id, bbox, level, cells=(24, 16)):
    """The same grid over the box as `clusters`, read from the map grid's stored cells of
    one level (published features by public position): one row per non-empty display cell
    with its count, mean position and `inside`, the count of stored cells wholly inside
    the box (a lower bound of the features in it)."""
    from mapping.services.map_grid import cell_size

    minlon, minlat, maxlon, maxlat = bbox
    size = cell_size(level)
    x0, x1 = int((minlon + 180) // size), int((maxlon + 180) // size)
    y0, y1 = int((minlat + 90) // size), int((maxlat + 90) // size)
    step_lon = max((maxlon - minlon) / cells[0], 1e-9)
    step_lat = max((maxlat - minlat) / cells[1], 1e-9)
    centre_lon = (MapCell.cx + 0.5) * size - 180
    centre_lat = (MapCell.cy + 0.5) * size - 90
    column = func.floor((centre_lon - minlon) / step_lon).label("col")
    row = func.floor((centre_lat - minlat) / step_lat).label("row")
    inside = and_(MapCell.cx > x0, MapCell.cx < x1, MapCell.cy > y0, MapCell.cy < y1)
    total = func.sum(MapCell.n)
    return (
        select(
            column,
            row,
            total.label("n"),
            (func.sum(MapCell.sum_lon) / total).label("lon"),
            (func.sum(MapCell.sum_lat) / total).label("lat"),
            func.sum(case((inside, MapCell.n), else_=0)).label("inside"),
        )
        .where(
            MapCell.inventory_id == inventory_id,
            MapCell.level == level,
            MapCell.cx.between(x0, x1),
            MapCell.cy.between(y0, y1),
            MapCell.n > 0,
        )
        .group_by(column, row)
    )


def page_array(inventory_id, bbox, exact, statuses, attrs, limit, offset):
    """`feature_array` over `feature_filters(inventory_id, bbox, exact, statuses, attrs)`,
    as (statement, parameters). The statement is built once per shape of request and
    reused with new parameters: building it is a third of the request's own time."""
    keys = tuple(attrs)
    statement = _page_statement(is_sqlite(), exact, bbox is not None, keys)
    params = {
        "inventory_id": inventory_id,
        "statuses": list(statuses),
        "page_limit": limit,
        "page_offset": offset,
        **{f"attr_{i}": attrs[key] for i, key in enumerate(keys)},
    }
    if bbox is not None:
        minlon, minlat, maxlon, maxlat = bbox
        params.update(
            bbox_wkt=geo.bbox_polygon(bbox).wkt,
            minlon=minlon,
            minlat=minlat,
            maxlon=maxlon,
            maxlat=maxlat,
        )
    return statement, params


@functools.lru_cache(maxsize=256)
def _page_statement(sqlite, exact, with_bbox, attr_keys):
    conditions = [
        Feature.inventory_id == bindparam("inventory_id"),
        Feature.status.in_(bindparam("statuses", expanding=True)),
    ]
    if with_bbox:
        column = Feature.geom if exact else Feature.public_geom
        conditions.append(_intersects(column, bindparam("bbox_wkt", type_=String), None))
    properties = Feature.properties if exact else Feature.public_properties
    for i, key in enumerate(attr_keys):
        conditions.append(attribute_text(properties, key) == bindparam(f"attr_{i}", type_=String))
    return feature_array(
        conditions,
        exact,
        bindparam("page_limit", type_=Integer),
        bindparam("page_offset", type_=Integer),
    )


def feature_array(conditions, exact=False, limit=1000, offset=0):
    """One row: `features`, the page as a JSON array text built in SQL, and `seen`, the
    number of rows read (limit + 1 when there is a next page).

    Each feature is glued as text around the database's own GeoJSON and JSON texts
    (nothing is parsed back into JSON values and serialised again): the reserved
    `_status`, `_sensitive` and `_confirmations` keys are appended to the properties
    object, whose own keys never start with an underscore (see `formschema.KEY_RE`)."""
    geometry = Feature.geom if exact else Feature.public_geom
    properties = Feature.properties if exact else Feature.public_properties
    sqlite = is_sqlite()
    page = (
        select(
            Feature.id.label("id"),
            func.ST_AsGeoJSON(geometry).label("geometry"),
            (func.json(properties) if sqlite else cast(properties, String)).label("properties"),
            Feature.status.label("status"),
            Feature.is_sensitive.label("sensitive"),
            Feature.confirmations.label("confirmations"),
            func.row_number().over(order_by=Feature.id).label("n"),
        )
        .where(*conditions)
        .order_by(Feature.id)
        .limit(limit + 1)
        .offset(offset)
        .subquery()
    )
    opening = case(
        (page.c.properties == "{}", literal("{")),
        else_=func.substr(page.c.properties, 1, func.length(page.c.properties) - 1) + ",",
    )
    if sqlite:
        status = func.json_quote(page.c.status)
        sensitive = case((page.c.sensitive == 1, literal("true")), else_=literal("false"))
    else:
        status = cast(func.to_json(page.c.status), String)
        sensitive = cast(page.c.sensitive, String)
    feature = (
        literal('{"type":"Feature","id":')
        + cast(page.c.id, String)
        + ',"geometry":'
        + page.c.geometry
        + ',"properties":'
        + opening
        + '"_status":'
        + status
        + ',"_sensitive":'
        + sensitive
        + ',"_confirmations":'
        + cast(page.c.confirmations, String)
        + "}}"
    )
    if sqlite:
        # The subquery's order is kept by the aggregate (as for json_group_array).
        joined = func.group_concat(feature, ",")
    else:
        joined = func.string_agg(feature, aggregate_order_by(literal(","), page.c.id))
    features = literal("[") + func.coalesce(joined.filter(page.c.n <= offset + limit), "") + "]"
    return select(features.label("features"), func.count().label("seen")).select_from(page)
