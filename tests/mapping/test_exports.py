"""Exports: each format read back by an independent reader, licence and attribution in
each, and a sensitive feature's exact position and locating fields in no public export."""

import csv
import io as stdio
import json
import subprocess

import pytest

from mapping.services import exports
from tests import factories
from tests.mapping import io_support as io

SECRET = (3.8791234, 43.6012345)
SECRET_TEXTS = ("3.8791234", "43.6012345", "sous le vieux pont")
FORMULA = '=HYPERLINK("http://example.org")'


def _observations():
    def feature(lon, lat, **properties):
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    return {
        "type": "FeatureCollection",
        "features": [
            feature(3.8767, 43.6108, name="Quercus ilex", date="2026-05-01", notes=FORMULA),
            feature(
                *SECRET,
                name="Orchis simia",
                date="2026-05-02",
                protection="protected",
                notes="sous le vieux pont",
            ),
            feature(3.8801, 43.6101, name="Celtis australis", date="2026-05-03", count=3),
        ],
    }


@pytest.fixture
def inventory(session):
    actor = io.organiser()
    inv = io.biodiversity(actor, attribution="Ville de Montpellier et contributeurs")
    fields = {
        "scientific_name": "name",
        "observed_on": "date",
        "protection": "protection",
        "notes": "notes",
        "count": "count",
    }
    content = json.dumps(_observations()).encode()
    record = io.run_import(actor, inv, "obs.geojson", content, fields=fields)
    assert record.accepted == 3
    inv.organiser = actor
    return inv


def _no_secret(text):
    for secret in SECRET_TEXTS:
        assert secret not in text


def _get(client, inventory, fmt, **args):
    return client.get(f"/mapping/inventories/{inventory.slug}/export.{fmt}", query_string=args)


def test_geojson_export_carries_licence_and_is_read_by_ogr(client, inventory, tmp_path):
    response = _get(client, inventory, "geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert 'rel="license"' in response.headers["Link"]
    body = json.loads(response.data)
    assert body["licence"] == "ODbL 1.0"
    assert body["attribution"] == "Ville de Montpellier et contributeurs"
    assert len(body["features"]) == 3
    _no_secret(response.text)
    path = tmp_path / "export.geojson"
    path.write_bytes(response.data)
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True
    )
    assert "Feature Count: 3" in info.stdout, info.stdout + info.stderr


def test_csv_export_is_formula_safe_and_carries_licence_columns(client, inventory):
    response = _get(client, inventory, "csv")
    assert response.status_code == 200
    _no_secret(response.text)
    rows = list(csv.DictReader(stdio.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert list(rows[0])[:4] == ["id", "WKT", "lon", "lat"]
    assert list(rows[0])[-2:] == ["licence", "attribution"]
    assert {r["licence"] for r in rows} == {"ODbL 1.0"}
    assert rows[0]["notes"] == "'" + FORMULA
    assert (rows[0]["lon"], rows[0]["lat"]) == ("3.8767", "43.6108")
    assert rows[0]["WKT"] == "POINT (3.8767 43.6108)"
    assert rows[2]["count"] == "3"


def test_osm_export_is_read_by_osmium_with_the_schema_tags(client, inventory, tmp_path):
    response = _get(client, inventory, "osm")
    assert response.status_code == 200
    _no_secret(response.text)
    assert "ODbL 1.0" in response.text and "Ville de Montpellier" in response.text
    path = tmp_path / "export.osm"
    path.write_bytes(response.data)
    info = subprocess.run(
        ["osmium", "fileinfo", "-e", str(path)], capture_output=True, text=True, check=True
    )
    assert "Number of nodes: 3" in info.stdout
    opl = subprocess.run(
        ["osmium", "cat", "-f", "opl", str(path)], capture_output=True, text=True, check=True
    )
    assert "species=Quercus%20%ilex" in opl.stdout
    assert "survey:date=2026-05-01" in opl.stdout
    assert opl.stdout.startswith("n-1 ")


def test_geopackage_is_built_by_a_job_and_read_by_ogr(client, inventory, tmp_path):
    resident = factories.user()
    factories.login(client, resident.email)
    url = f"/mapping/inventories/{inventory.slug}/exports"
    assert client.post(url, data={"format": "gpkg"}).status_code == 302
    page = client.get(f"/mapping/inventories/{inventory.slug}/export")
    assert "Télécharger (3 éléments)" in page.text
    _inv, jobs = exports.recent(resident, inventory.id)
    response = client.get(f"{url}/{jobs[0].id}")
    assert response.status_code == 200
    path = tmp_path / "export.gpkg"
    path.write_bytes(response.data)
    response.close()
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(path), inventory.slug], capture_output=True, text=True
    )
    assert "Feature Count: 3" in info.stdout, info.stdout + info.stderr
    assert "LICENCE=ODbL 1.0" in info.stdout
    assert "ATTRIBUTION=Ville de Montpellier et contributeurs" in info.stdout
    assert "observed_on: Date" in info.stdout and "count: Integer" in info.stdout
    full = subprocess.run(["ogrinfo", "-ro", "-al", str(path)], capture_output=True, text=True)
    _no_secret(full.stdout)


def test_staff_may_export_exact_positions_and_nobody_else(client, inventory):
    resident = factories.user()
    factories.login(client, resident.email)
    assert _get(client, inventory, "geojson", exact=1).status_code == 403
    client.post("/logout")
    factories.login(client, inventory.organiser.email)
    exact = _get(client, inventory, "geojson", exact=1)
    assert exact.status_code == 200 and "3.8791234" in exact.text
    assert "sous le vieux pont" in exact.text
    _no_secret(_get(client, inventory, "geojson").text)


def test_large_inventories_and_geopackage_go_through_the_background(client, inventory, app):
    app.config["MAPPING_EXPORT_STREAM_MAX"] = 2
    try:
        response = _get(client, inventory, "csv")
    finally:
        del app.config["MAPPING_EXPORT_STREAM_MAX"]
    assert response.status_code == 302 and response.location.endswith("/export")
    assert _get(client, inventory, "gpkg").status_code == 302
    assert _get(client, inventory, "shp").status_code == 404


def test_a_current_export_is_reused_until_the_data_changes(session, inventory):
    actor = inventory.organiser
    first = exports.request_export(actor, inventory.id, "csv")
    assert exports.request_export(actor, inventory.id, "csv").id == first.id
    content = json.dumps({"type": "FeatureCollection", "features": _observations()["features"][:1]})
    io.run_import(
        actor,
        inventory,
        "more.geojson",
        content.encode(),
        fields={"scientific_name": "name", "observed_on": "date"},
    )
    assert exports.request_export(actor, inventory.id, "csv").id != first.id


def test_drafts_are_not_exported_to_visitors(client, session):
    actor = io.organiser()
    draft = io.trees(actor, status="draft")
    assert _get(client, draft, "geojson").status_code == 404


def test_cli_writes_a_geopackage(app, inventory, tmp_path):
    path = tmp_path / "cli.gpkg"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["export-inventory", inventory.slug, "--format", "gpkg", "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "3 features" in result.output
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(path), inventory.slug], capture_output=True, text=True
    )
    assert "Feature Count: 3" in info.stdout


def test_export_links_partial_renders_for_any_page(app, inventory):
    from flask import render_template_string

    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "mapping/io/_export_links.html" %}', inventory=inventory
        )
    assert f"/mapping/inventories/{inventory.slug}/export.geojson" in html
    assert f"/mapping/inventories/{inventory.slug}/export" in html
