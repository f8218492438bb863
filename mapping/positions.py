"""Positions typed or pasted instead of drawn: the keyboard's way to place a feature.

Latitude and longitude accept a decimal point or a decimal comma (French keyboards); a line
or an area is pasted as GeoJSON or WKT. Each refusal is a translated message under its field.
"""

import json
import re

import shapely
import shapely.wkt
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from shapely.geometry import Point

from mapping import geo
from webapp.errors import ValidationError

DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?$")
MAX_SHAPE_TEXT = 200_000


def _degrees(text, limit):
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not DECIMAL.match(text):
        return None
    value = float(text.replace(",", "."))
    return value if -limit <= value <= limit else None


def _shown(value):
    return format_decimal(round(value, 4), format="#,##0.0###")


def typed_point(lat_text, lon_text, area=None):
    """A GeoJSON point from typed latitude and longitude, or None when both are blank."""
    if not (lat_text or "").strip() and not (lon_text or "").strip():
        return None
    lat, lon = _degrees(lat_text, 90), _degrees(lon_text, 180)
    errors = {}
    if lat is None:
        errors["lat"] = [
            _l("Type the latitude in decimal degrees, between -90 and 90, e.g. 43,6108.")
        ]
    if lon is None:
        errors["lon"] = [
            _l("Type the longitude in decimal degrees, between -180 and 180, e.g. 3,8767.")
        ]
    if errors:
        raise ValidationError("feature.coordinates_invalid", fields=errors)
    if area is not None and not area.covers(Point(lon, lat)):
        minlon, minlat, maxlon, maxlat = area.bounds
        message = _l(
            "This position is outside the inventory's area: latitude between %(south)s and "
            "%(north)s, longitude between %(west)s and %(east)s.",
            south=_shown(minlat),
            north=_shown(maxlat),
            west=_shown(minlon),
            east=_shown(maxlon),
        )
        raise ValidationError("feature.coordinates_outside", fields={"lat": [message]})
    return {"type": "Point", "coordinates": [lon, lat]}


def pasted_shape(text):
    """A GeoJSON geometry from pasted GeoJSON or WKT, or None when the box is blank."""
    text = (text or "").strip()
    if not text:
        return None
    unreadable = ValidationError(
        "feature.shape_unreadable",
        fields={
            "shape": [
                _l(
                    "This text is neither GeoJSON nor WKT, e.g. "
                    "LINESTRING (3.8767 43.6108, 3.8780 43.6112)."
                )
            ]
        },
    )
    if len(text) > MAX_SHAPE_TEXT:
        raise unreadable
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            raise unreadable from None
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return geo.to_geojson(geo.parse_geojson(value, field="shape"))
    try:
        geometry = shapely.wkt.loads(text)
    except shapely.errors.ShapelyError:
        raise unreadable from None
    return geo.to_geojson(shapely.force_2d(geometry))
