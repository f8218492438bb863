"""Read-only spatial selects. On SpatiaLite the R*Tree is used explicitly (it never is
implicitly); the exact ST_Intersects test is always kept, since index boxes are approximate."""

from sqlalchemy import String, and_, case, cast, func, or_, select, text
from sqlalchemy.dialects.postgresql import JSON as JSON_PG
from sqlalchemy.dialects.postgresql import aggregate_order_by

from mapping import geo
from mapping.models import PUBLISHED, Feature, MapCell
from webapp.db import is_sqlite


def intersects(column, bbox):
    """A WHERE clause: the column's geometry meets the box, through the spatial index."""
    minlon, minlat, maxlon, maxlat = bbox
    shape = func.ST_GeomFromText(geo.bbox_polygon(bbox).wkt, 4326)
    exact = func.ST_Intersects(column, shape)
    if not is_sqlite():
        return exact
    table = column.table.name
    index = f"idx_{table}_{column.name}"
    rows = text(
        f"SELECT pkid FROM {index} "  # noqa: S608  (names come from our own model, not input)
        "WHERE xmin <= :maxlon AND xmax >= :minlon AND ymin <= :maxlat AND ymax >= :minlat"
    ).bindparams(minlon=minlon, minlat=minlat, maxlon=maxlon, maxlat=maxlat)
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


def feature_array(conditions, exact=False, limit=1000, offset=0):
    """One row: `features`, the page as a JSON array text built in SQL, and `seen`, the
    number of rows read (limit + 1 when there is a next page)."""
    geometry = Feature.geom if exact else Feature.public_geom
    properties = Feature.properties if exact else Feature.public_properties
    page = (
        select(
            Feature.id.label("id"),
            func.ST_AsGeoJSON(geometry).label("geometry"),
            properties.label("properties"),
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
    if is_sqlite():
        extra = func.json_object(
            "_status",
            page.c.status,
            "_sensitive",
            func.json(case((page.c.sensitive == 1, "true"), else_="false")),
            "_confirmations",
            page.c.confirmations,
        )
        feature = func.json_object(
            "type",
            "Feature",
            "id",
            page.c.id,
            "geometry",
            func.json(page.c.geometry),
            "properties",
            func.json_patch(page.c.properties, extra),
        )
        features = func.json_group_array(func.json(feature)).filter(page.c.n <= offset + limit)
    else:
        extra = func.jsonb_build_object(
            "_status",
            page.c.status,
            "_sensitive",
            page.c.sensitive,
            "_confirmations",
            page.c.confirmations,
        )
        feature = func.json_build_object(
            "type",
            "Feature",
            "id",
            page.c.id,
            "geometry",
            cast(page.c.geometry, JSON_PG),
            "properties",
            page.c.properties.op("||")(extra),
        )
        aggregated = func.json_agg(aggregate_order_by(feature, page.c.id))
        features = cast(aggregated.filter(page.c.n <= offset + limit), String)
    return select(features.label("features"), func.count().label("seen")).select_from(page)
