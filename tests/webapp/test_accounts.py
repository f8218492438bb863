"""Sign-up, confirmation, log-in, password reset and changes of address, through the pages."""

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.errors import ValidationError


def _count_users(session):
    return session.scalar(select(func.count()).select_from(User))


def _sign_up(client, **overrides):
    data = {
        "display_name": "Alice Martin",
        "email": "alice@example.org",
        "password": "a long enough password",
        "accept_licence": "y",
    }
    data.update(overrides)
    return client.post("/signup", data=data)


def test_sign_up_creates_unconfirmed_account_and_mails_a_confirmation_link(
    client, session, mailbox, app
):
    response = _sign_up(client)
    assert response.status_code == 200
    user = session.scalar(select(User).where(User.email == "alice@example.org"))
    assert user is not None and not user.email_confirmed
    assert user.licence_version == app.config["CONTRIBUTION_LICENCE_VERSION"]
    assert user.licence_accepted_at is not None
    assert user.locale == "fr"
    [message] = mailbox.to("alice@example.org")
    link = mailbox.link(message, "/confirm/")
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302 and response.location.endswith("/login")
    session.refresh(user)
    assert user.email_confirmed


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"display_name": "A"}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"accept_licence": ""}, "accept_licence"),
    ],
)
def test_sign_up_refuses_bad_input_and_creates_nothing(client, session, mailbox, overrides, field):
    response = _sign_up(client, **overrides)
    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.text
    assert _count_users(session) == 0
    assert mailbox.messages() == []


def test_sign_up_errors_are_translated(client):
    french = _sign_up(client, password="short")
    client.post("/language", data={"locale": "en"})
    english = _sign_up(client, password="short")
    assert "Use at least 10 characters." in english.text
    assert "Use at least 10 characters." not in french.text


def test_sign_up_with_a_taken_address_reveals_nothing_and_warns_the_owner(client, session, mailbox):
    owner = factories.user(email="taken@example.org")
    response = _sign_up(client, email="Taken@Example.org")
    assert response.status_code == 200  # the same "check your mailbox" page
    assert _count_users(session) == 1
    [message] = mailbox.to(owner.email)
    assert "/password/forgot" in mailbox.body(message)


def test_login_refuses_unconfirmed_account(client, session):
    _sign_up(client)
    response = client.post(
        "/login", data={"email": "alice@example.org", "password": "a long enough password"}
    )
    assert response.status_code == 401
    assert "/account" not in response.text


def test_login_refuses_wrong_password_with_a_generic_message(client):
    factories.user(email="bob@example.org")
    wrong = client.post("/login", data={"email": "bob@example.org", "password": "nope nope nope"})
    unknown = client.post(
        "/login", data={"email": "nobody@example.org", "password": "nope nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    message = re.search(r'alert-danger">([^<]+)<', wrong.text).group(1)
    assert message in unknown.text


def test_login_refuses_disabled_account(client, session):
    admin = factories.user(roles=["admin"])
    user = factories.user(email="gone@example.org")
    accounts.update_user(admin, user.id, [], None, active=False)
    response = client.post(
        "/login", data={"email": "gone@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 401


def test_login_then_logout(client):
    user = factories.user(email="carla@example.org", name="Carla")
    factories.login(client, user.email)
    assert "Carla" in client.get("/").text
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_login_redirects_only_to_local_next(client):
    user = factories.user()
    response = client.post(
        "/login?next=https://evil.example.org/",
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.location == "/"
    client.post("/logout")
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "next": "/events/"}
    )
    assert response.location == "/events/"


def test_remember_me_sets_a_lasting_cookie(client):
    user = factories.user()
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_password_reset_link_works_once(client, session, mailbox):
    user = factories.user(email="dora@example.org")
    client.post("/password/forgot", data={"email": "dora@example.org"})
    [message] = mailbox.to("dora@example.org")
    path = mailbox.link(message, "/password/reset/").replace("http://localhost", "")
    response = client.post(path, data={"password": "a brand new password"})
    assert response.status_code == 302
    factories.login(client, user.email, "a brand new password")
    client.post("/logout")
    again = client.post(path, data={"password": "yet another password"})
    assert again.status_code == 422
    factories.login(client, user.email, "a brand new password")


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, mailbox):
    response = client.post("/password/forgot", data={"email": "ghost@example.org"})
    assert response.status_code == 200
    assert mailbox.messages() == []


def test_tampered_confirmation_link_is_refused(client, session):
    response = client.get("/confirm/not-a-valid-token")
    assert response.status_code == 302
    assert response.location.endswith("/confirm")


def test_expired_confirmation_link_is_refused(app, session):
    user = factories.user()
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    try:
        token = accounts._serializer("confirm-email").dumps({"uid": user.id, "email": user.email})
        with pytest.raises(ValidationError) as error:
            accounts.confirm_email(token)
        assert error.value.code == "account.link_expired"
    finally:
        app.config["EMAIL_TOKEN_MAX_AGE"] = 60 * 60 * 48


def test_change_password_logs_out_other_sessions(app, client, session):
    user = factories.user()
    other = app.test_client()
    factories.login(client, user.email)
    factories.login(other, user.email)
    response = client.post(
        "/account/password",
        data={
            "pw-current_password": factories.PASSWORD,
            "pw-new_password": "another good password",
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_change_password_requires_the_current_one(client, session):
    user = factories.user()
    factories.login(client, user.email)
    response = client.post(
        "/account/password",
        data={
            "pw-current_password": "wrong wrong wrong",
            "pw-new_password": "another good password",
        },
    )
    assert response.status_code == 422
    factories.login(client.application.test_client(), user.email)


def test_change_email_takes_effect_after_confirmation(client, session, mailbox):
    user = factories.user(email="old@example.org")
    factories.login(client, user.email)
    response = client.post(
        "/account/email",
        data={"em-current_password": factories.PASSWORD, "em-email": "new@example.org"},
    )
    assert response.status_code == 302
    session.refresh(user)
    assert user.email == "old@example.org" and user.pending_email == "new@example.org"
    assert mailbox.to("old@example.org")  # the old address is told
    [confirm] = mailbox.to("new@example.org")
    client.get(mailbox.link(confirm, "/confirm/").replace("http://localhost", ""))
    session.refresh(user)
    assert user.email == "new@example.org" and user.pending_email is None


def test_logout_everywhere_ends_every_session(app, client, session):
    user = factories.user()
    other = app.test_client()
    factories.login(client, user.email)
    factories.login(other, user.email)
    client.post("/account/logout-everywhere")
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 302


def test_csrf_token_is_required_on_forms(app, client):
    user = factories.user()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 400
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            "/login",
            data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_is_rate_limited(client, strict_limits):
    factories.user(email="eve@example.org")
    statuses = [
        client.post(
            "/login", data={"email": "eve@example.org", "password": "wrong password!"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_create_user_refuses_a_data_steward_without_department(session):
    with pytest.raises(ValidationError) as error:
        factories.user(roles=["data_steward"])
    assert "department" in error.value.fields
