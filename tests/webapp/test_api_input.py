"""Odd input the API fuzzer found or the hardening asks for: each is refused in the one error
shape, and nothing changes."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import DatasetRequest
from tests import factories
from tests.crowdsourcing import hackathon_helpers as hackathons
from webapp.accounts import services as accounts
from webapp.extensions import db

HUGE = 2**63


def _token(user):
    _row, secret = accounts.create_api_token(user, "script")
    return {"Authorization": f"Bearer {secret}"}


def _error(response, status, code=None):
    assert response.status_code == status, response.text[:500]
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/events/{HUGE}",
        f"/api/v1/events/{2**31}/registration",
        f"/api/v1/backlog/{HUGE}",
        f"/api/v1/features/{HUGE}",
        f"/api/v1/proposals/{HUGE}",
        f"/api/v1/people/{2**31}",
    ],
)
def test_an_id_beyond_the_database_range_is_not_found(client, path):
    _error(client.get(path, headers=_token(factories.user(roles=["admin"]))), 404, "not_found")


def test_an_id_beyond_the_database_range_is_a_404_page_too(client):
    response = client.get(f"/requests/{HUGE}")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_largest_id_is_still_routed(client):
    _error(client.get(f"/api/v1/events/{2**31 - 1}"), 404, "registration.list_not_found")


def test_a_whole_number_beyond_the_database_range_is_refused_in_a_query(client):
    admin = factories.user(roles=["admin"])
    error = _error(client.get(f"/api/v1/backlog?department={HUGE}", headers=_token(admin)), 422)
    assert "department" in error["fields"]


def test_a_whole_number_beyond_the_database_range_is_refused_in_a_body(client):
    organiser = factories.user(roles=["organiser"])
    hack = hackathons.hackathon(organiser)
    response = client.post(
        f"/api/v1/hackathons/{hack.slug}/jury",
        json={"user_id": HUGE},
        headers=_token(organiser),
    )
    assert "user_id" in _error(response, 422)["fields"]


def test_the_openapi_document_states_the_integer_bounds(client):
    spec = client.get("/api/v1/openapi.json").json
    (param,) = spec["paths"]["/api/v1/teams/{team_id}"]["parameters"]
    assert param["schema"]["maximum"] == 2**31 - 1
    capacity = spec["components"]["schemas"]["Event"]["properties"]["capacity"]
    assert capacity["maximum"] == 2**31 - 1 and capacity["minimum"] == -(2**31)


def test_my_profile_lists_are_empty_lists_before_any_profile_is_saved(client):
    body = client.get("/api/v1/me/profile", headers=_token(factories.user())).json
    assert body["interests"] == [] and body["languages"] == [] and body["links"] == []


def test_a_nul_character_in_text_is_refused_and_nothing_is_created(client):
    headers = _token(factories.user())
    before = db.session.scalar(select(func.count()).select_from(DatasetRequest))
    response = client.post(
        "/api/v1/dataset-requests",
        json={"title": "Arbres\u0000", "description": "Les arbres des rues"},
        headers=headers,
    )
    error = _error(response, 422)
    assert error["fields"]["title"] == ["Retirez le caractère nul de ce texte."]
    assert db.session.scalar(select(func.count()).select_from(DatasetRequest)) == before


def test_a_nul_character_in_a_query_is_refused(client):
    response = client.get("/api/v1/search?q=arbre%00")
    assert "q" in _error(response, 422)["fields"]


@pytest.mark.parametrize("path", ["/api/v1/hackathons/a%00b", "/api/v1/inventories/%00"])
def test_a_nul_character_in_a_path_is_not_found(client, path):
    _error(client.get(path), 404, "not_found")
