"""Mapping parties through the JSON API: lists, one party, task cells and their steps,
the live feed of what is mapped, the summary afterwards."""

from datetime import timedelta

import pytest

from mapping.services import parties, tasks
from tests import factories
from tests.mapping.api_support import as_user, error_of
from webapp.registrations import services as registrations


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def inventory(organiser):
    return factories.inventory(organiser, moderation_mode="post")


@pytest.fixture
def party(organiser, inventory):
    party = factories.party(organiser, [inventory])
    parties.split_grid(organiser, party.id, 500)
    return party


def registered(client, party):
    user = factories.user()
    registrations.register(user, party.registration_list_id)
    return user, as_user(client, user)


def test_parties_are_listed_upcoming_or_past(client, organiser, party):
    past = factories.party(organiser, starts_in=-timedelta(days=3))
    upcoming = client.get("/api/v1/parties").json
    assert [p["slug"] for p in upcoming] == [party.slug]
    assert [p["slug"] for p in client.get("/api/v1/parties?when=past").json] == [past.slug]
    assert "when" in error_of(client.get("/api/v1/parties?when=soon"), 422)["fields"]


def test_a_party_shows_its_inventories_meeting_point_seats_and_cells(
    client, organiser, inventory, party
):
    registered(client, party)
    body = client.get(f"/api/v1/parties/{party.slug}").json
    assert body["inventories"] == [{"slug": inventory.slug, "title": inventory.title}]
    assert body["meeting_point"] == {"type": "Point", "coordinates": [3.8797, 43.6086]}
    assert body["capacity"] == 10 and body["seats_left"] == 9
    assert body["area"]["type"] == "MultiPolygon"
    assert body["tasks"]["open"] == len(tasks.of_party(party)) > 0
    error_of(client.get("/api/v1/parties/nope"), 404, "party.not_found")


def test_a_draft_inventory_of_a_party_is_hidden_from_the_public(client, organiser):
    draft = factories.inventory(organiser, status="draft")
    party = factories.party(organiser, [draft])
    assert client.get(f"/api/v1/parties/{party.slug}").json["inventories"] == []
    staff = as_user(client, organiser)
    assert staff.get(f"/api/v1/parties/{party.slug}").json["inventories"][0]["slug"] == draft.slug


def test_a_cell_goes_from_claimed_to_done_to_validated_and_back(client, organiser, party):
    first, second = tasks.of_party(party)[:2]
    url = f"/api/v1/tasks/{first.id}"
    error_of(client.post(f"{url}/claim"), 401)
    error_of(as_user(client, factories.user()).post(f"{url}/claim"), 403, "task.not_registered")
    user, mapper = registered(client, party)
    claimed = mapper.post(f"{url}/claim")
    assert claimed.json["properties"]["status"] == "claimed"
    _other, rival = registered(client, party)
    error_of(rival.post(f"{url}/claim"), 409, "task.taken")
    error_of(mapper.post(f"/api/v1/tasks/{second.id}/claim"), 409, "task.one_at_a_time")
    error_of(rival.post(f"{url}/done"), 409, "task.not_yours")
    done = mapper.post(f"{url}/done", json={"note": "Rue finie"})
    assert done.json["properties"]["status"] == "done"
    assert done.json["properties"]["done_by_you"] is True
    error_of(mapper.post(f"{url}/validate"), 403)
    staff = as_user(client, organiser)
    assert staff.post(f"{url}/validate").json["properties"]["status"] == "validated"
    reopened = staff.post(f"{url}/reopen", json={"note": "Il manque un banc"})
    assert reopened.json["properties"]["status"] == "open"
    assert "nope" in error_of(staff.post(f"{url}/reopen", json={"nope": 1}), 422)["fields"]
    error_of(staff.post("/api/v1/tasks/999999/claim"), 404)


def test_a_claim_is_released(client, party):
    first = tasks.of_party(party)[0]
    _user, mapper = registered(client, party)
    mapper.post(f"/api/v1/tasks/{first.id}/claim")
    assert mapper.post(f"/api/v1/tasks/{first.id}/release").json["properties"]["status"] == "open"
    error_of(mapper.post(f"/api/v1/tasks/{first.id}/release"), 409, "task.not_yours")


def test_the_summary_counts_features_cells_and_contributors(client, party):
    inventory = party.inventories[0]
    factories.feature(inventory, party_id=party.id)
    factories.feature(inventory, geometry=factories.point(3.88, 43.61), party_id=party.id)
    body = client.get(f"/api/v1/parties/{party.slug}/summary").json
    assert body["total"] == 2 and body["by_type"] == {"Point": 2}
    assert body["by_status"] == {"published": 2}
    assert len(body["contributors"]) == 2
    assert {c["features"] for c in body["contributors"]} == {1}
    assert body["tasks"]["open"] > 0 and body["photos"] == []
    error_of(client.get("/api/v1/parties/nope/summary"), 404)
