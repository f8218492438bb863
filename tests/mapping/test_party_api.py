"""The party endpoints of the JSON API: task cells as GeoJSON, and the live feed, which
never shows a sensitive feature's real place or someone else's waiting contribution."""

from datetime import timedelta

import pytest

from mapping.services import parties, tasks
from tests import factories
from webapp.db import utcnow
from webapp.registrations import services as registrations

SENSITIVE = {"scientific_name": "Bufo bufo", "observed_on": "2026-05-01", "protection": "protected"}
# A precise spot inside the party's area (factories.party: 3.87–3.89, 43.60–43.615).
EXACT = (3.881234, 43.607654)


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def inv(organiser):
    return factories.inventory(organiser, moderation_mode="post")


@pytest.fixture
def party(organiser, inv):
    party = factories.party(organiser, [inv])
    parties.split_grid(organiser, party.id, 500)
    return party


def _feed(client, party, **query):
    response = client.get(f"/api/v1/parties/{party.slug}/features", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_tasks_geojson_has_effective_status_and_privacy_aware_holder(client, party):
    resident = factories.user(name="Zoé Discrète")
    registrations.register(resident, party.registration_list_id)
    cells = tasks.of_party(party)
    tasks.claim(resident, cells[0].id)
    body = client.get(f"/api/v1/parties/{party.slug}/tasks").json
    assert body["type"] == "FeatureCollection" and len(body["features"]) == len(cells)
    first = body["features"][0]
    assert first["geometry"]["type"] == "Polygon"
    assert first["properties"]["status"] == "claimed"
    assert first["properties"]["holder"] == "Un·e membre"
    assert first["properties"]["until"] and first["properties"]["mine"] is False
    assert body["features"][1]["properties"] == {
        "number": 2,
        "status": "open",
        "status_label": "Ouvert",
        "holder": None,
        "until": None,
        "mine": False,
    }


def test_tasks_of_unknown_party_is_404_in_the_error_shape(client, session):
    response = client.get("/api/v1/parties/nope/tasks")
    assert response.status_code == 404 and response.json["error"]["code"] == "party.not_found"


def test_feed_gives_published_features_and_a_next_since(client, party, inv):
    feature = factories.feature(inv, geometry=factories.point(3.88, 43.61), party_id=party.id)
    factories.feature(inv, geometry=factories.point(3.88, 43.61))  # not from the party
    body = _feed(client, party)
    assert [f["id"] for f in body["features"]] == [feature.id]
    assert body["features"][0]["properties"]["_type"] == "Point"
    assert body["truncated"] is False and body["next_since"]
    later = _feed(client, party, since=body["next_since"])
    assert later["features"] == []


def test_feed_since_returns_only_newer_changes(client, party, inv):
    factories.feature(inv, geometry=factories.point(3.88, 43.61), party_id=party.id)
    since = (utcnow() + timedelta(seconds=1)).isoformat()
    assert _feed(client, party, since=since)["features"] == []
    old = (utcnow() - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert len(_feed(client, party, since=old)["features"]) == 1


def test_feed_refuses_a_bad_since(client, party):
    response = client.get(f"/api/v1/parties/{party.slug}/features?since=yesterday")
    assert response.status_code == 422
    assert "since" in response.json["error"]["fields"]


def test_feed_never_gives_a_sensitive_features_real_place_to_non_staff(client, party, inv):
    author = factories.user()
    factories.feature(
        inv, author, geometry=factories.point(*EXACT), properties=SENSITIVE, party_id=party.id
    )
    for viewer in (None, factories.user(), author):
        if viewer is not None:
            factories.login(client, viewer.email)
        feature = _feed(client, party)["features"][0]
        assert feature["geometry"]["coordinates"] != list(EXACT)
        assert feature["properties"]["_sensitive"] is True
        client.post("/logout")
    factories.login(client, factories.user(roles=["moderator"]).email)
    staff = _feed(client, party)["features"][0]
    assert staff["geometry"]["coordinates"] == list(EXACT)


def test_feed_shows_waiting_features_only_to_their_author_and_staff(client, organiser, party):
    pre = factories.inventory(organiser, moderation_mode="pre")
    parties.update(
        organiser,
        party.id,
        {"inventories": [i.id for i in party.inventories] + [pre.id], "area": None},
    )
    author = factories.user()
    waiting = factories.feature(
        pre, author, geometry=factories.point(3.88, 43.61), party_id=party.id
    )
    assert waiting.status == "pending"
    assert _feed(client, party)["features"] == []
    factories.login(client, factories.user().email)
    assert _feed(client, party)["features"] == []
    client.post("/logout")
    factories.login(client, author.email)
    assert [f["id"] for f in _feed(client, party)["features"]] == [waiting.id]
    client.post("/logout")
    factories.login(client, organiser.email)
    assert [f["id"] for f in _feed(client, party)["features"]] == [waiting.id]


def test_feed_is_cut_at_the_limit_and_resumes_from_the_last_change(party, inv):
    from mapping.services import party_pages

    made = [
        factories.feature(inv, geometry=factories.point(3.88, 43.61), party_id=party.id)
        for _ in range(3)
    ]
    first = party_pages.live_features(None, party, limit=2)
    assert first["truncated"] is True and len(first["features"]) == 2
    since = party_pages.parse_since(first["next_since"])
    rest = party_pages.live_features(None, party, since=since, limit=2)
    ids = {f["id"] for f in first["features"]} | {f["id"] for f in rest["features"]}
    assert ids == {f.id for f in made}


def test_live_page_polls_the_feed(client, party):
    page = client.get(f"/mapping/parties/{party.slug}/live")
    assert page.status_code == 200
    assert f"/api/v1/parties/{party.slug}/features" in page.text
    assert 'aria-live="polite"' in page.text and "FabriqueMaps.live(" in page.text


def test_openapi_documents_the_party_endpoints(client, session):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/parties/{slug}/tasks" in paths
    assert "/api/v1/parties/{slug}/features" in paths
