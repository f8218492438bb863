"""The dataset backlog through the JSON API: list, get, create, transition, route; one error
shape throughout; the paths are in the OpenAPI document."""

import pytest

from crowdsourcing.services import backlog
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing import published_request

BACKLOG_PATHS = {
    "/api/v1/backlog": {"get", "post"},
    "/api/v1/backlog/{item_id}": {"get"},
    "/api/v1/backlog/{item_id}/transitions": {"post"},
    "/api/v1/moderation/submissions/{submission_id}/route": {"post"},
}


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


def as_user(client, user):
    other = client.application.test_client()
    factories.login(other, user.email)
    return other


def error_of(response, status, code=None):
    assert response.status_code == status, response.text[:500]
    assert set(response.json) == {"error"}
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"}
    if code is not None:
        assert error["code"] == code
    return error


def test_backlog_paths_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, methods in BACKLOG_PATHS.items():
        assert methods <= set(paths[path]), path


def test_route_create_list_get_and_transition(client, moderator):
    supporter = factories.user()
    request, submission = published_request(moderator)
    dataset_requests.support(supporter, request.id)
    api = as_user(client, moderator)
    routed = api.post(
        f"/api/v1/moderation/submissions/{submission.id}/route",
        json={"new_item": {"title": "Arbres des rues", "licence": "odbl"}},
    )
    assert routed.status_code == 200, routed.text
    body = routed.json
    assert body["status"] == "proposed" and body["evidence"] == [submission.id]
    assert body["demand"] == {"people": 2, "evidence": {"dataset_request": 1}, "proposals": 0}
    again = api.post(
        f"/api/v1/moderation/submissions/{submission.id}/route", json={"item_id": body["id"]}
    )
    error_of(again, 409, "backlog.already_linked")
    created = api.post("/api/v1/backlog", json={"title": "Bancs", "due_date": "2020-01-01"})
    assert created.status_code == 201 and created.json["overdue"] is True
    listed = api.get("/api/v1/backlog?sort=demand").json
    assert [i["id"] for i in listed] == [body["id"], created.json["id"]]
    assert api.get(f"/api/v1/backlog/{body['id']}").json["title"] == "Arbres des rues"
    moved = api.post(
        f"/api/v1/backlog/{body['id']}/transitions",
        json={"to_status": "qualified", "note": "Clair"},
    )
    assert moved.status_code == 200 and moved.json["status"] == "qualified"


def test_api_errors_share_one_shape(client, moderator):
    item = backlog.create(moderator, {"title": "Bancs publics"})
    api = as_user(client, moderator)
    error_of(
        api.post(
            f"/api/v1/backlog/{item.id}/transitions", json={"to_status": "published", "note": "x"}
        ),
        409,
        "backlog.transition_forbidden",
    )
    error = error_of(
        api.post(
            f"/api/v1/backlog/{item.id}/transitions", json={"to_status": "postponed", "note": "x"}
        ),
        422,
    )
    assert "postponed_until" in error["fields"]
    error_of(api.post("/api/v1/backlog", json={"title": "Bancs", "licence": "gpl"}), 422)
    error_of(api.get("/api/v1/backlog/999999"), 404)
    resident = as_user(client, factories.user())
    error_of(resident.get("/api/v1/backlog"), 403)
    error_of(
        resident.post(
            f"/api/v1/backlog/{item.id}/transitions", json={"to_status": "qualified", "note": "x"}
        ),
        403,
    )
    error_of(client.get("/api/v1/backlog"), 401)
    assert backlog.get(item.id).status == "proposed"


def test_route_needs_a_moderator_and_one_target(client, moderator):
    _r, submission = published_request(moderator)
    steward = factories.user(roles=["data_steward"], department_slug=factories.department().slug)
    error_of(
        as_user(client, steward).post(
            f"/api/v1/moderation/submissions/{submission.id}/route",
            json={"new_item": {"title": "Arbres"}},
        ),
        403,
    )
    error = error_of(
        as_user(client, moderator).post(
            f"/api/v1/moderation/submissions/{submission.id}/route", json={}
        ),
        422,
    )
    assert "item" in error["fields"]
