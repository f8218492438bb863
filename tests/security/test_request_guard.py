"""Every route that takes input refuses, before it changes anything: direction overrides in
any field, JSON with NaN or infinity, malformed JSON, and bodies over the size limit.

The routes are read from the application's URL map, so a route added later is covered too.
"""

import json

import pytest

from tests import factories
from tests.security import hostile
from tests.security.support import page_text, row_counts, writing_routes

OVERRIDE_FR = "inversent le sens d'écriture"
NON_FINITE_FR = "NaN et l'infini ne sont pas des nombres"


@pytest.fixture
def admin_client(client, session):
    admin = factories.user(roles=["admin", "organiser", "moderator"])
    factories.login(client, admin.email)
    return client


def _send(client, method, url, **kwargs):
    return client.open(url, method=method, **kwargs)


def test_every_writing_route_is_found(app, session):
    routes = writing_routes()
    urls = {url for _, url in routes}
    # A sample of each package, so the list cannot silently be empty or partial.
    for expected in (
        "/signup",
        "/account/profile",
        "/admin/settings",
        "/mapping/inventories/new",
        "/api/v1/inventories/x/features",
        "/hackathons/x/teams/new",
        "/api/v1/comments",
        "/workshops/x/ideas/new",
        "/events/1/register",
    ):
        assert expected in urls
    assert len(routes) > 150


def test_direction_overrides_are_refused_everywhere(admin_client, session):
    before = row_counts()
    corpus = hostile.DIRECTION_OVERRIDES
    for number, (method, url) in enumerate(writing_routes()):
        name, text = corpus[number % len(corpus)]  # each route gets one, in turn
        if url.startswith("/api/"):
            response = _send(
                admin_client, method, url, json={"title": "ok", "name": text, "body": text}
            )
            assert response.status_code == 422, (name, method, url, response.status_code)
            error = response.json["error"]
            assert error["code"] == "text.direction_override", (url, error)
            assert OVERRIDE_FR in next(iter(error["fields"].values()))[0], (url, error)
        else:
            response = _send(admin_client, method, url, data={"title": text})
            assert response.status_code == 422, (name, method, url, response.status_code)
            assert response.mimetype == "text/html"
            assert OVERRIDE_FR in page_text(response).replace("&#39;", "'"), url
    assert row_counts() == before


def test_direction_override_deep_in_json_and_in_a_query(admin_client, session):
    before = row_counts()
    response = admin_client.post(
        "/api/v1/inventories/x/features",
        json={"type": "Feature", "properties": {"notes": ["ok", {"deep": "a\u202eb"}]}},
    )
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["properties.notes.1.deep"]
    response = admin_client.post("/requests/new?next=\u2067x", data={"title": "Arbres"})
    assert response.status_code == 422
    assert row_counts() == before


def test_an_upload_named_with_an_override_is_refused(admin_client, session):
    import io

    before = row_counts()
    response = admin_client.post(
        "/account/profile/photo",
        data={"avatar": (io.BytesIO(hostile.png()), "photo\u202egnp.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert row_counts() == before


def test_json_with_nan_or_infinity_is_refused_on_every_api_route(admin_client, session):
    before = row_counts()
    corpus = hostile.JSON_NON_FINITE
    api_routes = [(m, u) for m, u in writing_routes() if u.startswith("/api/")]
    for number, (method, url) in enumerate(api_routes):
        name, body = corpus[number % len(corpus)]
        response = _send(admin_client, method, url, data=body, content_type="application/json")
        assert response.status_code == 422, (name, method, url, response.status_code)
        error = response.json["error"]
        assert error["code"] == "json.non_finite"
        assert NON_FINITE_FR in error["fields"]["json"][0]
    assert row_counts() == before


def test_malformed_json_is_a_400_in_the_error_shape(admin_client, session):
    before = row_counts()
    for body in ("{", '{"a": 1,}', "\xff\xfe", "[" * 100_000):
        data = body.encode("latin-1") if body == "\xff\xfe" else body
        response = admin_client.post(
            "/api/v1/dataset-requests", data=data, content_type="application/json"
        )
        assert response.status_code == 400, body[:10]
        assert response.json["error"]["code"] == "bad_request"
        assert response.json["error"]["message"] == "La requête n'a pas été comprise."
    assert row_counts() == before


def test_strict_json_still_reads_ordinary_numbers(admin_client, session):
    from webapp.inputs import NonFiniteNumber, loads

    assert loads('{"a": -1.5e3, "b": [0, 1e308]}') == {"a": -1500.0, "b": [0, 1e308]}
    for _, text in hostile.NON_FINITE_POINTS:
        with pytest.raises(NonFiniteNumber):
            loads(text)
    # A string that merely says NaN is text, not a number.
    assert loads(json.dumps({"name": "NaN"})) == {"name": "NaN"}


@pytest.fixture
def small_limit(app):
    previous = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    yield
    app.config["MAX_CONTENT_LENGTH"] = previous


def test_oversize_bodies_are_413_in_both_shapes(admin_client, session, small_limit):
    before = row_counts()
    big = "x" * 10_000
    api = admin_client.post(
        "/api/v1/inventories/x/features",
        data=json.dumps({"type": "Feature", "properties": {"n": big}}),
        content_type="application/json",
    )
    assert api.status_code == 413
    assert api.json["error"] == {
        "code": "too_large",
        "message": "Les données envoyées sont trop volumineuses.",
        "fields": {},
    }
    page = admin_client.post("/requests/new", data={"title": big})
    assert page.status_code == 413 and page.mimetype == "text/html"
    assert "Les données envoyées sont trop volumineuses." in page.text
    upload = admin_client.post(
        "/account/profile/photo",
        data={"avatar": (__import__("io").BytesIO(b"\0" * 10_000), "big.png")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 413
    assert row_counts() == before
