"""Geometries: invalid, self-intersecting, empty, out-of-range, enormous, non-finite and
malformed ones are refused with a French message on every way in (the feature API, the
contribution page, an inventory's area, the cells a party organiser draws) and change
nothing; a 3D point is stored in 2D."""

import json

import pytest

from mapping.models import Feature
from tests import factories
from tests.security import hostile
from tests.security.support import row_counts

TYPES = ["Point", "LineString", "Polygon"]
# One of these is in every French geometry message (and in none of the page's other text).
GEOMETRY_WORDS = ("géométrie", "coordonnées", "longitude doit", "sommets", "geojson")


@pytest.fixture
def world(client, session):
    organiser = factories.user(roles=["organiser", "moderator"])
    inventory = factories.inventory(organiser, geometry_types=TYPES)
    factories.login(client, organiser.email)
    return {"organiser": organiser, "inventory": inventory}


def _bodies():
    """(name, JSON text) of every bad geometry, non-finite ones included as raw text."""
    bodies = [(name, json.dumps(geometry)) for name, geometry in hostile.BAD_GEOMETRIES]
    return bodies + hostile.NON_FINITE_POINTS


def _feedback(response):
    import re

    return re.findall(
        r'(?s)class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)</', response.text
    )


def _french(message):
    assert message and " the " not in message and " must " not in message, message
    return message


def test_bad_geometries_are_refused_by_the_feature_api(client, world):
    slug = world["inventory"].slug
    before = row_counts()
    for name, text in _bodies():
        body = f'{{"type": "Feature", "geometry": {text}, "properties": {{}}}}'
        response = client.post(
            f"/api/v1/inventories/{slug}/features", data=body, content_type="application/json"
        )
        assert response.status_code == 422, (name, response.status_code, response.text[:300])
        error = response.json["error"]
        fields = error["fields"]
        _french(" ".join(sum(fields.values(), [])) or error["message"])
    assert row_counts() == before


def test_bad_geometries_are_refused_by_the_contribution_page(client, world):
    slug = world["inventory"].slug
    # A good point with a missing field: the error messages say nothing of geometry.
    other = client.post(
        f"/mapping/inventories/{slug}/contribute",
        data={"geometry": json.dumps(hostile.THREE_D), "observed_on": "2026-05-01"},
    )
    assert other.status_code == 422
    assert not any(w in " ".join(_feedback(other)).lower() for w in GEOMETRY_WORDS)
    before = row_counts()
    for name, text in _bodies():
        response = client.post(
            f"/mapping/inventories/{slug}/contribute",
            data={"geometry": text, "scientific_name": "Quercus ilex", "observed_on": "2026-05-01"},
        )
        assert response.status_code == 422, (name, response.status_code)
        text = " ".join(_feedback(response)).lower()
        assert any(w in text for w in GEOMETRY_WORDS), (name, text)
    assert row_counts() == before


def test_bad_areas_are_refused_for_an_inventory(client, world):
    slug = world["inventory"].slug
    before = row_counts()
    for name, geometry in hostile.BAD_GEOMETRIES:
        response = client.patch(f"/api/v1/inventories/{slug}", json={"area": geometry})
        assert response.status_code == 422, (name, response.status_code, response.text[:200])
        _french(" ".join(sum(response.json["error"]["fields"].values(), [])))
    assert row_counts() == before


def test_bad_cells_drawn_by_hand_are_refused(client, world):
    party = factories.party(world["organiser"], inventories=[world["inventory"]])
    before = row_counts()
    for name, text in _bodies():
        collection = f'{{"type": "FeatureCollection", "features": [{{"type": "Feature", "properties": {{}}, "geometry": {text}}}]}}'
        response = client.post(f"/mapping/parties/{party.slug}/tasks/draw", data={"tasks": text})
        assert response.status_code in (400, 422), (name, response.status_code)
        response = client.post(
            f"/mapping/parties/{party.slug}/tasks/draw", data={"tasks": collection}
        )
        assert response.status_code in (400, 422), (name, response.status_code)
    assert row_counts() == before


def test_a_3d_point_is_stored_in_2d(client, world):
    from webapp.extensions import db

    slug = world["inventory"].slug
    response = client.post(
        f"/api/v1/inventories/{slug}/features",
        json={
            "type": "Feature",
            "geometry": hostile.THREE_D,
            "properties": {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"},
        },
    )
    assert response.status_code == 201, response.text[:300]
    assert response.json["geometry"]["coordinates"] == hostile.THREE_D["coordinates"][:2]
    row = db.session.get(Feature, response.json["id"])
    from mapping import geo

    assert not geo.from_db(row.geom).has_z
