"""OGC API – Features: landing page, conformance, definition, collections (open inventories
only), items with paging links and filters, one item; public features and positions only,
even for staff; 400 for unknown parameters, in the one error shape."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import update

from mapping.models import Feature
from tests import factories
from tests.mapping.api_support import (
    SECRET_LAT,
    SECRET_LON,
    as_user,
    assert_no_secret,
    error_of,
    sensitive_feature,
)
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def inventory(organiser):
    return factories.inventory(organiser, moderation_mode="post", slug="faune")


def rels(body):
    return {link["rel"]: link for link in body["links"]}


def test_the_landing_page_links_definition_conformance_and_data(client):
    for url in ("/ogc", "/ogc/"):
        body = client.get(url).json
        links = rels(body)
        assert {"self", "service-desc", "conformance", "data"} <= set(links)
        assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
        assert links["data"]["href"] == "http://localhost/ogc/collections"
    conformance = client.get("/ogc/conformance").json["conformsTo"]
    assert CORE in conformance and any(c.endswith("/geojson") for c in conformance)


def test_the_definition_is_valid_openapi_and_caps_the_limit(client):
    definition = client.get(rels(client.get("/ogc").json)["service-desc"]["href"])
    assert definition.content_type.startswith("application/vnd.oai.openapi+json")
    validate(definition.json)
    limit = definition.json["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (10, 10000)


def test_collections_are_the_open_inventories_with_extent_crs_and_licence(
    client, organiser, inventory
):
    draft = factories.inventory(organiser, status="draft")
    closed = factories.inventory(organiser, status="closed")
    collections = client.get("/ogc/collections").json["collections"]
    assert [c["id"] for c in collections] == [inventory.slug]
    one = client.get(f"/ogc/collections/{inventory.slug}").json
    assert one["extent"]["spatial"]["bbox"] == [[3.85, 43.58, 3.92, 43.63]]
    assert one["extent"]["spatial"]["crs"].endswith("/OGC/1.3/CRS84")
    assert one["itemType"] == "feature"
    links = rels(one)
    assert links["items"]["type"] == "application/geo+json"
    assert links["license"]["href"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    for slug in (draft.slug, closed.slug, "nope"):
        error_of(client.get(f"/ogc/collections/{slug}"), 404)
        error_of(client.get(f"/ogc/collections/{slug}/items"), 404)


def test_items_are_paged_with_next_prev_and_collection_links(client, inventory):
    for n in range(12):
        factories.feature(inventory, geometry=factories.point(3.86 + n / 1000, 43.61))
    first = client.get(f"/ogc/collections/{inventory.slug}/items")
    assert first.content_type == "application/geo+json"
    body = first.json
    assert (body["numberMatched"], body["numberReturned"]) == (12, 10)
    assert body["timeStamp"].endswith("Z")
    links = rels(body)
    assert {"self", "next", "collection"} <= set(links) and "prev" not in links
    second = client.get(links["next"]["href"]).json
    assert second["numberReturned"] == 2 and "next" not in rels(second)
    assert "offset=0" in rels(second)["prev"]["href"]
    ids = [f["id"] for f in body["features"] + second["features"]]
    assert len(set(ids)) == 12


def test_a_limit_above_the_maximum_is_capped_and_a_bad_one_refused(client, inventory):
    url = f"/ogc/collections/{inventory.slug}/items"
    capped = client.get(f"{url}?limit=50000")
    assert capped.status_code == 200
    assert "limit=10000" in rels(capped.json)["self"]["href"]
    for bad in ("limit=0", "limit=ten", "offset=-1"):
        error_of(client.get(f"{url}?{bad}"), 400, "ogc.parameter_invalid")


def test_unknown_parameters_and_formats_are_refused_with_400(client, inventory):
    base = f"/ogc/collections/{inventory.slug}"
    for url in (
        "/ogc?x=1",
        "/ogc/collections?sort=1",
        f"{base}?bbox=1,2,3,4",
        f"{base}/items?color=red",
    ):
        error = error_of(client.get(url), 400)
        assert error["fields"]
    error_of(client.get(f"{base}/items?f=html"), 400)
    assert client.get(f"{base}/items?f=json").status_code == 200
    assert client.get("/ogc/collections?f=json").status_code == 200


def test_items_filter_by_box_time_and_attribute(client, inventory):
    near = factories.feature(inventory, geometry=factories.point(3.87, 43.61))
    far = factories.feature(
        inventory,
        geometry=factories.point(3.91, 43.62),
        properties={"scientific_name": "Pinus pinea", "observed_on": "2026-05-01"},
    )
    with unit_of_work():
        db.session.execute(
            update(Feature)
            .where(Feature.id == far.id)
            .values(updated_at=utcnow() - timedelta(days=30))
        )
    url = f"/ogc/collections/{inventory.slug}/items"

    def ids(query):
        answer = client.get(f"{url}?{query}")
        assert answer.status_code == 200, answer.text
        return [f["id"] for f in answer.json["features"]]

    assert ids("bbox=3.86,43.60,3.88,43.615") == [near.id]
    assert ids("bbox=3.86,43.60,0,3.88,43.615,100") == [near.id]
    assert ids("scientific_name=Pinus pinea") == [far.id]
    last_week = (utcnow() - timedelta(days=7)).date().isoformat()
    assert ids(f"datetime={last_week}/..") == [near.id]
    assert ids(f"datetime=../{last_week}") == [far.id]
    assert ids(f"datetime={(utcnow() - timedelta(days=30)).date().isoformat()}") == [far.id]
    for bad in (
        "bbox=3.9,43.6,3.8",
        "bbox=a,b,c,d",
        "datetime=tomorrow",
        "datetime=2026-02-01/2026-01-01",
    ):
        error_of(client.get(f"{url}?{bad}"), 400)
    error_of(client.get(f"{url}?bbox-crs=EPSG:3857&bbox=0,0,1,1"), 400)
    error_of(client.get(f"{url}?photo=x"), 400)


def test_only_published_features_are_served(client, organiser, inventory):
    reviewed = factories.inventory(organiser)
    pending = factories.feature(reviewed)
    assert client.get(f"/ogc/collections/{reviewed.slug}/items").json["numberMatched"] == 0
    error_of(client.get(f"/ogc/collections/{reviewed.slug}/items/{pending.id}"), 404)
    published = factories.feature(inventory)
    item = client.get(f"/ogc/collections/{inventory.slug}/items/{published.id}")
    assert item.content_type == "application/geo+json"
    assert item.json["id"] == published.id
    assert {"self", "collection"} <= set(rels(item.json))
    error_of(client.get(f"/ogc/collections/{reviewed.slug}/items/{published.id}"), 404)
    error_of(client.get(f"/ogc/collections/{inventory.slug}/items/abc"), 404)
    error_of(client.get(f"/ogc/collections/{inventory.slug}/items/99999999999"), 404)
    error_of(client.get(f"/ogc/collections/{inventory.slug}/items/{published.id}?x=1"), 400)


def test_a_sensitive_feature_shows_its_cell_centre_even_to_staff(client, organiser, inventory):
    feature = sensitive_feature(inventory)
    probe = (
        f"{SECRET_LON - 0.0001},{SECRET_LAT - 0.0001},{SECRET_LON + 0.0001},{SECRET_LAT + 0.0001}"
    )
    for viewer in (client, as_user(client, organiser)):
        items = viewer.get(f"/ogc/collections/{inventory.slug}/items")
        assert_no_secret(items.text)
        assert [f["id"] for f in items.json["features"]] == [feature.id]
        item = viewer.get(f"/ogc/collections/{inventory.slug}/items/{feature.id}")
        assert_no_secret(item.text)
        assert "notes" not in item.json["properties"]
        probed = viewer.get(f"/ogc/collections/{inventory.slug}/items?bbox={probe}")
        assert probed.json["numberMatched"] == 0
