"""One imported row to a checked WGS 84 shape and clean form values, or a reason to refuse it.

A row is never moved somewhere it was not: coordinates out of range, too imprecise, in an
unknown or ambiguous system, or outside the inventory's area are refused, not repaired.
The one repair is a latitude/longitude pair written in the wrong order, recognised only
when the swapped position falls inside the area and the written one does not.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l

from mapping import formschema, geo
from mapping.io import crs, values
from webapp.errors import ValidationError

MIN_DECIMALS = 3  # 0.001° is about 100 m: fewer decimals cannot place a feature


@dataclass
class Outcome:
    number: int
    ref: str
    shape: object = None
    values: dict | None = None
    reason: str | None = None
    note: str | None = None
    feature_id: int | None = None

    @property
    def accepted(self):
        return self.reason is None


class Context:
    """What every row of one import is checked against."""

    def __init__(self, inventory, options, fmt, file_crs, how):
        self.inventory, self.fmt = inventory, fmt
        self.area = geo.from_db(inventory.area)
        # Every row is tested against the area (a city's outline has thousands of vertices).
        shapely.prepare(self.area)
        self.fields = inventory.fields
        self.allowed = inventory.allowed_types
        self.mapping = options.get("fields") or {}
        self.chosen = options.get("crs") or "auto"
        self.file_crs, self.how = file_crs, how
        self.fixed_tags = (inventory.form_schema or {}).get("osm_tags") or {}


def convert(row, ctx):
    """Check one row; the outcome holds either a shape and values, or a reason."""
    outcome = Outcome(row.number, row.ref)
    try:
        outcome.shape, outcome.note = _shape(row, ctx)
        outcome.values = _values(row, ctx)
    except _Refused as refused:
        outcome.shape, outcome.values, outcome.reason = None, None, str(refused.message)
    if outcome.note is not None:
        outcome.note = str(outcome.note)
    return outcome


class _Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _system(row, ctx):
    if ctx.chosen != "auto":
        return ctx.chosen
    if row.crs:
        return row.crs
    if ctx.file_crs is None:
        if ctx.how == "ambiguous":
            raise _Refused(
                _l(
                    "The coordinates are not in degrees and several coordinate systems would "
                    "place them in the area: choose the system in the import's settings."
                )
            )
        raise _Refused(
            _l(
                "The coordinates are not in degrees and no known coordinate system places "
                "them in the inventory's area."
            )
        )
    return ctx.file_crs


def _shape(row, ctx):
    if row.problem is not None:
        raise _Refused(row.problem)
    system = _system(row, ctx)
    shape = row.shape
    coords = shapely.get_coordinates(shape)
    if system == crs.WGS84:
        stray = [(x, y) for x, y in coords.tolist() if not crs.in_degrees(x, y)]
        if stray:
            x, y = stray[0]
            raise _Refused(
                _l(
                    "The coordinates %(x)s, %(y)s are out of range for a longitude and a latitude.",
                    x=f"{x:g}",
                    y=f"{y:g}",
                )
            )
        if row.decimals is not None and row.decimals < MIN_DECIMALS:
            raise _Refused(
                _l("The coordinates have too few decimals to place the feature precisely.")
            )
    else:
        shape = crs.to_wgs84(shape, system)
        if not np.isfinite(shapely.get_coordinates(shape)).all():
            raise _Refused(_l("The coordinates cannot be converted from %(crs)s.", crs=system))
    shape = _fit(_single(shape), row, ctx)
    note = None
    if not ctx.area.covers(shape) and system == crs.WGS84:
        swapped = shapely.transform(shape, lambda c: c[:, ::-1])
        if ctx.area.covers(swapped):
            shape = swapped
            note = _l("Latitude and longitude were in the wrong order; they were swapped.")
    try:
        shape = geo.check(shape, ctx.allowed, area=ctx.area)
    except ValidationError as error:
        raise _Refused(_first(error)) from None
    return geo.round_coords(shape), note


def _single(shape):
    """A multi-geometry of one part is that part (Opendatasoft writes points as MultiPoint)."""
    parts = getattr(shape, "geoms", None)
    if parts is not None and len(parts) == 1 and shape.geom_type.startswith("Multi"):
        return parts[0]
    return shape


def _fit(shape, row, ctx):
    if row.closed_way and "Polygon" not in ctx.allowed and "LineString" in ctx.allowed:
        return shapely.LineString(shape.exterior.coords)
    return shape


def _first(error):
    messages = [str(m) for ms in (error.fields or {}).values() for m in ms]
    return messages[0] if messages else str(error.message)


def _values(row, ctx):
    if ctx.fmt == "osm":
        missing = {k: v for k, v in ctx.fixed_tags.items() if row.values.get(k) != v}
        if missing:
            tags = ";".join(f"{k}={v}" for k, v in ctx.fixed_tags.items())
            raise _Refused(
                _l("The object does not carry this inventory's tags %(tags)s.", tags=tags)
            )
    data = values.form_data(ctx.fields, ctx.mapping, row.values)
    if ctx.fmt == "osm" and not data and not ctx.fixed_tags:
        raise _Refused(_l("None of the object's tags maps to a field of this inventory."))
    try:
        return formschema.clean_values(ctx.fields, data)
    except ValidationError as error:
        labels = {f["key"]: formschema.label(f, _locale()) for f in ctx.fields}
        parts = [
            str(
                _l(
                    "%(field)s: %(message)s",
                    field=labels.get(key, key),
                    message="; ".join(str(m) for m in messages),
                )
            )
            for key, messages in (error.fields or {}).items()
        ]
        raise _Refused(" ".join(parts)) from None


def _locale():
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "fr"
