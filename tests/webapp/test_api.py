"""The JSON API: OpenAPI document, tokens, one error shape."""

from openapi_spec_validator import validate

from tests import factories


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/jobs/{job_id}" in spec["paths"]
    assert "bearer" in spec["components"]["securitySchemes"]
    assert "Error" in spec["components"]["schemas"]


def test_every_documented_error_uses_the_one_error_shape(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
                if status.startswith(("4", "5")) or status == "default":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), (path, method, status, ref)


def test_docs_page_is_served_with_local_assets(client):
    page = client.get("/api/v1/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    asset = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_errors_have_one_shape_for_401_404_405_and_422(client):
    factories.user(email="api@example.org")
    for response, status in (
        (client.get("/api/v1/me"), 401),
        (client.get("/api/v1/events/999999"), 404),
        (client.patch("/api/v1/me"), 405),
    ):
        assert response.status_code == status
        assert set(response.json) == {"error"}
        assert set(response.json["error"]) == {"code", "message", "fields"}
    factories.login(client, "api@example.org")
    response = client.post("/api/v1/tokens", json={"nom": "x"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"name", "nom"}


def test_validation_messages_follow_the_language(client):
    factories.user(email="lang@example.org")
    factories.login(client, "lang@example.org")
    client.post("/language", data={"locale": "en"})
    english = client.post("/api/v1/tokens", json={}).json["error"]
    assert english["fields"]["name"] == ["This field is required."]
    client.post("/language", data={"locale": "fr"})
    french = client.post("/api/v1/tokens", json={}).json["error"]
    assert french["fields"]["name"] != ["This field is required."]
    assert french["message"] != english["message"]


def test_personal_token_authenticates_scripts_until_revoked(client, session):
    user = factories.user(email="script@example.org")
    factories.login(client, user.email)
    created = client.post("/api/v1/tokens", json={"name": "QGIS sync"})
    assert created.status_code == 201
    token, token_id = created.json["token"], created.json["id"]
    client.post("/logout")
    script = client.application.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/v1/me", headers=headers).json["email"] == "script@example.org"
    # A token request needs no CSRF token even when CSRF is on.
    client.application.config["WTF_CSRF_ENABLED"] = True
    try:
        revoke = script.delete(f"/api/v1/tokens/{token_id}", headers=headers)
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = False
    assert revoke.status_code == 204
    assert script.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        script.get("/api/v1/me", headers={"Authorization": "Bearer fab_nonsense"}).status_code
        == 401
    )


def test_token_listing_never_shows_the_secret(client):
    user = factories.user()
    factories.login(client, user.email)
    client.post("/api/v1/tokens", json={"name": "one"})
    listing = client.get("/api/v1/tokens").json
    assert listing[0]["name"] == "one" and "token" not in listing[0]


def test_session_api_calls_need_the_csrf_header(client):
    user = factories.user()
    factories.login(client, user.email)
    client.application.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/api/v1/tokens", json={"name": "x"})
        assert refused.status_code == 400
        assert refused.json["error"]["code"] == "csrf"
        page = client.get("/api/v1/docs").text
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        accepted = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRFToken": token})
        assert accepted.status_code == 201
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = False


def test_me_shows_roles_and_department(client):
    dept = factories.department(slug="eau")
    user = factories.user(roles=["data_steward"], department_slug=dept.slug)
    factories.login(client, user.email)
    body = client.get("/api/v1/me").json
    assert body["roles"] == ["data_steward", "resident"]
    assert body["department"]["slug"] == "eau"
