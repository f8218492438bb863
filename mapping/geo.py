"""Geometry in one place: GeoJSON ⇄ Shapely ⇄ database values, checks, generalisation.

Everything is WGS 84, longitude first. Checks raise ValidationError with a precise,
translated message under the given field name.
"""

import math
import threading

import shapely
from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon, Polygon, box, shape
from shapely.geometry import mapping as shapely_mapping
from shapely.validation import explain_validity

from webapp.errors import ValidationError
from webapp.inputs import loads as strict_json

MAX_VERTICES = 5000
MAX_AREA_VERTICES = 20000
METRES_PER_DEGREE = 111_320.0
COORD_DECIMALS = 7

TYPE_LABELS = {
    "Point": _l("point"),
    "LineString": _l("line"),
    "Polygon": _l("area"),
    "MultiPolygon": _l("area"),
}


def _fail(field, message):
    raise ValidationError("geometry.invalid", fields={field: [message]})


def _numbers_only(coordinates):
    """Every leaf of nested coordinate arrays is a number (not text, not true/false)."""
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, bool) or not isinstance(item, int | float):
            return False
    return True


def parse_geojson(value, field="geometry"):
    """Read a GeoJSON geometry (dict or text) into a 2D Shapely geometry, or refuse it."""
    if isinstance(value, str):
        try:
            value = strict_json(value)
        except ValueError:
            _fail(field, _l("The geometry is not valid GeoJSON."))
    if not isinstance(value, dict) or "type" not in value:
        _fail(field, _l("Give a GeoJSON geometry with a type and coordinates."))
    if value.get("type") == "GeometryCollection":
        _fail(field, _l("Geometry collections are not accepted; give one geometry."))
    if not _numbers_only(value.get("coordinates")):
        # Shapely would turn "3.87" into 3.87: GeoJSON positions are numbers, nothing else.
        _fail(field, _l("The coordinates of this geometry cannot be read."))
    try:
        geometry = shape(value)
    except Exception:  # Shapely raises several types on malformed coordinates
        _fail(field, _l("The coordinates of this geometry cannot be read."))
    # A third coordinate (altitude from a GPS) is dropped: positions are 2D.
    return shapely.force_2d(geometry)


def check(geometry, allowed_types, field="geometry", area=None, max_vertices=MAX_VERTICES):
    """Refuse an empty, invalid, out-of-range, too detailed or misplaced geometry."""
    if geometry.is_empty:
        _fail(field, _l("The geometry is empty."))
    if geometry.geom_type not in allowed_types:
        # An area of interest may be a polygon or a multipolygon: one word for both.
        allowed = ", ".join(dict.fromkeys(str(TYPE_LABELS.get(t, t)) for t in allowed_types))
        _fail(field, _l("This inventory accepts: %(types)s.", types=allowed))
    coords = shapely.get_coordinates(geometry)
    if not all(math.isfinite(v) for v in coords.flat):
        _fail(field, _l("Coordinates must be finite numbers."))
    lons, lats = coords[:, 0], coords[:, 1]
    if lons.min() < -180 or lons.max() > 180 or lats.min() < -90 or lats.max() > 90:
        _fail(
            field,
            _l("Longitude must be between -180 and 180 and latitude between -90 and 90."),
        )
    if len(coords) > max_vertices:
        _fail(field, _l("Too many vertices (at most %(max)d).", max=max_vertices))
    if not geometry.is_valid:
        _fail(field, _l("The geometry is not valid: %(why)s.", why=explain_validity(geometry)))
    if area is not None and not area.covers(geometry):
        _fail(field, _l("The geometry must lie inside the inventory's area."))
    return geometry


def to_area(geometry, field="area"):
    """Check an area of interest and return it rounded, as a MultiPolygon."""
    check(geometry, ("Polygon", "MultiPolygon"), field=field, max_vertices=MAX_AREA_VERTICES)
    # Rounded only once checked: GEOS cannot snap an invalid polygon to the grid.
    geometry = round_coords(geometry)
    if geometry.is_empty:
        _fail(field, _l("The geometry is empty."))
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    return geometry


def round_coords(geometry, decimals=COORD_DECIMALS):
    """Keep 7 decimals (about 1 cm): both backends then give identical GeoJSON."""
    return shapely.set_precision(geometry, 10**-decimals) if not geometry.is_empty else geometry


def to_db(geometry):
    return WKTElement(geometry.wkt, srid=4326)


def from_db(value):
    return to_shape(value) if value is not None else None


_areas = threading.local()
AREA_CACHE = 32


def area_from_db(value):
    """An area of interest as a prepared shape, for the many `covers` checks of a mapping
    party: parsed and prepared once per thread and per distinct value (the key is the
    value's own bytes, so an edited area is never served stale)."""
    data = getattr(value, "data", None)
    if not isinstance(data, bytes | memoryview):
        return from_db(value)
    key = bytes(data)
    cache = getattr(_areas, "shapes", None)
    if cache is None:
        cache = _areas.shapes = {}
    area = cache.get(key)
    if area is None:
        if len(cache) >= AREA_CACHE:
            cache.clear()
        area = cache[key] = to_shape(value)
        shapely.prepare(area)
    return area


def to_geojson(geometry):
    return shapely_mapping(geometry) if geometry is not None else None


def generalise(geometry, cell_m):
    """The centre of the coarse grid cell holding the geometry's centre.

    The grid is fixed (not centred on the feature), so moving the real position within a
    cell does not move what is shown, and two features in one cell show the same point.
    """
    centre = geometry.centroid if geometry.geom_type != "Point" else geometry
    step_lat = cell_m / METRES_PER_DEGREE
    row = math.floor(centre.y / step_lat)
    lat = (row + 0.5) * step_lat
    step_lon = cell_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    lon = (math.floor(centre.x / step_lon) + 0.5) * step_lon
    return shapely.Point(round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS))


def centre_of(geometry):
    """A representative point (inside areas), for clustering and labels."""
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return point.x, point.y


def parse_bbox(text, field="bbox"):
    """Read `minlon,minlat,maxlon,maxlat` into a tuple, or refuse it."""
    try:
        parts = [float(p) for p in str(text).split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        _fail(
            field, _l("Give the box as min longitude, min latitude, max longitude, max latitude.")
        )
    minlon, minlat, maxlon, maxlat = parts
    if not (-180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90):
        _fail(field, _l("The box is out of range or its corners are swapped."))
    return minlon, minlat, maxlon, maxlat


def bbox_polygon(bbox):
    return box(*bbox)


def grid(area, cell_m, limit=2000):
    """Square-ish cells of `cell_m` metres covering an area, clipped to it."""
    minlon, minlat, maxlon, maxlat = area.bounds
    step_lat = cell_m / METRES_PER_DEGREE
    step_lon = cell_m / (METRES_PER_DEGREE * max(math.cos(math.radians(minlat)), 0.01))
    columns = math.ceil((maxlon - minlon) / step_lon)
    rows = math.ceil((maxlat - minlat) / step_lat)
    if columns * rows > limit:
        _fail(
            "cell_m", _l("This would make more than %(max)d cells; choose bigger cells.", max=limit)
        )
    cells = []
    for row in range(rows):
        for column in range(columns):
            cell = box(
                minlon + column * step_lon,
                minlat + row * step_lat,
                minlon + (column + 1) * step_lon,
                minlat + (row + 1) * step_lat,
            ).intersection(area)
            if cell.is_empty:
                continue
            # A clipped cell may fall apart; keep its largest part as the task.
            if cell.geom_type != "Polygon":
                parts = [g for g in getattr(cell, "geoms", []) if g.geom_type == "Polygon"]
                if not parts:
                    continue
                cell = max(parts, key=lambda g: g.area)
            cells.append(round_coords(cell))
    return cells
