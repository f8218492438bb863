"""The catalogue's pages, its DCAT-AP feed and JSON API, and publishing a backlog item."""

import json

import pytest
from sqlalchemy import select

from crowdsourcing.models import Dataset
from crowdsourcing.services import backlog, catalogue
from tests import factories
from tests.crowdsourcing import published_request
from webapp.extensions import db

HEADER = "ID;Statut;Titre;Identifiant;Description;Catégorie;Licence;URL\n"
ROWS = (
    "1;pub;Bancs publics;bancs;Les bancs de la ville;Equipements;ODbL;https://example.org/b\n"
    "2;pub;Arbres remarquables;arbres;Les arbres;Environnement;LICENCE OUVERTE;https://e.org/a\n"
    "3;pub;Toilettes publiques;toilettes;Sanisettes;Equipements;APIE;https://e.org/t\n"
)


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def datasets(moderator):
    catalogue.import_rows(moderator, catalogue.parse((HEADER + ROWS).encode()), "import:test")


def published_item(moderator, title="Comptages vélo"):
    request, submission = published_request(moderator, title=title)
    new = {"title": title, "licence": "odbl", "formats": "CSV, GeoJSON"}
    item = backlog.route(moderator, submission.id, new=new)
    for status in ("qualified", "negotiating", "preparing"):
        backlog.transition(moderator, item.id, status, "étape")
    return request, item


def test_list_searches_and_filters(client, datasets):
    page = client.get("/catalogue/").text
    assert "Bancs publics" in page and "Arbres remarquables" in page
    page = client.get("/catalogue/?q=banc").text
    assert "Bancs publics" in page and "Arbres remarquables" not in page
    page = client.get("/catalogue/?licence=etalab-2.0").text
    assert "Arbres remarquables" in page and "Bancs publics" not in page
    page = client.get("/catalogue/?theme=Equipements").text
    assert "Toilettes publiques" in page and "Arbres remarquables" not in page


def test_dataset_page_shows_fields_and_licence_name(client, datasets):
    page = client.get("/catalogue/toilettes-publiques").text
    assert "Sanisettes" in page and "https://e.org/t" in page and "APIE" in page
    page = client.get("/catalogue/bancs-publics").text
    assert "ODbL" in page
    assert client.get("/catalogue/nothing-here").status_code == 404


def test_publishing_a_backlog_item_creates_a_dataset_listing_its_requests(client, moderator):
    request, item = published_item(moderator)
    backlog.transition(moderator, item.id, "published", "En ligne")
    dataset = db.session.scalar(select(Dataset).where(Dataset.backlog_item_id == item.id))
    assert dataset.title == "Comptages vélo" and dataset.licence == "odbl"
    assert dataset.formats == ["CSV", "GeoJSON"]
    page = client.get(f"/catalogue/{dataset.slug}").text
    assert f"/requests/{request.id}" in page and request.title in page


def test_publishing_can_link_an_existing_dataset(moderator, datasets):
    _request, item = published_item(moderator)
    backlog.transition(moderator, item.id, "published", "En ligne", dataset="bancs-publics")
    assert catalogue.get("bancs-publics").backlog_item_id == item.id


def test_publishing_through_the_api_links_a_dataset(client, moderator, datasets):
    _request, item = published_item(moderator)
    factories.login(client, moderator.email)
    response = client.post(
        f"/api/v1/backlog/{item.id}/transitions",
        json={"to_status": "published", "note": "En ligne", "dataset": "nope"},
    )
    assert response.status_code == 422 and "dataset" in response.json["error"]["fields"]
    response = client.post(
        f"/api/v1/backlog/{item.id}/transitions",
        json={"to_status": "published", "note": "En ligne", "dataset": "arbres-remarquables"},
    )
    assert response.status_code == 200, response.text
    assert catalogue.get("arbres-remarquables").backlog_item_id == item.id


def test_dcat_jsonld_has_the_catalogue_and_its_datasets(client, datasets):
    response = client.get("/catalogue/dcat.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    body = json.loads(response.data)
    assert {"dcat", "dct", "foaf"} <= set(body["@context"])
    assert body["@type"] == "dcat:Catalog" and body["dct:publisher"]["foaf:name"]
    entries = {d["dct:identifier"]: d for d in body["dcat:dataset"]}
    assert set(entries) == {"bancs", "arbres", "toilettes"}
    bancs = entries["bancs"]
    for key in ("dct:title", "dct:description", "dct:publisher", "dcat:distribution"):
        assert key in bancs
    assert bancs["dct:license"]["@id"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert entries["arbres"]["dct:license"]["@id"] == (
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
    assert bancs["dcat:distribution"][0]["dcat:accessURL"]["@id"] == "https://example.org/b"
    assert bancs["dcat:theme"] == ["Equipements"]


def test_api_lists_filters_pages_and_gets(client, datasets):
    body = client.get("/api/v1/datasets?per_page=2").json
    assert body["total"] == 3 and len(body["items"]) == 2 and body["page"] == 1
    body = client.get("/api/v1/datasets?licence=odbl").json
    assert [d["slug"] for d in body["items"]] == ["bancs-publics"]
    one = client.get("/api/v1/datasets/bancs-publics").json
    assert one["resources"] == [{"url": "https://example.org/b", "format": "HTML", "title": None}]
    missing = client.get("/api/v1/datasets/nope")
    assert missing.status_code == 404 and set(missing.json["error"]) == {
        "code",
        "message",
        "fields",
    }
    bad = client.get("/api/v1/datasets?licence=nope")
    assert bad.status_code == 422 and "error" in bad.json


def test_api_paths_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/datasets"] and "get" in paths["/api/v1/datasets/{slug}"]
