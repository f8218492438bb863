"""Notifications: notify() records and mails in the recipient's language; the notification
centre, the unread badge and the JSON API."""

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from tests import factories
from webapp.db import unit_of_work
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.notifications import queries
from webapp.notifications import services as notifications
from webapp.notifications.models import Notification

REMOVED = "An organiser cancelled your registration for “%(title)s”."


def _in_french(msgid, **params):
    with force_locale("fr"):
        return gettext(msgid, **params)


def _reload(notification):
    db.session.expire_all()
    return db.session.get(Notification, notification.id)


def _count():
    return db.session.scalar(select(func.count()).select_from(Notification))


def _assert_error(response, status, code):
    assert response.status_code == status, response.text[:500]
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


def _unread_badge(html):
    found = re.search(r'data-testid="unread-count">(\d+)<', html)
    return int(found.group(1)) if found else None


# --- notify (service) -------------------------------------------------------------------------


def test_notify_records_an_unread_notification_with_its_params_and_link(session):
    person = factories.user()

    notification = notifications.notify(
        person, "registration.promoted", {"title": "Atelier"}, link="/events/4"
    )

    row = _reload(notification)
    assert (row.user_id, row.kind, row.params, row.link) == (
        person.id,
        "registration.promoted",
        {"title": "Atelier"},
        "/events/4",
    )
    assert row.read_at is None and row.created_at is not None
    assert queries.unread_count(person) == 1


def test_notify_refuses_an_unknown_kind_and_records_nothing(session, mailbox):
    with pytest.raises(ValueError):
        notifications.notify(factories.user(), "no.such.kind", {})

    assert _count() == 0
    assert mailbox.messages() == []


def test_notify_mails_a_mailing_kind_in_english_to_an_english_reader(session, mailbox):
    person = factories.user(locale="en")

    notifications.notify(
        person, "registration.cancelled_by_organiser", {"title": "Atelier vélo"}, link="/events/7"
    )

    (mail,) = mailbox.to(person.email)
    assert mail["Subject"] == "An organiser cancelled your registration for “Atelier vélo”."
    body = mailbox.body(mail)
    assert "An organiser cancelled your registration for “Atelier vélo”." in body
    assert "http://localhost/events/7" in body
    assert "You receive this message because you have an account on" in body


def test_notify_mails_a_mailing_kind_in_french_to_a_french_reader(session, mailbox):
    person = factories.user(locale="fr")

    notifications.notify(person, "registration.cancelled_by_organiser", {"title": "Atelier vélo"})

    (mail,) = mailbox.to(person.email)
    english = REMOVED % {"title": "Atelier vélo"}
    assert mail["Subject"] == _in_french(REMOVED, title="Atelier vélo")
    assert mail["Subject"] != english
    body = mailbox.body(mail)
    assert english not in body
    footer = "You receive this message because you have an account on"
    assert footer not in body
    # No link: the mail points at the notification centre.
    assert "http://localhost/notifications/" in body


def test_notify_renders_each_mail_in_its_recipients_language_whatever_the_current_one(
    client, session, mailbox
):
    english, french = factories.user(locale="en"), factories.user(locale="fr")

    with force_locale("fr"):
        notifications.notify(english, "registration.cancelled_by_organiser", {"title": "A"})
    with force_locale("en"):
        notifications.notify(french, "registration.cancelled_by_organiser", {"title": "A"})

    assert mailbox.to(english.email)[0]["Subject"] == REMOVED % {"title": "A"}
    assert mailbox.to(french.email)[0]["Subject"] == _in_french(REMOVED, title="A")


def test_notify_sends_no_mail_for_a_kind_that_does_not_mail(session, mailbox):
    person = factories.user()

    notifications.notify(person, "registration.confirmed", {"title": "Atelier"})

    assert _count() == 1
    assert mailbox.messages() == []


def test_notify_email_argument_overrides_the_kind(session, mailbox):
    person = factories.user(locale="en")

    notifications.notify(person, "registration.cancelled_by_organiser", {"title": "A"}, email=False)
    notifications.notify(person, "registration.confirmed", {"title": "B"}, email=True)

    (mail,) = mailbox.to(person.email)
    assert mail["Subject"] == "You are registered for “B”."
    assert _count() == 2


@pytest.mark.parametrize("state", ["unconfirmed", "disabled"])
def test_notify_records_but_does_not_mail_an_unconfirmed_or_disabled_user(session, mailbox, state):
    person = factories.user()
    with unit_of_work():
        if state == "unconfirmed":
            person.email_confirmed_at = None
        else:
            person.is_active_account = False

    notifications.notify(person, "registration.cancelled_by_organiser", {"title": "Atelier"})

    assert queries.unread_count(person) == 1
    assert mailbox.messages() == []


def test_render_uses_the_requested_locale(session):
    person = factories.user()
    notification = notifications.notify(person, "registration.confirmed", {"title": "Balade"})

    assert notifications.render(notification, "en") == "You are registered for “Balade”."
    assert notifications.render(notification, "fr") == _in_french(
        "You are registered for “%(title)s”.", title="Balade"
    )


def test_mark_read_refuses_someone_elses_notification(session):
    owner, other = factories.user(), factories.user()
    notification = notifications.notify(owner, "registration.confirmed", {"title": "A"})

    with pytest.raises(NotFound):
        notifications.mark_read(other, notification.id)

    assert _reload(notification).read_at is None


def test_mark_read_keeps_the_first_reading_time(session):
    person = factories.user()
    notification = notifications.notify(person, "registration.confirmed", {"title": "A"})
    first = notifications.mark_read(person, notification.id).read_at

    again = notifications.mark_read(person, notification.id)

    assert again.read_at == first


def test_mark_all_read_marks_only_the_actors_notifications(session):
    person, other = factories.user(), factories.user()
    for title in ("A", "B"):
        notifications.notify(person, "registration.confirmed", {"title": title})
    notifications.notify(other, "registration.confirmed", {"title": "C"})

    notifications.mark_all_read(person)

    assert (queries.unread_count(person), queries.unread_count(other)) == (0, 1)


# --- navigation and notification centre -------------------------------------------------------


def test_unread_count_appears_in_the_navigation_and_goes_when_all_are_read(client, session):
    person = factories.user(locale="en")
    for title in ("A", "B", "C"):
        notifications.notify(person, "registration.confirmed", {"title": title})
    notifications.mark_read(person, notifications.notify(person, "registration.confirmed", {}).id)
    factories.login(client, person.email)

    assert _unread_badge(client.get("/events/").text) == 3

    response = client.post("/notifications/read-all")

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    assert _unread_badge(client.get("/events/").text) is None
    assert queries.unread_count(person) == 0


def test_navigation_has_no_unread_badge_for_anonymous_visitors(client, session):
    assert 'data-testid="unread-count"' not in client.get("/events/").text


def test_notification_centre_lists_notifications_newest_first_in_the_readers_language(
    client, session
):
    person = factories.user(locale="en")
    notifications.notify(person, "registration.confirmed", {"title": "Première"})
    notifications.notify(person, "registration.promoted", {"title": "Seconde"}, link="/events/1")
    notifications.notify(factories.user(), "registration.confirmed", {"title": "Pas à moi"})
    factories.login(client, person.email)

    response = client.get("/notifications/")

    assert response.status_code == 200
    text = response.text
    newer = text.index("A place freed up: you are now registered for “Seconde”.")
    older = text.index("You are registered for “Première”.")
    assert newer < older
    assert "Pas à moi" not in text
    assert "Mark all as read" in text


def test_notification_centre_pages_older_notifications_by_id(client, session):
    person = factories.user(locale="en")
    rows = [
        notifications.notify(person, "registration.confirmed", {"title": f"N{i:02d}"})
        for i in range(31)
    ]
    factories.login(client, person.email)

    first_page = client.get("/notifications/").text
    assert "“N30”" in first_page and "“N01”" in first_page and "“N00”" not in first_page
    link = re.search(r'href="(/notifications/\?before=\d+)"', first_page)
    assert link is not None

    second_page = client.get(link.group(1)).text
    assert "“N00”" in second_page and "“N01”" not in second_page
    assert rows[0].id < rows[1].id


def test_notification_centre_sends_anonymous_visitors_to_the_login_page(client, session):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_opening_a_notification_marks_it_read_and_follows_its_local_link(client, session):
    person = factories.user()
    notification = notifications.notify(
        person, "registration.promoted", {"title": "A"}, link="/events/12"
    )
    factories.login(client, person.email)

    response = client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/events/12"
    assert _reload(notification).read_at is not None


@pytest.mark.parametrize(
    "link",
    [None, "https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)"],
    ids=["no-link", "absolute", "protocol-relative", "javascript"],
)
def test_opening_a_notification_never_redirects_off_site(client, session, link):
    person = factories.user()
    notification = notifications.notify(person, "registration.confirmed", {"title": "A"}, link=link)
    factories.login(client, person.email)

    response = client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    assert _reload(notification).read_at is not None


def test_opening_someone_elses_notification_is_not_found_and_leaves_it_unread(client, session):
    owner, intruder = factories.user(), factories.user()
    notification = notifications.notify(
        owner, "registration.promoted", {"title": "A"}, link="/events/1"
    )
    factories.login(client, intruder.email)

    response = client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 404
    assert _reload(notification).read_at is None
    assert queries.unread_count(owner) == 1


def test_opening_a_notification_requires_login(client, session):
    notification = notifications.notify(factories.user(), "registration.confirmed", {"title": "A"})

    response = client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert _reload(notification).read_at is None


# --- JSON API ---------------------------------------------------------------------------------


def test_api_lists_my_notifications_newest_first_in_my_language(client, session):
    person = factories.user(locale="en")
    older = notifications.notify(person, "registration.confirmed", {"title": "A"})
    newer = notifications.notify(person, "registration.promoted", {"title": "B"}, link="/events/3")
    notifications.mark_read(person, older.id)
    notifications.notify(factories.user(), "registration.confirmed", {"title": "Not mine"})
    factories.login(client, person.email)

    response = client.get("/api/v1/notifications")

    assert response.status_code == 200
    assert [n["id"] for n in response.json] == [newer.id, older.id]
    first, second = response.json
    assert first["kind"] == "registration.promoted"
    assert first["text"] == "A place freed up: you are now registered for “B”."
    assert first["link"] == "/events/3" and first["read_at"] is None
    assert second["text"] == "You are registered for “A”."
    assert second["link"] is None and second["read_at"] is not None
    assert client.get("/api/v1/me").json["unread_notifications"] == 1


def test_api_marks_one_notification_read(client, session):
    person = factories.user()
    notification = notifications.notify(person, "registration.confirmed", {"title": "A"})
    factories.login(client, person.email)

    response = client.post(f"/api/v1/notifications/{notification.id}/read")

    assert response.status_code == 204
    assert _reload(notification).read_at is not None


def test_api_refuses_to_mark_someone_elses_notification_read(client, session):
    owner, intruder = factories.user(), factories.user()
    notification = notifications.notify(owner, "registration.confirmed", {"title": "A"})
    factories.login(client, intruder.email)

    _assert_error(
        client.post(f"/api/v1/notifications/{notification.id}/read"), 404, "notification.not_found"
    )
    assert _reload(notification).read_at is None


def test_api_notifications_require_login(client, session):
    notification = notifications.notify(factories.user(), "registration.confirmed", {"title": "A"})

    _assert_error(client.get("/api/v1/notifications"), 401, "unauthorized")
    _assert_error(client.post(f"/api/v1/notifications/{notification.id}/read"), 401, "unauthorized")
    assert _reload(notification).read_at is None
