"""Coordinate systems of imported files: declared, chosen, or recognised, then WGS 84.

French open data often comes in Lambert-93 (EPSG:2154) with no declaration, sometimes in
Web Mercator (EPSG:3857) or the older Lambert II étendu (EPSG:27572). In France their
coordinates fall in different ranges, and the inventory's area settles the rest: a system
is recognised only when it alone puts the file's points inside the area. When several
fit, nothing is guessed: the rows are refused and the organiser chooses the system.
"""

import math
import re
from functools import lru_cache

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l
from pyproj import Transformer
from pyproj.exceptions import CRSError, ProjError

WGS84 = "EPSG:4326"
GUESSABLE = ("EPSG:2154", "EPSG:3857", "EPSG:27572")
SAMPLE = 2000
_EPSG = re.compile(r"EPSG:{1,2}(?:[\d.]*:)?(\d{4,6})$", re.I)


def choices():
    """The systems an organiser may choose in the mapping step (auto: declared or recognised)."""
    return [
        ("auto", _l("Automatic (declared in the file, or recognised)")),
        (WGS84, _l("WGS 84, degrees (EPSG:4326)")),
        ("EPSG:2154", _l("Lambert-93, metres (EPSG:2154)")),
        ("EPSG:3857", _l("Web Mercator, metres (EPSG:3857)")),
        ("EPSG:27572", _l("Lambert II extended, metres (EPSG:27572)")),
    ]


def parse_name(text):
    """`EPSG:xxxx` for a CRS name such as urn:ogc:def:crs:EPSG::2154 or EPSG:2154; CRS84 is
    WGS 84 longitude first. None when the name is not understood."""
    if not isinstance(text, str):
        return None
    name = text.strip()
    if name.upper().endswith("CRS84"):
        return WGS84
    match = _EPSG.search(name)
    if match is None:
        return None
    code = f"EPSG:{int(match.group(1))}"
    return code if transformer(code) is not None else None


def declared_in_geojson(document):
    """The CRS an old-style GeoJSON declares in its `crs` member, or None."""
    crs = document.get("crs") if isinstance(document, dict) else None
    if not isinstance(crs, dict) or crs.get("type") != "name":
        return None
    return parse_name((crs.get("properties") or {}).get("name"))


@lru_cache(maxsize=32)
def transformer(code):
    try:
        return Transformer.from_crs(code, WGS84, always_xy=True)
    except (CRSError, ProjError):
        return None


def in_degrees(x, y):
    return math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90


def to_wgs84(geometry, code):
    """The geometry in WGS 84 (longitude, latitude), from the given system."""
    if code == WGS84:
        return geometry
    convert = transformer(code)

    def project(coords):
        lons, lats = convert.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lons, lats])

    return shapely.transform(geometry, project)


def decide(points, area, declared=None, chosen=None):
    """The file's system and how it was found: ("EPSG:…", "chosen" | "declared" |
    "degrees" | "recognised"), or (None, "ambiguous" | "unrecognised").

    `points` is one (x, y) per row, in the file's coordinates; a file mostly in degrees is
    WGS 84 (its stray rows are refused one by one, never reprojected).
    """
    if chosen and chosen != "auto":
        return chosen, "chosen"
    if declared:
        return declared, "declared"
    points = [p for p in points if p is not None]
    if not points:
        return WGS84, "degrees"
    degrees = sum(1 for x, y in points if in_degrees(x, y))
    if degrees * 2 >= len(points):
        return WGS84, "degrees"
    projected = np.array([p for p in points if not in_degrees(*p)][:SAMPLE], dtype=float)
    fits = []
    for code in GUESSABLE:
        lons, lats = transformer(code).transform(projected[:, 0], projected[:, 1])
        if shapely.contains_xy(area, np.asarray(lons), np.asarray(lats)).any():
            fits.append(code)
    if len(fits) == 1:
        return fits[0], "recognised"
    return None, ("ambiguous" if fits else "unrecognised")
