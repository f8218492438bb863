"""OpenStreetMap XML: read nodes and ways as rows, write features with the inventory's tags.

Tags map both ways through the form schema: a field's `osm_tag`, a choice's `osm` pairs
("k=v;k=v") and the schema's fixed `osm_tags`.
"""

import xml.etree.ElementTree as ET
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

import shapely
from flask_babel import lazy_gettext as _l

from mapping import formschema
from mapping.io.sources import Row, Unreadable

# Tags that describe the edit, not the object: a node carrying only these is a way's vertex.
EDIT_KEYS = ("source", "created_by", "fixme", "FIXME")
SAMPLES = 3


def _tags(element):
    return {t.get("k"): t.get("v") for t in element.findall("tag") if t.get("k")}


def _meaningful(tags):
    return any(k not in EDIT_KEYS and not k.startswith("source:") for k in tags)


def _parse(data):
    nodes, ways, relations, seen_root = {}, [], [], False
    try:
        for _event, element in ET.iterparse(BytesIO(data), events=("end",)):
            if element.tag == "node":
                try:
                    position = (float(element.get("lon")), float(element.get("lat")))
                except (TypeError, ValueError):
                    position = None
                nodes[element.get("id")] = (position, _tags(element))
                element.clear()
            elif element.tag == "way":
                refs = [n.get("ref") for n in element.findall("nd")]
                ways.append((element.get("id"), refs, _tags(element)))
                element.clear()
            elif element.tag == "relation":
                relations.append((element.get("id"), _tags(element)))
                element.clear()
            elif element.tag == "osm":
                seen_root = True
    except ET.ParseError:
        raise Unreadable(_l("This is not valid OpenStreetMap XML.")) from None
    if not seen_root:
        raise Unreadable(_l("This is not valid OpenStreetMap XML."))
    return nodes, ways, relations


def rows(data, options=None):
    """Tagged nodes, tagged ways and relations, numbered in the file's order."""
    nodes, ways, relations = _parse(data)
    number = 0
    for ident, (position, tags) in nodes.items():
        if not _meaningful(tags):
            continue
        number += 1
        row = Row(number, f"node/{ident}", tags)
        if position is None:
            row.problem = _l("The node has no readable position.")
        else:
            row.shape = shapely.Point(*position)
        yield row
    for ident, refs, tags in ways:
        if not _meaningful(tags):
            continue
        number += 1
        yield _way_row(number, ident, refs, tags, nodes)
    for ident, tags in relations:
        number += 1
        yield Row(
            number,
            f"relation/{ident}",
            tags,
            problem=_l("Relations are not imported; only nodes and ways are."),
        )


def _way_row(number, ident, refs, tags, nodes):
    row = Row(number, f"way/{ident}", tags)
    positions = [nodes.get(ref, (None, None))[0] for ref in refs]
    if not positions or any(p is None for p in positions):
        row.problem = _l("The way uses nodes missing from the file.")
    elif len(positions) >= 4 and refs[0] == refs[-1]:
        row.shape, row.closed_way = shapely.Polygon(positions), True
    elif len(positions) >= 2:
        row.shape = shapely.LineString(positions)
    else:
        row.problem = _l("The way has fewer than two nodes.")
    return row


def inspect(data):
    columns, samples, count = [], {}, 0
    kinds = set()
    for row in rows(data):
        count += 1
        kinds.add(row.ref.split("/")[0])
        for key, value in row.values.items():
            if key not in samples:
                columns.append(key)
                samples[key] = []
            if len(samples[key]) < SAMPLES and value not in samples[key]:
                samples[key].append(value[:80])
    return {
        "encoding": "utf-8",
        "rows": count,
        "columns": columns,
        "samples": samples,
        "declared_crs": "EPSG:4326",
        "geometry": {"mode": "osm"},
        "geometry_types": sorted(kinds),
    }


# --- tags ⇄ values -----------------------------------------------------------------------------


def _pairs_match(pairs, tags):
    return bool(pairs) and all(tags.get(k) == v for k, v in pairs.items())


def value_from_tags(field, tags):
    """A field's raw value read from an object's tags through the schema, or None."""
    kind, osm_tag = field["type"], field.get("osm_tag")
    if kind in (formschema.CHOICE, formschema.MULTI_CHOICE):
        matched = [
            c["value"]
            for c in field.get("choices", [])
            if _pairs_match(formschema.osm_pairs(c.get("osm") or ""), tags)
        ]
        if kind == formschema.CHOICE and matched:
            return matched[0]
        if kind == formschema.MULTI_CHOICE and matched:
            return matched
        return tags.get(osm_tag) if osm_tag else None
    if not osm_tag or osm_tag not in tags:
        return None
    value = tags[osm_tag]
    if kind == formschema.DECIMAL:
        return value.removesuffix(" m").strip()
    return value


def tags_from_values(schema, values):
    """The OSM tags of a feature: fixed tags, then each filled field's tag or choice tags."""
    tags = dict((schema or {}).get("osm_tags") or {})
    for field in (schema or {}).get("fields", []):
        value = values.get(field["key"])
        if value in (None, "", []):
            continue
        tags.update(_field_tags(field, value))
    return tags


def _field_tags(field, value):
    osm_tag, kind = field.get("osm_tag"), field["type"]
    if kind in (formschema.CHOICE, formschema.MULTI_CHOICE):
        chosen = value if isinstance(value, list) else [value]
        tags, plain = {}, []
        for choice in field.get("choices", []):
            if choice["value"] not in chosen:
                continue
            if choice.get("osm"):
                tags.update(formschema.osm_pairs(choice["osm"]))
            else:
                plain.append(choice["value"])
        if plain and osm_tag:
            tags[osm_tag] = ";".join(plain)
        return tags
    if not osm_tag:
        return {}
    if kind == formschema.BOOLEAN:
        return {osm_tag: "yes" if value else "no"}
    if isinstance(value, float):
        return {osm_tag: f"{value:g}"}
    return {osm_tag: str(value)}


# --- writing -----------------------------------------------------------------------------------


class Writer:
    """OSM XML 0.6 for new objects (negative ids), nodes first, then ways and relations."""

    def __init__(self, licence_url, attribution, note):
        self.next_id, self.later = 0, []
        self.licence_url, self.attribution, self.note = licence_url, attribution, note

    def header(self):
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<osm version="0.6" generator="Fabrique" upload="false"'
            f" copyright={quoteattr(self.attribution)} attribution={quoteattr(self.attribution)}"
            f" license={quoteattr(self.licence_url)}>\n"
            f"  <note>{escape(self.note)}</note>\n"
        )

    def _id(self):
        self.next_id -= 1
        return self.next_id

    @staticmethod
    def _tag_lines(tags):
        return "".join(
            f"    <tag k={quoteattr(k)} v={quoteattr(str(v)[:255])}/>\n" for k, v in tags.items()
        )

    def _node(self, lon, lat, tags=None):
        ident = self._id()
        body = self._tag_lines(tags or {})
        head = f'  <node id="{ident}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
        return ident, (f"{head}>\n{body}  </node>\n" if body else f"{head}/>\n")

    def _way(self, coords, tags, closed):
        text, refs = [], []
        points = coords[:-1] if closed else coords
        for lon, lat in points:
            ident, node = self._node(lon, lat)
            refs.append(ident)
            text.append(node)
        if closed:
            refs.append(refs[0])
        ident = self._id()
        nds = "".join(f'    <nd ref="{r}"/>\n' for r in refs)
        self.later.append(
            f'  <way id="{ident}" version="1">\n{nds}{self._tag_lines(tags)}  </way>\n'
        )
        return ident, "".join(text)

    def feature(self, geometry, tags):
        """The nodes of one feature now; its ways and relations are written at the end."""
        if geometry.geom_type == "Point":
            return self._node(geometry.x, geometry.y, tags)[1]
        if geometry.geom_type == "LineString":
            return self._way(list(geometry.coords), tags, closed=False)[1]
        if geometry.geom_type == "Polygon" and not geometry.interiors:
            return self._way(list(geometry.exterior.coords), {**tags, "area": "yes"}, True)[1]
        return self._multipolygon(geometry, tags)

    def _multipolygon(self, geometry, tags):
        polygons = getattr(geometry, "geoms", [geometry])
        members, text = [], []
        for polygon in polygons:
            for role, ring in [("outer", polygon.exterior)] + [
                ("inner", r) for r in polygon.interiors
            ]:
                ident, nodes = self._way(list(ring.coords), {}, closed=True)
                members.append((role, ident))
                text.append(nodes)
        ident = self._id()
        lines = "".join(
            f'    <member type="way" ref="{r}" role="{role}"/>\n' for role, r in members
        )
        tags = {"type": "multipolygon", **tags}
        self.later.append(
            f'  <relation id="{ident}" version="1">\n{lines}{self._tag_lines(tags)}  </relation>\n'
        )
        return "".join(text)

    def footer(self):
        ways = [t for t in self.later if t.startswith("  <way")]
        relations = [t for t in self.later if t.startswith("  <relation")]
        return "".join(ways + relations) + "</osm>\n"
