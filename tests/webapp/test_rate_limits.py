"""Rate limits hold under a loop of attempts (log-in, password reset, sign-up, API tokens),
answer the translated page or the one error shape, and block only the address that tried;
the same in memory and in a real Redis shared by several web processes."""

import os
import uuid

import pytest
import redis

from tests import backends, factories
from tests.conftest import IsolatedClient
from webapp.accounts import services as accounts

LIMIT = 10  # AUTH_RATE_LIMIT in production: "10 per minute;50 per hour"
ATTACKER, NEIGHBOUR = "203.0.113.7", "198.51.100.23"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def _wrong_login(client, email="victim@example.org", address=ATTACKER):
    return client.post(
        "/login", data={"email": email, "password": "not the password"}, **_from(address)
    )


def _loop(attempt, times=LIMIT + 1):
    return [attempt().status_code for _ in range(times)]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_loop_of_wrong_log_ins_gets_the_translated_429_page(client, strict_limits):
    factories.user(email="victim@example.org")
    statuses = _loop(lambda: _wrong_login(client))
    assert statuses == [401] * LIMIT + [429]
    page = _wrong_login(client)
    assert page.status_code == 429 and page.headers["Retry-After"]
    assert "Trop de tentatives. Patientez un instant, puis réessayez." in page.text
    # Even the right password is refused from that address until the window ends.
    right = client.post(
        "/login",
        data={"email": "victim@example.org", "password": factories.PASSWORD},
        **_from(ATTACKER),
    )
    assert right.status_code == 429


def test_a_limited_address_locks_out_neither_the_user_nor_other_addresses(client, strict_limits):
    victim = factories.user(email="victim@example.org")
    other = factories.user(email="other@example.org")
    _loop(lambda: _wrong_login(client))
    assert _wrong_login(client, other.email).status_code == 429
    assert _wrong_login(client, other.email, address=NEIGHBOUR).status_code == 401
    response = client.post(
        "/login", data={"email": victim.email, "password": factories.PASSWORD}, **_from(NEIGHBOUR)
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("path", "data", "ok"),
    [
        ("/password/forgot", {"email": "someone@example.org"}, 200),
        ("/signup", {"email": "not an address", "password": "x", "display_name": "A"}, 422),
        ("/confirm", {"email": "someone@example.org"}, 200),
    ],
    ids=["password-reset", "sign-up", "resend-confirmation"],
)
def test_a_loop_of_account_requests_is_limited_per_address(client, strict_limits, path, data, ok):
    statuses = _loop(lambda: client.post(path, data=data, **_from(ATTACKER)))
    assert statuses == [ok] * LIMIT + [429]
    assert client.post(path, data=data, **_from(NEIGHBOUR)).status_code == ok


def test_a_loop_of_bad_api_tokens_gets_429_in_the_error_shape(client, strict_limits):
    user = factories.user()
    _row, good = accounts.create_api_token(user, "sync")
    bad = [f"fab_guess{n}" for n in range(LIMIT + 1)]
    statuses = [
        client.get("/api/v1/me", headers=_bearer(token), **_from(ATTACKER)).status_code
        for token in bad
    ]
    assert statuses == [401] * LIMIT + [429]
    refused = client.get("/api/v1/me", headers=_bearer(good), **_from(ATTACKER))
    assert refused.status_code == 429, "past the limit a right guess must look like a wrong one"
    assert refused.json["error"]["code"] == "rate_limited"
    assert set(refused.json["error"]) == {"code", "message", "fields"}
    assert refused.headers["Retry-After"]
    mine = client.get("/api/v1/me", headers=_bearer(good), **_from(NEIGHBOUR))
    assert mine.status_code == 200


def test_good_api_tokens_are_never_counted(client, strict_limits):
    user = factories.user()
    _row, good = accounts.create_api_token(user, "sync")
    statuses = {
        client.get("/api/v1/me", headers=_bearer(good), **_from(ATTACKER)).status_code
        for _ in range(LIMIT * 2)
    }
    assert statuses == {200}


# --- the same limits kept in a real Redis, shared by two web processes --------------------------


@pytest.fixture
def redis_apps(app, session):
    """Two apps on the test's database sharing one Redis for their limits, like two gunicorn
    workers; a fresh key prefix keeps parallel test runs apart."""
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and Redis is unavailable: {exc}")
        pytest.skip(f"Redis unavailable: {exc}")
    prefix = f"test-{uuid.uuid4().hex}"
    apps = [
        backends.make_app(
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.instance_path,
            REDIS_URL=REDIS_URL,
            RQ_QUEUE=prefix,
            RATELIMIT_KEY_PREFIX=prefix,
            AUTH_RATE_LIMIT="10 per minute;50 per hour",
        )
        for _ in range(2)
    ]
    clients = []
    for web in apps:
        web.test_client_class = IsolatedClient
        clients.append(web.test_client())
    yield clients, connection, prefix
    for key in connection.scan_iter(match=f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_limits_kept_in_redis_hold_across_web_processes(redis_apps):
    (first, second), connection, prefix = redis_apps
    factories.user(email="victim@example.org")
    statuses = [_wrong_login(first if n % 2 else second).status_code for n in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]
    assert any(connection.scan_iter(match=f"*{prefix}*"))
    assert _wrong_login(first, address=NEIGHBOUR).status_code == 401


def test_bad_tokens_counted_in_redis_hold_across_web_processes(redis_apps, client):
    (first, second), _connection, _prefix = redis_apps
    statuses = [
        (first if n % 2 else second)
        .get("/api/v1/me", headers=_bearer(f"fab_guess{n}"), **_from(ATTACKER))
        .status_code
        for n in range(LIMIT + 1)
    ]
    assert statuses == [401] * LIMIT + [429]
    # Each app keeps its own limiter: the test's app, counting in memory, saw nothing.
    own = client.get("/api/v1/me", headers=_bearer("fab_guess"), **_from(ATTACKER))
    assert own.status_code == 401
