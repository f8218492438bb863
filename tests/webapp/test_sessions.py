"""Sessions end when they should: log-out (even for a copied cookie), password change and
reset, revoked tokens, disabled accounts; a disabled account is never given a seat."""

from tests import factories
from tests.conftest import IsolatedClient
from webapp.accounts import services as accounts
from webapp.registrations import services as registrations
from webapp.registrations.models import CONFIRMED, WAITLISTED


def _client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


def _copy_of(app, client, *names):
    """Another browser holding copies of `client`'s cookies (a stolen or replayed cookie)."""
    thief = _client(app)
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _logged_in(response):
    return response.status_code == 200


def _token(user, name="script"):
    _row, plaintext = accounts.create_api_token(user, name)
    return {"Authorization": f"Bearer {plaintext}"}


def test_a_session_cookie_copied_before_log_out_is_refused_after_it(app, client, session):
    user = factories.user()
    factories.login(client, user.email)
    thief = _copy_of(app, client, "session")
    assert _logged_in(thief.get("/account"))  # the copy works while the session lives
    client.post("/logout")
    assert client.get("/account").status_code == 302
    refused = thief.get("/account")
    assert refused.status_code == 302 and "/login" in refused.location


def test_a_remember_me_cookie_copied_before_log_out_is_refused_after_it(app, client, session):
    user = factories.user()
    client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    thief = _copy_of(app, client, "remember_token")
    assert _logged_in(thief.get("/account"))
    client.post("/logout")
    assert _copy_of(app, client, "session").get("/account").status_code == 302
    assert _copy_of(app, thief, "remember_token").get("/account").status_code == 302


def test_a_password_change_ends_other_sessions_and_old_cookies_but_keeps_the_current_one(
    app, client, session
):
    user = factories.user()
    other = _client(app)
    factories.login(client, user.email)
    factories.login(other, user.email)
    old_cookie = _copy_of(app, client, "session")
    response = client.post(
        "/account/password",
        data={"pw-current_password": factories.PASSWORD, "pw-new_password": "a new pass phrase"},
    )
    assert response.status_code == 302
    assert _logged_in(client.get("/account"))
    assert other.get("/account").status_code == 302
    assert old_cookie.get("/account").status_code == 302
    assert other.get("/api/v1/me").status_code == 401


def test_a_password_reset_ends_every_session(app, client, session, mailbox):
    user = factories.user(email="reset@example.org")
    laptop, phone = _client(app), _client(app)
    factories.login(laptop, user.email)
    factories.login(phone, user.email)
    client.post("/password/forgot", data={"email": user.email})
    [message] = mailbox.to(user.email)
    path = mailbox.link(message, "/password/reset/").replace("http://localhost", "")
    assert client.post(path, data={"password": "a brand new password"}).status_code == 302
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    factories.login(client, user.email, "a brand new password")


def test_a_revoked_token_answers_401_in_the_error_shape_at_once(app, client, session):
    user = factories.user()
    headers = _token(user)
    script = _client(app)
    assert script.get("/api/v1/me", headers=headers).status_code == 200
    [row] = script.get("/api/v1/tokens", headers=headers).json
    assert script.delete(f"/api/v1/tokens/{row['id']}", headers=headers).status_code == 204
    refused = script.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthorized"
    assert set(refused.json["error"]) == {"code", "message", "fields"}


def test_a_disabled_account_loses_its_sessions_and_tokens_at_once(app, client, session):
    admin = factories.user(roles=["admin"])
    user = factories.user(email="soon-disabled@example.org")
    factories.login(client, user.email)
    headers = _token(user)
    script = _client(app)
    assert _logged_in(client.get("/account"))
    assert script.get("/api/v1/me", headers=headers).status_code == 200
    accounts.update_user(admin, user.id, [], None, active=False)
    assert client.get("/account").status_code == 302
    refused = script.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.json["error"]["code"] == "unauthorized"
    again = _client(app).post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert again.status_code == 401


def test_a_disabled_account_on_the_waitlist_is_never_given_a_seat(session):
    admin = factories.user(roles=["admin"])
    event = factories.event(capacity=1)
    first, disabled, next_in_line = factories.user(), factories.user(), factories.user()
    registrations.register(first, event.id)
    held = registrations.register(disabled, event.id)
    waiting = registrations.register(next_in_line, event.id)
    accounts.update_user(admin, disabled.id, [], None, active=False)
    registrations.cancel(first, event.id)
    session.refresh(held)
    session.refresh(waiting)
    assert (held.status, waiting.status) == (WAITLISTED, CONFIRMED)
    # More seats later: still nobody disabled gets one.
    registrations.set_capacity(admin, event.id, 5)
    session.refresh(held)
    assert held.status == WAITLISTED
