"""Error pages: HTML for pages, one JSON shape under /api, translated."""

import os

import pytest

from tests import backends, factories


def test_404_is_an_html_page_in_french(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert '<html lang="fr">' in response.text
    assert "This page or object does not exist." not in response.text


def test_404_under_the_api_is_json(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json == {
        "error": {
            "code": "not_found",
            "message": "This page or object does not exist.",
            "fields": {},
        }
    }


def test_403_for_a_resident_on_admin_pages(client):
    user = factories.user()
    factories.login(client, user.email)
    response = client.get("/admin/users")
    assert response.status_code == 403 and response.mimetype == "text/html"


def test_405_lists_allowed_methods(client):
    response = client.delete("/api/v1/events")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.json["error"]["code"] == "method_not_allowed"


def test_413_when_the_body_is_too_large(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/signup", data={"display_name": "x" * 5000})
        assert response.status_code == 413
        # An anonymous API write is refused (401) before its body is read: log in first.
        factories.login(client, factories.user().email)
        api = client.post("/api/v1/tokens", data="x" * 5000, content_type="application/json")
        assert api.status_code == 413 and api.json["error"]["code"] == "too_large"
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024


def test_429_page_says_to_wait(client, strict_limits):
    for _ in range(11):
        response = client.post("/password/forgot", data={"email": "a@example.org"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers or response.headers.get("X-RateLimit-Reset")
    assert '<html lang="fr">' in response.text


def test_malformed_json_is_a_clean_400(client):
    user = factories.user()
    factories.login(client, user.email)
    response = client.post("/api/v1/tokens", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert set(response.json["error"]) == {"code", "message", "fields"}


@pytest.fixture
def production_like_app(backend, tmp_root):
    """An app that renders 500 pages instead of propagating (as in production)."""
    url = backends.database_url(backend, "errors", tmp_root)
    app = backends.make_app(url, os.path.join(tmp_root, f"errors-{backend}"), TESTING=False)
    with app.app_context():
        backends.upgrade(app)

    @app.get("/boom")
    def boom():
        raise RuntimeError("unexpected")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("unexpected")

    yield app
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()
    backends.drop_database(backend, url)


def test_500_is_a_page_and_a_json_error_without_details(production_like_app):
    client = production_like_app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and "unexpected" not in page.text
    assert '<html lang="fr">' in page.text
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.json["error"]["code"] == "internal_error"
    assert "unexpected" not in api.text


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    app = backends.make_app(f"sqlite:///{tmp_path}/missing/dir/db.sqlite", str(tmp_path / "i"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
