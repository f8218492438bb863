"""Likely duplicates: same inventory, within a few metres, similar key attribute."""

import difflib
import math

from sqlalchemy import select

from mapping import formschema, geo, handoff, queries
from mapping.models import PENDING, PUBLISHED, DuplicateHint, Feature
from webapp.db import unit_of_work
from webapp.extensions import db

RADIUS_M = 15
SIMILARITY = 0.8


def _similar(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = str(a).casefold().strip(), str(b).casefold().strip()
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILARITY


def _distance_m(a, b):
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * geo.METRES_PER_DEGREE * math.cos(lat)
    dy = (a[1] - b[1]) * geo.METRES_PER_DEGREE
    return math.hypot(dx, dy)


def find(feature_id):
    """Record hints between a feature and its near, similar neighbours; return their count."""
    feature = db.session.get(Feature, feature_id)
    if feature is None or feature.status not in (PENDING, PUBLISHED):
        return 0
    shape = geo.from_db(feature.geom)
    centre = geo.centre_of(shape)
    pad_lat = RADIUS_M / geo.METRES_PER_DEGREE
    pad_lon = pad_lat / max(math.cos(math.radians(centre[1])), 0.01)
    minlon, minlat, maxlon, maxlat = shape.bounds
    bbox = (minlon - pad_lon, minlat - pad_lat, maxlon + pad_lon, maxlat + pad_lat)
    key = formschema.key_field(feature.inventory.fields)
    neighbours = db.session.scalars(
        select(Feature).where(
            Feature.inventory_id == feature.inventory_id,
            Feature.id != feature.id,
            Feature.status.in_((PENDING, PUBLISHED)),
            queries.intersects(Feature.geom, bbox),
        )
    ).all()
    found = 0
    with unit_of_work():
        for other in neighbours:
            distance = _distance_m(centre, geo.centre_of(geo.from_db(other.geom)))
            if distance > RADIUS_M:
                continue
            if key and not _similar(feature.properties.get(key), other.properties.get(key)):
                continue
            exists = db.session.scalar(
                select(DuplicateHint.id).where(
                    DuplicateHint.feature_id == feature.id, DuplicateHint.other_id == other.id
                )
            )
            if exists is None:
                db.session.add(
                    DuplicateHint(feature_id=feature.id, other_id=other.id, distance_m=distance)
                )
                handoff.mark_duplicate_hint(feature, other)
                found += 1
    return found
