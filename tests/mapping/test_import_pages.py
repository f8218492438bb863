"""The import pages and API: upload, map the columns, follow the job, download the report."""

import gc
import io as stdio

import pytest
from sqlalchemy import func, select

from mapping.models import Feature, ImportRun
from tests import factories
from tests.mapping import io_support as io


def _upload(client, inv, name, content):
    return client.post(
        f"/mapping/inventories/{inv.slug}/imports",
        data={"file": (stdio.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_organiser_uploads_maps_columns_and_gets_the_report(client, session):
    actor = io.organiser()
    inv = io.trees(actor)
    factories.login(client, actor.email)
    assert client.get(f"/mapping/inventories/{inv.slug}/imports").status_code == 200
    response = _upload(client, inv, "arbres.geojson", io.data("mtp_arbres_remarquables.geojson"))
    assert response.status_code == 302
    page = client.get(response.location)
    assert "NOM_LATIN" in page.text and "Acer monspessulanum" in page.text
    assert '<label for="field_species">' in page.text
    started = client.post(
        response.location, data={"field_species": "NOM_LATIN", "field_common_name": "NOM_USUEL"}
    )
    assert started.status_code == 302
    done = client.get(started.location)
    assert "71 acceptées, 0 rejetées" in done.text
    record = session.scalar(select(ImportRun).where(ImportRun.inventory_id == inv.id))
    report = client.get(f"/mapping/inventories/{inv.slug}/imports/{record.id}/report.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    lines = report.data.decode("utf-8-sig").splitlines()
    report.close()
    assert lines[0] == "Ligne,Référence dans la source,Résultat,Motif,Identifiant de l'élément"
    assert len(lines) == 72
    listing = client.get(f"/mapping/inventories/{inv.slug}/imports")
    assert "71 acceptées, 0 rejetées" in listing.text


def test_mapping_errors_are_shown_next_to_their_field(client, session):
    actor = io.organiser()
    inv = io.trees(actor)
    factories.login(client, actor.email)
    content = io.csv_bytes([["nom", "x", "y"], ["Quercus", "3.87", "43.61"]])
    location = _upload(client, inv, "t.csv", content).location
    response = client.post(
        location, data={"field_species": "absent", "geometry_mode": "lonlat", "geometry_lon": "x"}
    )
    assert response.status_code == 422
    assert "Le fichier n'a pas de colonne absent." in response.text
    assert 'aria-invalid="true"' in response.text
    assert session.scalar(select(func.count(Feature.id))) == 0


def test_import_pages_are_for_organisers_only(client, session):
    actor = io.organiser()
    inv = io.trees(actor)
    url = f"/mapping/inventories/{inv.slug}/imports"
    assert client.get(url).status_code == 302  # to the log-in page
    factories.login(client, factories.user().email)
    assert client.get(url).status_code == 403
    assert _upload(client, inv, "t.geojson", b"{}").status_code == 403


# Werkzeug leaves the spooled upload of a refused body to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_file_over_the_limit_gets_a_clear_error(client, session, app):
    actor = io.organiser()
    inv = io.trees(actor)
    factories.login(client, actor.email)
    app.config["MAPPING_IMPORT_MAX_BYTES"] = 1024 * 1024
    try:
        response = _upload(client, inv, "big.csv", b"lon;lat\n" + b"3.87;43.61\n" * 300_000)
    finally:
        del app.config["MAPPING_IMPORT_MAX_BYTES"]
    assert response.status_code == 413
    assert "Le fichier dépasse 1 Mo." in response.text
    del response
    gc.collect()


def test_unreadable_upload_is_refused_on_the_page(client, session):
    actor = io.organiser()
    inv = io.trees(actor)
    factories.login(client, actor.email)
    response = _upload(client, inv, "t.geojson", b"{oops")
    assert response.status_code == 422
    assert "le JSON est illisible" in response.text


def test_api_upload_start_follow_and_report(client, session):
    actor = io.organiser()
    inv = io.toilets(actor)
    factories.login(client, actor.email)
    response = client.post(
        f"/api/v1/inventories/{inv.slug}/imports",
        data={"file": (stdio.BytesIO(io.data("paris_sanisettes.csv")), "sanisettes.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["source"]["rows"] == 615 and body["geometry"]["mode"] == "latlon"
    started = client.post(
        f"/api/v1/imports/{body['id']}/start",
        json={"fields": {"kind": "TYPE", "address": "ADRESSE"}},
    )
    assert started.status_code == 202, started.json
    assert started.json["accepted"] == 615 and started.json["job_id"]
    job = client.get(f"/api/v1/jobs/{started.json['job_id']}").json
    assert job["status"] == "finished"
    report = client.get(started.json["report_url"])
    assert report.status_code == 200 and len(report.data.splitlines()) == 616
    report.close()
    again = client.post(f"/api/v1/imports/{body['id']}/start", json={})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "import.already_started"
    exported = client.post(f"/api/v1/inventories/{inv.slug}/exports", json={"format": "gpkg"})
    assert exported.status_code == 202 and exported.json["status"] == "finished"
    download = client.get(exported.json["download_url"])
    assert download.status_code == 200 and download.data[:16] == b"SQLite format 3\x00"
    download.close()


def test_api_refuses_a_resident(client, session):
    inv = io.trees(io.organiser())
    factories.login(client, factories.user().email)
    response = client.post(
        f"/api/v1/inventories/{inv.slug}/imports",
        data={"file": (stdio.BytesIO(b"{}"), "t.geojson")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "import.not_organiser"
