"""Source values to form values: which column feeds which field, and the usual quirks of
real files (choice labels instead of values, French dates, numbers as floats)."""

import json
import re
from datetime import date

from mapping import formschema
from mapping.io import osm
from mapping.io.sources import simplify

FROM_OSM = "@osm"  # the field is read from the tags through the schema's OSM mapping
_DATES = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: .*)?$"), (3, 2, 1)),
)


def mappable(fields):
    return [f for f in fields if f["type"] != formschema.PHOTO]


def osm_mapped(field):
    return bool(field.get("osm_tag")) or any(c.get("osm") for c in field.get("choices", []))


def guess_mapping(fields, columns, fmt):
    """A first mapping the organiser corrects: same key, same label, or same OSM tag."""
    by_name = {simplify(c): c for c in columns}
    mapping = {}
    for field in mappable(fields):
        if fmt == "osm" and osm_mapped(field):
            mapping[field["key"]] = FROM_OSM
            continue
        names = (field["key"], field.get("label_fr"), field.get("label_en"), field.get("osm_tag"))
        found = next((by_name[simplify(n)] for n in names if n and simplify(n) in by_name), "")
        mapping[field["key"]] = found
    return mapping


def form_data(fields, mapping, tags_or_values):
    """The raw form data of one row, ready for `formschema.clean_values`."""
    data = {}
    for field in mappable(fields):
        source = mapping.get(field["key"])
        if not source:
            continue
        if source == FROM_OSM:
            raw = osm.value_from_tags(field, tags_or_values)
        else:
            raw = tags_or_values.get(source)
        value = normalise(field, raw)
        if value not in (None, "", []):
            data[field["key"]] = value
    return data


def normalise(field, raw):
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        return None
    kind = field["type"]
    if kind == formschema.CHOICE:
        return _choice(field, raw)
    if kind == formschema.MULTI_CHOICE:
        items = raw if isinstance(raw, list) else str(raw).split(";")
        return [_choice(field, item.strip()) for item in items if str(item).strip()]
    if kind == formschema.DATE and isinstance(raw, str):
        return _date(raw)
    if kind == formschema.INTEGER and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if kind in (formschema.TEXT, formschema.LONG_TEXT) and isinstance(raw, dict | list):
        return json.dumps(raw, ensure_ascii=False)
    return raw


def _choice(field, raw):
    text = str(raw)
    choices = field.get("choices", [])
    if any(c["value"] == text for c in choices):
        return text
    wanted = simplify(text)
    for choice in choices:
        if wanted in {simplify(choice[k]) for k in ("value", "label_fr", "label_en")}:
            return choice["value"]
    return text


def _date(text):
    for pattern, (y, m, d) in _DATES:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match[y]), int(match[m]), int(match[d])).isoformat()
            except ValueError:
                return text
    return text
