"""Streamed text exports: GeoJSON, CSV and OSM XML, each carrying licence and attribution.

Each writer takes the inventory, its licence terms and (id, Shapely geometry, values) rows
and yields text pieces, so a response or a file receives them as they are produced.
"""

import csv
import io
import json

from shapely.geometry import mapping as shapely_mapping

from mapping import formschema
from mapping.io import osm
from webapp.csvutil import safe_cell

ROWS_PER_PIECE = 200
META_COLUMNS = ("id", "WKT", "lon", "lat")
TERMS_COLUMNS = ("licence", "attribution")


def _fields(inventory):
    return [f for f in inventory.fields if f["type"] != formschema.PHOTO]


def geojson(inventory, terms, rows):
    head = {
        "type": "FeatureCollection",
        "name": inventory.slug,
        "title": inventory.title,
        "licence": terms["label"],
        "licence_url": terms["url"],
        "attribution": terms["attribution"],
    }
    text = json.dumps(head, ensure_ascii=False)
    yield text[:-1] + ', "features": [\n'
    pieces, first = [], True
    for ident, geometry, values in rows:
        feature = {
            "type": "Feature",
            "id": ident,
            "geometry": shapely_mapping(geometry),
            "properties": values,
        }
        pieces.append(("" if first else ",\n") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(pieces) >= ROWS_PER_PIECE:
            yield "".join(pieces)
            pieces = []
    pieces.append("\n]}\n")
    yield "".join(pieces)


def csv_columns(fields):
    """Column names: ours, then one per field (prefixed if a key would collide), then terms."""
    taken = {c.lower() for c in META_COLUMNS + TERMS_COLUMNS}
    return [f"field_{f['key']}" if f["key"].lower() in taken else f["key"] for f in fields]


def _cell(field, value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    return safe_cell(value)


def csv_text(inventory, terms, rows):
    """UTF-8 CSV with a BOM; spreadsheet formulas neutralised in text cells only (a
    negative longitude stays a number). Licence and attribution fill the last columns."""
    fields = _fields(inventory)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = list(META_COLUMNS) + csv_columns(fields) + list(TERMS_COLUMNS)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    terms_cells = [safe_cell(terms["label"]), safe_cell(terms["attribution"])]
    buffer.seek(0)
    buffer.truncate()
    for done, (ident, geometry, values) in enumerate(rows, start=1):
        point = geometry.geom_type == "Point"
        row = [
            ident,
            geometry.wkt,
            repr(geometry.x) if point else "",
            repr(geometry.y) if point else "",
        ]
        row += [_cell(f, values.get(f["key"])) for f in fields]
        writer.writerow(row + terms_cells)
        if done % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def osm_xml(inventory, terms, rows):
    note = (
        f"{inventory.title}. Licence: {terms['label']} ({terms['url']}). "
        f"Attribution: {terms['attribution']}"
    )
    writer = osm.Writer(terms["url"], terms["attribution"], note)
    yield writer.header()
    pieces = []
    for _ident, geometry, values in rows:
        tags = osm.tags_from_values(inventory.form_schema, values)
        pieces.append(writer.feature(geometry, tags))
        if len(pieces) >= ROWS_PER_PIECE:
            yield "".join(pieces)
            pieces = []
    yield "".join(pieces) + writer.footer()
