"""/.well-known/security.txt (RFC 9116): published only when a contact is configured."""

from datetime import UTC, datetime


def test_no_contact_no_file(app, client):
    app.config["SECURITY_CONTACT"] = None
    assert client.get("/.well-known/security.txt").status_code == 404


def test_the_file_names_the_contact_and_expires(app, client):
    app.config["SECURITY_CONTACT"] = "securite@example.org"
    try:
        response = client.get("/.well-known/security.txt")
    finally:
        app.config["SECURITY_CONTACT"] = None
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    fields = dict(line.split(": ", 1) for line in response.text.splitlines())
    assert fields["Contact"] == "mailto:securite@example.org"
    assert fields["Canonical"].endswith("/.well-known/security.txt")
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 0 < (expires - datetime.now(UTC)).days <= 366  # RFC 9116: under a year


def test_an_https_contact_is_kept_as_it_is(app, client):
    app.config["SECURITY_CONTACT"] = "https://example.org/signaler"
    try:
        text = client.get("/.well-known/security.txt").text
    finally:
        app.config["SECURITY_CONTACT"] = None
    assert "Contact: https://example.org/signaler\n" in text
