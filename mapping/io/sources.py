"""The rows of an imported GeoJSON or CSV file, in the file's own coordinates.

A row that cannot be read keeps a `problem` (a translatable message) instead of a shape:
nothing is dropped silently, every row ends in the import's report.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field

import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry import shape as geojson_shape

from mapping.io import crs
from webapp.inputs import loads as strict_json

SAMPLES = 3
INSPECT_ROWS = 1000
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "coord_x", "coordx", "xcoord", "x_wgs84")
LAT_NAMES = ("lat", "latitude", "y", "coord_y", "coordy", "ycoord", "y_wgs84")
LATLON_NAMES = ("geo_point_2d", "geo_point", "geopoint", "coord_geo", "coordonnees", "latlon")
WKT_NAMES = ("wkt", "geom", "geometry", "the_geom", "geometrie", "wkt_geom")
JSON_NAMES = ("geo_shape", "geojson", "shape")
_SRID = re.compile(r"^\s*SRID=(\d+);", re.I)


@dataclass
class Row:
    number: int
    ref: str
    values: dict
    shape: object = None
    problem: object = None
    # Fewest decimals written in a point's coordinates (text sources), for the precision check.
    decimals: int | None = None
    crs: str | None = None
    closed_way: bool = False
    extra: dict = field(default_factory=dict)

    def first_xy(self):
        if self.shape is None or self.shape.is_empty:
            return None
        x, y = shapely.get_coordinates(self.shape)[0]
        return float(x), float(y)


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def decode(data):
    """The text of a file and its encoding: UTF-8 (with or without BOM), UTF-16 with a BOM,
    else Windows-1252, else Latin-1 (which decodes anything)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def simplify(name):
    """A column or label compared loosely: lower case, no accents, no punctuation."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def parse_number(text):
    """(value, decimals) of a number written with a decimal point or comma, or None."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        written = repr(float(text)) if isinstance(text, float) else str(text)
        decimals = len(written.split(".")[1]) if "." in written and "e" not in written else 0
        return float(text), decimals
    cleaned = str(text).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", cleaned):
        return None
    decimals = len(cleaned.split(".")[1]) if "." in cleaned else 0
    return float(cleaned), decimals


# --- GeoJSON -----------------------------------------------------------------------------------


def _geojson_document(data):
    text, encoding = decode(data)
    try:
        document = strict_json(text)
    except ValueError:
        raise Unreadable(_l("This is not valid GeoJSON: the JSON cannot be read.")) from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {**document, "type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise Unreadable(_l("This is not a GeoJSON FeatureCollection."))
    return document, encoding


def _geojson_shape(geometry):
    if geometry is None:
        return None, _l("The feature has no geometry.")
    try:
        return shapely.force_2d(geojson_shape(geometry)), None
    except Exception:  # Shapely raises several types on malformed coordinates
        return None, _l("The coordinates of this geometry cannot be read.")


def geojson_rows(data, options=None):
    document, _encoding = _geojson_document(data)
    declared = crs.declared_in_geojson(document)
    for number, feature in enumerate(document["features"], start=1):
        if not isinstance(feature, dict):
            yield Row(number, f"feature:{number}", {}, problem=_l("This is not a GeoJSON feature."))
            continue
        properties = feature.get("properties") or {}
        ident = feature.get("id")
        ref = f"id:{ident}" if ident not in (None, "") else f"feature:{number}"
        shape, problem = _geojson_shape(feature.get("geometry"))
        row = Row(number, ref[:120], properties if isinstance(properties, dict) else {})
        row.shape, row.problem, row.crs = shape, problem, declared
        if shape is not None and shape.geom_type == "Point" and not problem:
            coords = (feature.get("geometry") or {}).get("coordinates") or []
            row.decimals = _fewest_decimals(coords[:2])
        yield row


def _fewest_decimals(values):
    found = [parse_number(v) for v in values]
    return min(d for _, d in found) if found and all(found) else None


def geojson_inspect(data):
    document, encoding = _geojson_document(data)
    columns, samples = [], {}
    kinds = set()
    for feature in document["features"][:INSPECT_ROWS]:
        if not isinstance(feature, dict):
            continue
        kinds.add(((feature.get("geometry") or {}).get("type")) or "")
        for key, value in (feature.get("properties") or {}).items():
            _sample(columns, samples, key, value)
    return {
        "encoding": encoding,
        "rows": len(document["features"]),
        "columns": columns,
        "samples": samples,
        "declared_crs": crs.declared_in_geojson(document),
        "geometry": {"mode": "geojson"},
        "geometry_types": sorted(k for k in kinds if k),
    }


def _sample(columns, samples, key, value):
    key = str(key)
    if key not in samples:
        columns.append(key)
        samples[key] = []
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if value not in (None, "") and len(samples[key]) < SAMPLES and text[:80] not in samples[key]:
        samples[key].append(text[:80])


# --- CSV ---------------------------------------------------------------------------------------


def _csv_reader(data):
    text, encoding = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    if not first.strip() or first.count(delimiter) == 0:
        raise Unreadable(_l("This is not a CSV file: its first line has no ; or , separators."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, seen = [], set()
    for position, name in enumerate(next(reader), start=1):
        name = name.strip() or f"column_{position}"
        while name in seen:
            name += "_"
        seen.add(name)
        header.append(name)
    return reader, header, encoding, delimiter


def guess_geometry(columns, samples):
    """Where the positions are in a CSV: lon/lat columns, one "lat,lon" column, WKT or GeoJSON."""
    by_name = {simplify(c): c for c in columns}
    lon = next((by_name[n] for n in LON_NAMES if n in by_name), None)
    lat = next((by_name[n] for n in LAT_NAMES if n in by_name), None)
    if lon and lat:
        return {"mode": "lonlat", "lon": lon, "lat": lat}
    for names, mode in ((LATLON_NAMES, "latlon"), (WKT_NAMES, "wkt"), (JSON_NAMES, "json")):
        column = next((by_name[n] for n in names if n in by_name), None)
        if column:
            return {"mode": mode, "column": column}
    for column in columns:
        first = (samples.get(column) or [""])[0].lstrip().upper()
        if first.startswith(("POINT", "LINESTRING", "POLYGON", "MULTI", "SRID=")):
            return {"mode": "wkt", "column": column}
    return {"mode": "lonlat", "lon": None, "lat": None}


def csv_inspect(data):
    reader, header, encoding, delimiter = _csv_reader(data)
    columns, samples, count = [], {}, 0
    for record in reader:
        if not any(v.strip() for v in record):
            continue
        count += 1
        if count <= INSPECT_ROWS:
            for key, value in zip(header, record, strict=False):
                _sample(columns, samples, key, value.strip())
    for key in header:
        samples.setdefault(key, [])
    columns = list(header)
    return {
        "encoding": encoding,
        "delimiter": delimiter,
        "rows": count,
        "columns": columns,
        "samples": samples,
        "declared_crs": None,
        "geometry": guess_geometry(columns, samples),
        "geometry_types": [],
    }


def csv_rows(data, options):
    reader, header, _encoding, _delimiter = _csv_reader(data)
    how = options.get("geometry") or {}
    id_column = options.get("id_column")
    for record in reader:
        if not any(v.strip() for v in record):
            continue
        number = reader.line_num
        values = {k: v.strip() for k, v in zip(header, record, strict=False)}
        ref = values.get(id_column) if id_column else None
        row = Row(number, (f"id:{ref}" if ref else f"line:{number}")[:120], values)
        _csv_geometry(row, values, how)
        yield row


def _csv_geometry(row, values, how):
    mode = how.get("mode")
    if mode == "lonlat":
        texts = [values.get(how.get("lon") or ""), values.get(how.get("lat") or "")]
        _point(row, texts)
    elif mode == "latlon":
        text = (values.get(how.get("column") or "") or "").strip().strip("[]()")
        parts = _split_pair(text)
        if parts is None:
            row.problem = (
                _l("The position is missing.")
                if not text
                else _l("The position %(text)s cannot be read as latitude, longitude.", text=text)
            )
            return
        _point(row, [parts[1], parts[0]])
    elif mode == "wkt":
        _wkt(row, values.get(how.get("column") or "") or "")
    elif mode == "json":
        text = values.get(how.get("column") or "") or ""
        try:
            row.shape, row.problem = _geojson_shape(strict_json(text) if text else None)
        except ValueError:
            row.problem = _l("The geometry is not valid GeoJSON.")
    else:
        row.problem = _l("No column holds the position.")


def _split_pair(text):
    if not text:
        return None
    for separator in (";", " ", "\t"):
        parts = [p for p in text.split(separator) if p.strip()]
        if len(parts) == 2:
            return [p.strip().rstrip(",") for p in parts]
    parts = text.split(",")
    if len(parts) == 2:
        return parts
    if len(parts) == 4:  # decimal commas on both sides: "48,84,2,30"
        return [f"{parts[0]}.{parts[1]}", f"{parts[2]}.{parts[3]}"]
    return None


def _point(row, texts):
    lon_text, lat_text = ((t or "").strip() for t in texts)
    if not lon_text and not lat_text:
        row.problem = _l("The position is missing.")
        return
    lon, lat = parse_number(lon_text), parse_number(lat_text)
    if lon is None or lat is None:
        row.problem = _l(
            "The coordinates %(lon)s, %(lat)s are not numbers.", lon=lon_text, lat=lat_text
        )
        return
    row.shape = shapely.Point(lon[0], lat[0])
    row.decimals = min(lon[1], lat[1])


def _wkt(row, text):
    text = text.strip()
    if not text:
        row.problem = _l("The position is missing.")
        return
    srid = _SRID.match(text)
    if srid:
        row.crs = crs.parse_name(f"EPSG:{srid.group(1)}")
        text = text[srid.end() :]
    try:
        row.shape = shapely.force_2d(shapely.from_wkt(text))
    except shapely.errors.GEOSException:
        row.problem = _l("The WKT geometry cannot be read.")
