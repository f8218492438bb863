"""A sensitive feature (a protected species) never gives its real place away to non-staff,
in any API answer: pages, box probing, attribute probing, one feature, history, map data,
the live party feed. Staff see it where it is."""

import pytest

from tests import factories
from tests.mapping.api_support import (
    SECRET_LAT,
    SECRET_LON,
    SECRET_NOTE,
    as_user,
    assert_no_secret,
    jpeg,
    sensitive_feature,
)

# A few metres around the real position.
PROBE = f"{SECRET_LON - 0.0001},{SECRET_LAT - 0.0001},{SECRET_LON + 0.0001},{SECRET_LAT + 0.0001}"


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def inventory(organiser):
    return factories.inventory(organiser, moderation_mode="post")


@pytest.fixture
def viewers(client):
    """Anonymous, a resident, and the author: none of them is staff."""
    author = factories.user()
    return author, [client, as_user(client, factories.user()), as_user(client, author)]


def test_pages_give_non_staff_the_cell_centre_and_staff_the_real_place(
    client, organiser, inventory, viewers
):
    author, clients = viewers
    feature = sensitive_feature(inventory, author)
    url = f"/api/v1/inventories/{inventory.slug}/features"
    for viewer in clients:
        answer = viewer.get(url)
        assert_no_secret(answer.text)
        (shown,) = answer.json["features"]
        assert shown["id"] == feature.id and shown["properties"]["_sensitive"] is True
        assert "notes" not in shown["properties"]
        assert shown["properties"]["scientific_name"] == "Emys orbicularis"
    staff = as_user(client, organiser).get(url).json["features"][0]
    assert staff["geometry"]["coordinates"] == pytest.approx([SECRET_LON, SECRET_LAT])
    assert staff["properties"]["notes"] == SECRET_NOTE


def test_probing_with_small_boxes_or_attributes_never_finds_the_real_place(
    client, organiser, inventory, viewers
):
    _author, clients = viewers
    sensitive_feature(inventory, _author)
    url = f"/api/v1/inventories/{inventory.slug}"
    for viewer in clients:
        assert viewer.get(f"{url}/features?bbox={PROBE}").json["numberMatched"] == 0
        assert viewer.get(f"{url}/map?bbox={PROBE}").json["features"] == []
        notes = viewer.get(f"{url}/features", query_string={"attr": f"notes:{SECRET_NOTE}"})
        assert notes.json["numberMatched"] == 0
    staff = as_user(client, organiser)
    assert staff.get(f"{url}/features?bbox={PROBE}").json["numberMatched"] == 1


def test_one_feature_and_the_map_show_no_position_notes_or_photos(
    client, organiser, inventory, viewers
):
    author, clients = viewers
    feature = sensitive_feature(inventory, author)
    for viewer in clients:
        one = viewer.get(f"/api/v1/features/{feature.id}")
        assert_no_secret(one.text)
        assert one.json["photos"] == []
        whole = viewer.get(f"/api/v1/inventories/{inventory.slug}/map?bbox=3.85,43.58,3.92,43.63")
        assert_no_secret(whole.text)
        assert [f["id"] for f in whole.json["features"]] == [feature.id]


def test_the_history_of_a_sensitive_feature_has_no_geometry_for_non_staff(
    client, organiser, inventory, viewers
):
    author, clients = viewers
    feature = factories.feature(
        inventory, author, factories.point(SECRET_LON, SECRET_LAT)
    )  # not sensitive at first: its first revision would give the place away
    as_user(client, author).patch(
        f"/api/v1/features/{feature.id}",
        json={"revision": 1, "properties": {"protection": "protected", "notes": SECRET_NOTE}},
    )
    url = f"/api/v1/features/{feature.id}/history"
    for viewer in clients:
        answer = viewer.get(url)
        assert_no_secret(answer.text)
        revisions = answer.json["revisions"]
        assert len(revisions) == 2
        assert all(r["geometry"] is None for r in revisions)
        assert all("notes" not in r["properties"] for r in revisions)
    staff = as_user(client, organiser).get(url).json["revisions"]
    assert staff[0]["geometry"]["coordinates"] == pytest.approx([SECRET_LON, SECRET_LAT])
    assert staff[0]["properties"]["notes"] == SECRET_NOTE


def test_the_live_party_feed_shows_the_cell_centre_to_non_staff(
    client, organiser, inventory, viewers
):
    author, clients = viewers
    party = factories.party(organiser, [inventory])
    feature = sensitive_feature(inventory, author, party_id=party.id)
    for viewer in clients:
        answer = viewer.get(f"/api/v1/parties/{party.slug}/features")
        assert_no_secret(answer.text)
        assert [f["id"] for f in answer.json["features"]] == [feature.id]
    staff = as_user(client, organiser).get(f"/api/v1/parties/{party.slug}/features")
    assert staff.json["features"][0]["geometry"]["coordinates"] == pytest.approx(
        [SECRET_LON, SECRET_LAT]
    )


def test_photos_of_a_sensitive_feature_stay_with_staff(client, organiser, inventory):
    author = factories.user()
    feature = sensitive_feature(inventory, author, photos={"photo": jpeg()})
    assert as_user(client, author).get(f"/api/v1/features/{feature.id}").json["photos"] == []
    staff = as_user(client, organiser).get(f"/api/v1/features/{feature.id}").json
    assert len(staff["photos"]) == 1
    party = factories.party(organiser, [inventory])
    sensitive_feature(inventory, author, party_id=party.id, photos={"photo": jpeg()})
    assert client.get(f"/api/v1/parties/{party.slug}/summary").json["photos"] == []
