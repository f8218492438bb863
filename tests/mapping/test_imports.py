"""Imports of real open-data files: every row accepted or rejected with its reason."""

import pytest
from sqlalchemy import func, select

from mapping import geo
from mapping.models import PUBLISHED, Feature, FeatureRevision
from mapping.services import import_save, imports
from tests import factories
from tests.mapping import io_support as io


def _features(session, record):
    return session.scalars(
        select(Feature).where(Feature.import_id == record.id).order_by(Feature.id)
    ).all()


def test_remarkable_trees_of_montpellier_import_with_mapped_fields(session):
    actor = io.organiser()
    inv = io.trees(actor)
    record = io.run_import(
        actor,
        inv,
        "mtp_arbres_remarquables.geojson",
        io.data("mtp_arbres_remarquables.geojson"),
        fields={"species": "NOM_LATIN", "common_name": "NOM_USUEL"},
    )
    assert (record.status, record.accepted, record.rejected) == ("finished", 71, 0)
    features = _features(session, record)
    assert len(features) == 71
    first = features[0]
    assert first.status == PUBLISHED and first.source_ref == "id:0"
    assert first.properties == {
        "species": "Acer monspessulanum",
        "common_name": "Erable de Montpellier",
    }
    point = geo.from_db(first.geom)
    assert (point.x, point.y) == (3.9090624, 43.608451)
    revisions = session.scalars(
        select(FeatureRevision).where(FeatureRevision.feature_id == first.id)
    ).all()
    assert [(r.action, r.number, r.actor_id) for r in revisions] == [("import", 1, actor.id)]
    lines = io.report(record)
    assert len(lines) == 71 and {line[2] for line in lines} == {"acceptée"}
    assert lines[0][4] == str(first.id)


def test_paris_toilets_csv_with_semicolons_and_a_lat_lon_column(session):
    actor = io.organiser()
    inv = io.toilets(actor)
    record = imports.upload(actor, inv.id, "paris_sanisettes.csv", io.data("paris_sanisettes.csv"))
    source = record.options["source"]
    assert source["delimiter"] == ";" and source["rows"] == 615
    assert record.options["geometry"] == {"mode": "latlon", "column": "geo_point_2d"}
    fields = {"kind": "TYPE", "address": "ADRESSE", "hours": "HORAIRE", "wheelchair": "ACCES_PMR"}
    record = imports.start(
        actor, record.id, {"fields": fields, "geometry": record.options["geometry"]}
    )
    assert (record.accepted, record.rejected) == (615, 0)
    first = _features(session, record)[0]
    point = geo.from_db(first.geom)
    assert (round(point.x, 7), round(point.y, 7)) == (2.300281, 48.840906)
    assert first.properties["kind"] == "sanisette" and first.properties["wheelchair"] is True
    assert record.options["fields"] == fields


def test_telabotanica_observations_reject_missing_and_corrupt_coordinates(session):
    actor = io.organiser()
    inv = io.biodiversity(actor)
    record = io.run_import(
        actor,
        inv,
        "observations.csv",
        io.data("mtp_telabotanica_observations_subset.csv"),
        fields={"scientific_name": "Espèce", "observed_on": "Date"},
    )
    assert record.options["source"]["delimiter"] == ","
    assert record.options["geometry"] == {"mode": "lonlat", "lon": "Longitude", "lat": "Latitude"}
    assert (record.accepted, record.rejected) == (84, 343)
    lines = io.report(record)
    assert len(lines) == 427
    rejected = [line for line in lines if line[2] == "rejetée"]
    missing = [line for line in rejected if line[3] == "La position manque."]
    assert len(missing) == 338
    corrupt = [line for line in rejected if line not in missing]
    assert len(corrupt) == 5
    assert sum("3165" in line[3] for line in corrupt) == 3
    assert sum("trop peu de décimales" in line[3] for line in corrupt) == 2
    observed = {f.properties["observed_on"] for f in _features(session, record)}
    assert "2007-04-18" in observed


def test_telabotanica_in_latin_1_gives_the_same_result(session):
    actor = io.organiser()
    inv = io.biodiversity(actor)
    content = io.data("mtp_telabotanica_observations_subset.csv").decode("utf-8")
    record = io.run_import(
        actor,
        inv,
        "observations.csv",
        content.encode("latin-1"),
        fields={"scientific_name": "Espèce", "observed_on": "Date"},
    )
    assert record.options["source"]["encoding"] == "cp1252"
    assert (record.accepted, record.rejected) == (84, 343)
    names = {f.properties["scientific_name"] for f in _features(session, record)}
    assert all("Ã" not in name for name in names)


def test_melun_osm_objects_become_points_and_areas_through_the_schema_tags(session):
    actor = io.organiser()
    inv = io.amenities(actor)
    record = io.run_import(actor, inv, "melun.osm", io.data("melun_mimirsbrunn_fixture.osm"))
    assert record.format == "osm"
    assert record.options["fields"] == {"kind": "@osm", "name": "@osm"}
    features = {f.source_ref: f for f in _features(session, record)}
    townhall = features["way/112361498"]
    assert townhall.geometry_type == "Polygon"
    assert townhall.properties == {"kind": "townhall", "name": "Hôtel de Ville"}
    assert features["node/1773371126"].properties == {"kind": "post_office", "name": "Melun Rp"}
    lines = {line[1]: line for line in io.report(record)}
    assert lines["node/663593966"][2] == "rejetée"  # a bicycle parking in Grenoble
    assert "zone" in lines["node/663593966"][3]
    assert "relations" in lines[next(k for k in lines if k.startswith("relation/"))][3].lower()
    assert record.accepted + record.rejected == len(lines)
    assert (record.accepted, record.rejected) == (EXPECTED_MELUN, len(lines) - EXPECTED_MELUN)


EXPECTED_MELUN = 4  # two post offices and two town halls inside the Melun box


def test_an_import_is_refused_to_a_non_organiser(session):
    actor = io.organiser()
    inv = io.trees(actor)
    resident = factories.user()
    with pytest.raises(imports.PermissionDenied):
        imports.upload(resident, inv.id, "t.geojson", io.data("mtp_arbres_remarquables.geojson"))
    record = imports.upload(actor, inv.id, "t.geojson", io.data("mtp_arbres_remarquables.geojson"))
    with pytest.raises(imports.PermissionDenied):
        imports.start(resident, record.id, {"fields": {"species": "NOM_LATIN"}})
    assert session.scalar(select(func.count(Feature.id))) == 0


def test_rows_outside_the_area_are_rejected_with_their_reason(session):
    actor = io.organiser()
    inv = io.trees(actor, area=(3.85, 43.58, 3.92, 43.63))
    record = io.run_import(
        actor,
        inv,
        "trees.geojson",
        io.data("mtp_arbres_remarquables.geojson"),
        fields={"species": "NOM_LATIN"},
    )
    inside = 0
    for feature in _features(session, record):
        point = geo.from_db(feature.geom)
        assert 3.85 <= point.x <= 3.92 and 43.58 <= point.y <= 43.63
        inside += 1
    lines = io.report(record)
    outside = [line for line in lines if line[2] == "rejetée"]
    assert inside == record.accepted and len(outside) == record.rejected > 0
    assert all(
        line[3] == "La géométrie doit se trouver dans la zone de l'inventaire." for line in outside
    )


def test_a_value_failing_the_form_rejects_the_row_with_the_fields_message(session):
    actor = io.organiser()
    inv = io.trees(actor)
    content = io.csv_bytes(
        [
            ["espece", "hauteur", "lon", "lat"],
            ["Platanus x acerifolia", "12,5", "3.8767", "43.6108"],
            ["Celtis australis", "-3", "3.8770", "43.6110"],
            ["", "4", "3.8771", "43.6111"],
        ]
    )
    record = io.run_import(
        actor, inv, "t.csv", content, fields={"species": "espece", "height_m": "hauteur"}
    )
    assert (record.accepted, record.rejected) == (1, 2)
    lines = io.report(record)
    assert lines[1][3] == "Hauteur (m) : Entre 0 et 120."
    assert lines[2][3] == "Espèce (nom latin) : Ce champ est obligatoire."
    assert _features(session, record)[0].properties["height_m"] == 12.5


@pytest.mark.failing_job
def test_an_import_failing_half_way_saves_nothing_and_says_so(session, monkeypatch):
    actor = io.organiser()
    inv = io.trees(actor)
    calls = []
    real = import_save._rows

    def failing(*args):
        # Two chunks of ten are written, then the third fails.
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(import_save, "CHUNK", 10)
    monkeypatch.setattr(import_save, "_rows", failing)
    record = io.run_import(
        actor,
        inv,
        "trees.geojson",
        io.data("mtp_arbres_remarquables.geojson"),
        fields={"species": "NOM_LATIN"},
    )
    session.refresh(record)
    assert record.status == "failed" and record.accepted == 0
    assert "rien n'a été enregistré" in record.error
    assert session.scalar(select(func.count(Feature.id))) == 0
    assert session.scalar(select(func.count(FeatureRevision.id))) == 0
    lines = io.report(record)
    assert len(lines) == 71
    assert {line[2] for line in lines} == {"non enregistrée (l'import a échoué)"}
    assert {line[4] for line in lines} == {""}


def test_running_an_import_twice_imports_once(session):
    actor = io.organiser()
    inv = io.trees(actor)
    record = io.run_import(
        actor,
        inv,
        "trees.geojson",
        io.data("mtp_arbres_remarquables.geojson"),
        fields={"species": "NOM_LATIN"},
    )
    assert imports.run(record.id)["claimed"] is False
    with pytest.raises(imports.Conflict):
        imports.start(actor, record.id, {"fields": {"species": "NOM_LATIN"}})
    assert session.scalar(select(func.count(Feature.id))) == 71


def test_uploads_are_kept_under_a_generated_name(session, app):
    actor = io.organiser()
    inv = io.trees(actor)
    record = imports.upload(
        actor, inv.id, "../../etc/passwd.geojson", io.data("mtp_arbres_remarquables.geojson")
    )
    assert record.filename == "passwd.geojson"
    folder, name = record.path.rsplit("/", 1)
    assert folder == "mapping/imports" and name.endswith(".geojson") and "passwd" not in name
    with open(imports.absolute(record.path), "rb") as handle:
        assert handle.read() == io.data("mtp_arbres_remarquables.geojson")


def test_unreadable_empty_and_too_big_files_are_refused_with_a_reason(session, app):
    actor = io.organiser()
    inv = io.trees(actor)
    cases = [
        ("a.geojson", b"{not json", "Ce n'est pas un GeoJSON valide : le JSON est illisible."),
        ("a.csv", b"", "Choisissez un fichier à importer."),
        ("a.csv", b"just one column\nno separators\n", "Ce n'est pas un fichier CSV"),
        ("a.osm", b"<osm><node id='1'", "Ce n'est pas un OpenStreetMap XML valide."),
        ("a.csv", b"lon;lat\n", "Le fichier ne contient aucune ligne à importer."),
    ]
    for name, content, message in cases:
        with pytest.raises(imports.ValidationError) as caught:
            imports.upload(actor, inv.id, name, content)
        assert str(caught.value.fields["file"][0]).startswith(message)
    app.config["MAPPING_IMPORT_MAX_BYTES"] = 1024 * 1024
    try:
        with pytest.raises(imports.ValidationError) as caught:
            imports.upload(actor, inv.id, "big.csv", b"lon;lat\n" + b"3.8;43.6\n" * 200_000)
        assert str(caught.value.fields["file"][0]) == "Le fichier dépasse 1 Mo."
    finally:
        del app.config["MAPPING_IMPORT_MAX_BYTES"]
