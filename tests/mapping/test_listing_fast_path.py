"""The SQL-built page of features equals the one assembled row by row, on both backends."""

import json

from mapping.services import features, listing
from tests import factories


def _inventory_with_features(count=7):
    organiser = factories.user(roles=["organiser"])
    inventory = factories.inventory(organiser, moderation_mode="post")
    author = factories.user()
    for i in range(count):
        values = {"scientific_name": f"Species {i}", "observed_on": "2026-05-01", "count": i + 1}
        if i == 3:
            values.update(protection="protected", notes="Derrière le lavoir")
        factories.feature(inventory, author, factories.point(3.87 + i * 0.001, 43.61), values)
    return inventory, organiser, author


def _normalised(features_list):
    return [
        {
            **f,
            "geometry": {
                **f["geometry"],
                "coordinates": [round(c, 7) for c in f["geometry"]["coordinates"]],
            },
        }
        for f in features_list
    ]


def test_fast_path_matches_the_row_by_row_page_for_every_viewer(session):
    inventory, organiser, author = _inventory_with_features()
    for viewer in (None, author, organiser):
        slow = listing.feature_collection(viewer, inventory, limit=5, offset=1)
        text, returned, more = listing.feature_collection_text(viewer, inventory, limit=5, offset=1)
        assert _normalised(json.loads(text)) == _normalised(slow["features"])
        assert returned == 5 and more is True


def test_fast_path_reports_the_last_page_and_empty_boxes(session):
    inventory, _organiser, _author = _inventory_with_features(3)
    text, returned, more = listing.feature_collection_text(None, inventory, limit=5)
    assert returned == 3 and more is False and len(json.loads(text)) == 3
    text, returned, more = listing.feature_collection_text(None, inventory, bbox=(0, 0, 1, 1))
    assert json.loads(text) == [] and returned == 0 and more is False


def test_fast_path_never_gives_the_exact_place_of_a_sensitive_feature(session):
    inventory, organiser, author = _inventory_with_features()
    text, _returned, _more = listing.feature_collection_text(None, inventory, limit=100)
    sensitive = [f for f in json.loads(text) if f["properties"]["_sensitive"]]
    assert len(sensitive) == 1
    assert sensitive[0]["geometry"]["coordinates"] != [3.873, 43.61]
    assert "notes" not in sensitive[0]["properties"]
    staff_text, _r, _m = listing.feature_collection_text(organiser, inventory, limit=100)
    exact = [f for f in json.loads(staff_text) if f["properties"]["_sensitive"]][0]
    assert exact["geometry"]["coordinates"] == [3.873, 43.61]
    assert features.get_visible(organiser, exact["id"]).is_sensitive


def test_api_page_without_count_is_the_same_page_built_by_the_database(client, session):
    inventory, _organiser, _author = _inventory_with_features()
    url = f"/api/v1/inventories/{inventory.slug}/features?limit=4&offset=2"
    full = client.get(url)
    fast = client.get(url + "&count=false")
    assert fast.status_code == 200 and fast.mimetype == "application/geo+json"
    assert "numberMatched" not in fast.json and fast.json["numberReturned"] == 4
    assert _normalised(fast.json["features"]) == _normalised(full.json["features"])
    assert [link["rel"] for link in fast.json["links"]] == ["self", "next", "prev"]
    last = client.get(f"/api/v1/inventories/{inventory.slug}/features?limit=4&offset=4&count=false")
    assert last.json["numberReturned"] == 3
    assert [link["rel"] for link in last.json["links"]] == ["self", "prev"]
