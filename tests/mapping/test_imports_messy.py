"""Messy real-world files: undeclared or old-style CRS, encodings, decimal commas, swapped
pairs, WKT; each row lands where it really is, or is refused with a reason."""

import json

from pyproj import Transformer
from sqlalchemy import select

from mapping import geo
from mapping.models import Feature
from tests.mapping import io_support as io

TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
METRE = 1 / 111_320  # a metre of latitude in degrees, an upper bound for longitude here


def _trees(count=6):
    document = json.loads(io.data("mtp_arbres_remarquables.geojson"))
    return document["features"][:count]


def _projected(features, transformer, crs_member=None):
    out = []
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        x, y = transformer.transform(lon, lat)
        geometry = {"type": "Point", "coordinates": [round(x, 2), round(y, 2)]}
        out.append({**feature, "geometry": geometry})
    document = {"type": "FeatureCollection", "features": out}
    if crs_member:
        document["crs"] = {"type": "name", "properties": {"name": crs_member}}
    return json.dumps(document).encode()


def _positions(session, record):
    rows = session.scalars(
        select(Feature).where(Feature.import_id == record.id).order_by(Feature.id)
    )
    return [(lambda p: (p.x, p.y))(geo.from_db(f.geom)) for f in rows]


def _close(found, expected, metres=1.0):
    assert len(found) == len(expected)
    for (x, y), (lon, lat) in zip(found, expected, strict=True):
        assert abs(x - lon) < metres * METRE and abs(y - lat) < metres * METRE, (x, y, lon, lat)


def test_lambert_93_without_declaration_is_recognised_and_lands_within_a_metre(session):
    actor = io.organiser()
    inv = io.trees(actor)
    trees = _trees()
    record = io.run_import(
        actor, inv, "l93.geojson", _projected(trees, TO_L93), fields={"species": "NOM_LATIN"}
    )
    assert (record.accepted, record.rejected) == (6, 0)
    _close(_positions(session, record), [t["geometry"]["coordinates"] for t in trees])


def test_lambert_93_origin_is_converted_to_its_defined_position(session):
    actor = io.organiser()
    inv = io.trees(actor, area=(2.9, 46.4, 3.1, 46.6))
    content = io.csv_bytes([["espece", "X", "Y"], ["Quercus robur", "700000", "6600000"]])
    record = io.run_import(actor, inv, "origin.csv", content, fields={"species": "espece"})
    assert record.accepted == 1
    _close(_positions(session, record), [(3.0, 46.5)], metres=0.01)


def test_old_style_crs_members_are_read(session):
    actor = io.organiser()
    inv = io.trees(actor)
    trees = _trees(3)
    for name in ("urn:ogc:def:crs:EPSG::2154", "EPSG:2154"):
        record = io.run_import(
            actor,
            inv,
            "declared.geojson",
            _projected(trees, TO_L93, crs_member=name),
            fields={"species": "NOM_LATIN"},
        )
        assert record.options["source"]["declared_crs"] == "EPSG:2154"
        _close(_positions(session, record), [t["geometry"]["coordinates"] for t in trees])


def test_web_mercator_without_declaration_is_recognised(session):
    actor = io.organiser()
    inv = io.trees(actor)
    trees = _trees(4)
    record = io.run_import(
        actor, inv, "3857.geojson", _projected(trees, TO_3857), fields={"species": "NOM_LATIN"}
    )
    assert record.accepted == 4
    _close(_positions(session, record), [t["geometry"]["coordinates"] for t in trees])


def test_ambiguous_metres_are_refused_until_the_organiser_chooses_the_system(session):
    actor = io.organiser()
    france = io.trees(actor, area=(-6.0, 41.0, 10.0, 52.0))
    paris = [(2.3522, 48.8566), (2.2945, 48.8584)]
    rows = [["espece", "x", "y"]] + [
        ["Platanus", *(f"{v:.2f}" for v in TO_3857.transform(lon, lat))] for lon, lat in paris
    ]
    content = io.csv_bytes(rows)
    record = io.run_import(actor, france, "m.csv", content, fields={"species": "espece"})
    assert (record.accepted, record.rejected) == (0, 2)
    assert "plusieurs systèmes de coordonnées" in io.report(record)[0][3]
    record = io.run_import(
        actor, france, "m.csv", content, fields={"species": "espece"}, crs="EPSG:3857"
    )
    assert record.accepted == 2
    _close(_positions(session, record), paris)


def test_cp1252_csv_with_decimal_commas_and_a_swapped_pair(session):
    actor = io.organiser()
    inv = io.trees(actor)
    lines = [
        ["Espèce", "Nom", "Longitude", "Latitude", "Hauteur"],
        ["Platanus orientalis", "Platane d'Orient", "3,8767", "43,6108", "12,5"],
        ["Celtis australis", "Micocoulier, cœur de ville", "43,6110", "3,8770", "8"],
        ["Pinus pinea", "Pin parasol", "4,8357", "45,7640", "15"],
        ["Quercus ilex", "Chêne vert", "trois", "43,61", ""],
    ]
    content = io.csv_bytes(lines, encoding="cp1252")
    record = io.run_import(
        actor,
        inv,
        "arbres.csv",
        content,
        fields={"species": "Espèce", "common_name": "Nom", "height_m": "Hauteur"},
    )
    assert record.options["source"]["encoding"] == "cp1252"
    assert record.options["geometry"] == {"mode": "lonlat", "lon": "Longitude", "lat": "Latitude"}
    assert (record.accepted, record.rejected) == (2, 2)
    _close(_positions(session, record), [(3.8767, 43.6108), (3.8770, 43.6110)], metres=0.01)
    report = io.report(record)
    assert report[1][2] == "acceptée" and "inversées" in report[1][3]
    assert report[2][3] == "La géométrie doit se trouver dans la zone de l'inventaire."
    assert report[3][3] == "Les coordonnées trois, 43,61 ne sont pas des nombres."
    names = [
        f.properties["common_name"]
        for f in session.scalars(select(Feature).where(Feature.import_id == record.id))
    ]
    assert "Micocoulier, cœur de ville" in names


def test_wkt_column_with_an_srid_prefix_and_wrong_kinds_of_geometry(session):
    actor = io.organiser()
    inv = io.trees(actor)
    x, y = TO_L93.transform(3.8767, 43.6108)
    rows = [
        ["ref", "species", "wkt"],
        ["a1", "Quercus ilex", "POINT (3.8767 43.6108)"],
        ["a2", "Quercus ilex", f"SRID=2154;POINT ({x:.2f} {y:.2f})"],
        ["a3", "Quercus ilex", "POLYGON ((3.87 43.61, 3.88 43.61, 3.88 43.62, 3.87 43.61))"],
        ["a4", "Quercus ilex", "POINT (3.87"],
        ["a5", "Quercus ilex", "MULTIPOINT ((3.8801 43.6101))"],
    ]
    content = io.csv_bytes(rows, delimiter=",")
    record = io.run_import(actor, inv, "wkt.csv", content, id_column="ref")
    assert record.options["geometry"] == {"mode": "wkt", "column": "wkt"}
    assert (record.accepted, record.rejected) == (3, 2)
    _close(_positions(session, record), [(3.8767, 43.6108)] * 2 + [(3.8801, 43.6101)])
    report = {line[1]: line for line in io.report(record)}
    assert report["id:a3"][3] == "Cet inventaire accepte : point."
    assert report["id:a4"][3] == "La géométrie WKT est illisible."
    refs = session.scalars(select(Feature.source_ref).where(Feature.import_id == record.id)).all()
    assert sorted(refs) == ["id:a1", "id:a2", "id:a5"]


def test_osm_objects_without_the_inventory_tags_are_refused(session):
    actor = io.organiser()
    inv = io.trees(actor)
    osm = b"""<?xml version='1.0' encoding='UTF-8'?>
<osm version='0.6'>
  <node id='1' lat='43.6108' lon='3.8767'><tag k='natural' v='tree'/><tag k='species' v='Quercus ilex'/><tag k='height' v='9 m'/></node>
  <node id='2' lat='43.6109' lon='3.8768'><tag k='amenity' v='bench'/></node>
  <node id='3' lat='43.6110' lon='3.8769'><tag k='natural' v='tree'/></node>
  <node id='4' lat='43.6111' lon='3.8770'><tag k='source' v='survey'/></node>
</osm>"""
    record = io.run_import(actor, inv, "trees.osm", osm)
    report = {line[1]: line for line in io.report(record)}
    assert sorted(report) == ["node/1", "node/2", "node/3"]
    assert report["node/1"][2] == "acceptée"
    assert report["node/2"][3] == "L'objet ne porte pas les balises natural=tree de cet inventaire."
    assert report["node/3"][3] == "Espèce (nom latin) : Ce champ est obligatoire."
    feature = session.scalar(select(Feature).where(Feature.import_id == record.id))
    assert feature.properties == {"species": "Quercus ilex", "height_m": 9.0}
