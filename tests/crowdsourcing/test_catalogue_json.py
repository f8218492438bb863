"""Importing a JSON catalogue: CKAN answers, DCAT-AP JSON-LD (ours included), data.json."""

import json

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import Dataset
from crowdsourcing.services import catalogue
from tests import factories
from webapp.errors import ValidationError
from webapp.extensions import db

CKAN = {
    "success": True,
    "result": {
        "count": 2,
        "results": [
            {
                "id": "c1a2",
                "name": "arbres-d-alignement",
                "title": "Arbres d'alignement",
                "notes": "Les arbres des rues de la ville.",
                "license_id": "odc-odbl",
                "license_title": "Open Data Commons Open Database License (ODbL)",
                "organization": {"title": "Ville de Montpellier"},
                "tags": [{"name": "arbres"}, {"name": "nature"}],
                "groups": [{"title": "Environnement"}],
                "metadata_created": "2014-01-27T10:00:00",
                "metadata_modified": "2020-05-02T08:00:00",
                "resources": [
                    {
                        "url": "https://data.example.org/arbres.geojson",
                        "format": "GeoJSON",
                        "name": "Carte",
                    },
                    {
                        "url": "https://data.example.org/arbres.csv",
                        "format": "CSV",
                        "name": "Tableau",
                    },
                    {"url": "javascript:alert(1)", "format": "HTML"},
                ],
            },
            {"id": "c3", "title": "", "notes": "sans titre"},
        ],
    },
}


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


def _import(moderator, document):
    rows = catalogue.parse(json.dumps(document).encode())
    return catalogue.import_rows(moderator, rows, "import:json")


def test_ckan_answer_imports_datasets_with_their_resources(moderator):
    report = _import(moderator, CKAN)
    assert [line["outcome"] for line in report] == ["created", "rejected"]
    dataset = db.session.scalar(select(Dataset).where(Dataset.identifier == "c1a2"))
    assert dataset.licence == "odbl" and dataset.publisher == "Ville de Montpellier"
    assert dataset.keywords == ["arbres", "nature"] and dataset.themes == ["Environnement"]
    assert [(r.url, r.format) for r in dataset.resources] == [
        ("https://data.example.org/arbres.geojson", "GeoJSON"),
        ("https://data.example.org/arbres.csv", "CSV"),
    ]
    assert str(dataset.issued) == "2014-01-27"


def test_json_import_is_idempotent(moderator):
    _import(moderator, CKAN)
    report = _import(moderator, CKAN)
    assert report[0]["outcome"] == "updated"
    assert db.session.scalar(select(func.count(Dataset.id))) == 1


def test_our_own_dcat_export_imports_back(client, moderator):
    _import(moderator, CKAN)
    document = client.get("/catalogue/dcat.jsonld").json
    for dataset in db.session.scalars(select(Dataset)).all():
        db.session.delete(dataset)
    db.session.flush()
    report = _import(moderator, document)
    assert [line["outcome"] for line in report] == ["created"]
    dataset = db.session.scalar(select(Dataset))
    assert dataset.title == "Arbres d'alignement" and len(dataset.resources) == 2
    assert dataset.licence == "odbl"


def test_data_json_catalogue_imports(moderator):
    document = {
        "dataset": [
            {
                "identifier": "velo-comptages",
                "title": "Comptages vélo",
                "description": "Passages par heure.",
                "keyword": ["vélo", "mobilité"],
                "license": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
                "publisher": {"name": "Métropole"},
                "distribution": [
                    {"downloadURL": "https://data.example.org/velo.csv", "format": "CSV"}
                ],
            }
        ]
    }
    assert [line["outcome"] for line in _import(moderator, document)] == ["created"]
    dataset = db.session.scalar(select(Dataset))
    assert dataset.licence == "etalab-2.0" and dataset.resources[0].format == "CSV"


@pytest.mark.parametrize("data", [b"{not json", b'{"hello": "world"}', b"[1]", b"\xff\xfe{"])
def test_what_is_not_a_json_catalogue_is_refused_clearly(moderator, data):
    try:
        rows = catalogue.parse(data)
    except ValidationError as error:
        assert error.fields["file"]
        return
    report = catalogue.import_rows(moderator, rows, "import:json")
    assert all(line["outcome"] == "rejected" for line in report)
