"""Registrations: capacity, waitlist and promotion, invitations, organiser tools; through the
services, the HTML pages and the JSON API."""

import csv
import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from tests import factories
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.models import Job
from webapp.notifications.models import Notification
from webapp.registrations import queries
from webapp.registrations import services as registrations
from webapp.registrations.models import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    Registration,
    RegistrationList,
)

# --- helpers ---------------------------------------------------------------------------------


def _statuses(event):
    """{user_id: status} of every registration row of the event."""
    rows = db.session.execute(
        select(Registration.user_id, Registration.status).where(Registration.list_id == event.id)
    ).all()
    return dict(rows)


def _confirmed_count(event):
    return db.session.scalar(
        select(RegistrationList.confirmed_count).where(RegistrationList.id == event.id)
    )


def _notifications(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query.order_by(Notification.id)).all()


def _snapshot(event, mailbox):
    """Everything a refused registration must leave untouched."""
    return {
        "statuses": _statuses(event),
        "confirmed_count": _confirmed_count(event),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        "jobs": db.session.scalar(select(func.count()).select_from(Job)),
        "mails": len(mailbox.messages()),
    }


def _close(event):
    with unit_of_work():
        event.is_open = False


def _in_french(msgid, **params):
    with force_locale("fr"):
        return gettext(msgid, **params)


def _ics(message):
    """The calendar attached to a mail, decoded as a mail client would (by its charset)."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    assert parts[0].get_content_charset() == "utf-8"
    return parts[0].get_content()


def _assert_error(response, status, code):
    assert response.status_code == status, response.text[:500]
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def _client_as(app, user):
    """A separate browser, logged in as `user` (the `client` fixture sets the client class)."""
    browser = app.test_client()
    factories.login(browser, user.email)
    return browser


def _english(**kwargs):
    return factories.user(locale="en", **kwargs)


# --- register (service) ----------------------------------------------------------------------


def test_register_confirms_while_seats_remain_and_counts_each_seat(session, mailbox):
    event = factories.event(capacity=3)
    first, second = factories.user(), factories.user()

    one = registrations.register(first, event.id)
    two = registrations.register(second, event.id)

    assert (one.status, two.status) == (CONFIRMED, CONFIRMED)
    assert one.confirmed_at is not None and one.waitlisted_at is None
    assert _confirmed_count(event) == 2
    assert event.seats_left == 1


def test_register_mails_an_ics_invitation_with_summary_start_and_geo_when_located(session, mailbox):
    person = _english()
    event = factories.event(title="Atelier vélo", address="Place Bellecour", lon=4.832, lat=45.7578)

    registrations.register(person, event.id)

    mails = mailbox.to(person.email)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "You are registered for Atelier vélo"
    body = mailbox.body(mails[0])
    assert "Atelier vélo" in body and "Place Bellecour" in body
    assert f"http://localhost/events/{event.id}" in body
    calendar = _ics(mails[0])
    assert "BEGIN:VEVENT" in calendar
    assert "SUMMARY:Atelier vélo" in calendar
    start = event.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in calendar
    # RFC 5545: GEO is latitude first.
    assert "GEO:45.7578;4.832" in calendar
    assert "METHOD:REQUEST" in calendar
    (attachment,) = mails[0].iter_attachments()
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invitation.ics"


def test_register_invitation_has_no_geo_when_the_event_has_no_location(session, mailbox):
    person = factories.user()
    event = factories.event(title="Atelier en ligne", online_url="https://visio.example.org/a")

    registrations.register(person, event.id)

    calendar = _ics(mailbox.to(person.email)[0])
    assert "SUMMARY:Atelier en ligne" in calendar
    assert "GEO:" not in calendar
    assert "LOCATION:https://visio.example.org/a" in calendar


def test_register_records_an_in_app_confirmation_without_a_second_mail(session, mailbox):
    person = factories.user()
    event = factories.event(title="Balade urbaine")

    registrations.register(person, event.id)

    notes = _notifications(person)
    assert [n.kind for n in notes] == ["registration.confirmed"]
    assert notes[0].params == {"title": "Balade urbaine"}
    assert len(mailbox.to(person.email)) == 1


def test_register_sends_no_invitation_to_an_unconfirmed_address(session, mailbox):
    person = factories.user()
    with unit_of_work():
        person.email_confirmed_at = None
    event = factories.event()

    registration = registrations.register(person, event.id)

    assert registration.status == CONFIRMED
    assert mailbox.messages() == []


def test_register_puts_people_on_the_waitlist_in_arrival_order_when_full(session, mailbox):
    event = factories.event(capacity=1)
    registrations.register(factories.user(), event.id)
    waiting = [factories.user() for _ in range(3)]

    rows = [registrations.register(person, event.id) for person in waiting]

    assert [r.status for r in rows] == [WAITLISTED] * 3
    assert [queries.waitlist_position(r) for r in rows] == [1, 2, 3]
    assert all(r.waitlisted_at is not None and r.confirmed_at is None for r in rows)
    assert _confirmed_count(event) == 1
    # Waiting people get neither an invitation nor an in-app confirmation.
    for person in waiting:
        assert mailbox.to(person.email) == []
        assert _notifications(person) == []


def test_register_refuses_when_full_and_waitlist_disabled_and_changes_nothing(session, mailbox):
    event = factories.event(capacity=1, waitlist_enabled=False)
    registrations.register(factories.user(), event.id)
    latecomer = factories.user()
    before = _snapshot(event, mailbox)

    with pytest.raises(Conflict) as caught:
        registrations.register(latecomer, event.id)

    assert caught.value.code == "registration.full"
    assert _snapshot(event, mailbox) == before
    assert latecomer.id not in _statuses(event)


@pytest.mark.parametrize("full", [False, True], ids=["confirmed", "waitlisted"])
def test_register_twice_is_a_conflict_and_changes_nothing(session, mailbox, full):
    event = factories.event(capacity=1)
    if full:
        registrations.register(factories.user(), event.id)
    person = factories.user()
    registrations.register(person, event.id)
    before = _snapshot(event, mailbox)

    with pytest.raises(Conflict) as caught:
        registrations.register(person, event.id)

    assert caught.value.code == "registration.already_registered"
    assert _snapshot(event, mailbox) == before


@pytest.mark.parametrize("why", ["closed", "past"])
def test_register_refuses_a_closed_or_past_event_and_changes_nothing(session, mailbox, why):
    if why == "past":
        event = factories.event(starts_in=-timedelta(days=1))
    else:
        event = factories.event()
        _close(event)
    person = factories.user()
    before = _snapshot(event, mailbox)

    with pytest.raises(ValidationError) as caught:
        registrations.register(person, event.id)

    assert caught.value.code == "registration.closed"
    assert caught.value.status == 422
    assert _snapshot(event, mailbox) == before


def test_register_for_an_unknown_event_is_not_found(session):
    with pytest.raises(NotFound):
        registrations.register(factories.user(), 999999)


def test_register_refuses_an_anonymous_actor(session):
    event = factories.event()

    with pytest.raises(PermissionDenied):
        registrations.register(None, event.id)

    assert _statuses(event) == {}


def test_register_again_after_cancelling_reuses_the_row_and_confirms(session, mailbox):
    event = factories.event(capacity=2)
    person = factories.user()
    first = registrations.register(person, event.id)
    registrations.cancel(person, event.id)

    again = registrations.register(person, event.id)

    assert again.id == first.id
    assert again.status == CONFIRMED and again.cancelled_at is None
    assert _confirmed_count(event) == 1


# --- cancel and promotion (service) -----------------------------------------------------------


def test_cancel_by_a_confirmed_person_promotes_the_first_waiting_person(session, mailbox):
    event = factories.event(capacity=2, title="Cartopartie des berges")
    leaving, staying = factories.user(), factories.user()
    registrations.register(leaving, event.id)
    registrations.register(staying, event.id)
    first, second = factories.user(), factories.user()
    registrations.register(first, event.id)
    registrations.register(second, event.id)
    mailbox.clear()

    cancelled = registrations.cancel(leaving, event.id)

    assert cancelled.status == CANCELLED and cancelled.cancelled_at is not None
    assert _statuses(event) == {
        leaving.id: CANCELLED,
        staying.id: CONFIRMED,
        first.id: CONFIRMED,
        second.id: WAITLISTED,
    }
    assert _confirmed_count(event) == 2
    promoted = _notifications(first, "registration.promoted")
    assert len(promoted) == 1
    assert promoted[0].params == {"title": "Cartopartie des berges"}
    assert promoted[0].link == f"/events/{event.id}"
    assert _notifications(second) == []
    assert len(mailbox.to(first.email)) == 1
    assert mailbox.to(second.email) == [] and mailbox.to(leaving.email) == []


def test_promotion_mails_each_promoted_person_in_their_own_language(session, mailbox):
    event = factories.event(capacity=1, title="Atelier jardin")
    holder = factories.user()
    registrations.register(holder, event.id)
    english, french = _english(), factories.user(locale="fr")
    registrations.register(english, event.id)
    registrations.register(french, event.id)
    mailbox.clear()

    registrations.cancel(holder, event.id)
    registrations.cancel(english, event.id)

    (to_english,) = mailbox.to(english.email)
    assert to_english["Subject"] == "A place freed up: you are registered for Atelier jardin"
    english_body = mailbox.body(to_english)
    intro = "A place freed up and you were first on the waitlist: you are now registered for:"
    assert intro in english_body
    assert "The invitation attached adds the event to your calendar." in english_body
    assert "SUMMARY:Atelier jardin" in _ics(to_english)

    (to_french,) = mailbox.to(french.email)
    french_subject = _in_french(
        "A place freed up: you are registered for %(title)s", title="Atelier jardin"
    )
    assert to_french["Subject"] == french_subject
    assert to_french["Subject"] != to_english["Subject"]
    french_body = mailbox.body(to_french)
    assert _in_french(intro) in french_body
    assert intro not in french_body
    assert _statuses(event)[french.id] == CONFIRMED


def test_a_disabled_account_is_not_promoted_and_gets_no_mail(session, mailbox):
    event = factories.event(capacity=1)
    holder, waiting = factories.user(), factories.user()
    registrations.register(holder, event.id)
    registrations.register(waiting, event.id)
    with unit_of_work():
        waiting.is_active_account = False
    mailbox.clear()

    registrations.cancel(holder, event.id)

    assert _statuses(event)[waiting.id] == WAITLISTED
    assert mailbox.messages() == []


def test_cancel_while_waitlisted_leaves_the_waitlist_without_promoting_anyone(session, mailbox):
    event = factories.event(capacity=1)
    holder = factories.user()
    registrations.register(holder, event.id)
    first, second = factories.user(), factories.user()
    registrations.register(first, event.id)
    second_row = registrations.register(second, event.id)
    mailbox.clear()

    registrations.cancel(first, event.id)

    assert _statuses(event) == {holder.id: CONFIRMED, first.id: CANCELLED, second.id: WAITLISTED}
    assert _confirmed_count(event) == 1
    assert queries.waitlist_position(second_row) == 1
    assert _notifications(second) == [] and mailbox.messages() == []


@pytest.mark.parametrize("history", ["never", "already_cancelled"])
def test_cancel_when_not_registered_is_not_found(session, history):
    event = factories.event()
    person = factories.user()
    if history == "already_cancelled":
        registrations.register(person, event.id)
        registrations.cancel(person, event.id)

    with pytest.raises(NotFound) as caught:
        registrations.cancel(person, event.id)

    assert caught.value.code == "registration.not_found"
    assert _confirmed_count(event) == 0


def test_cancel_for_an_unknown_event_is_not_found(session):
    with pytest.raises(NotFound):
        registrations.cancel(factories.user(), 999999)


# --- organiser tools (service) ----------------------------------------------------------------


def test_set_attendance_records_yes_no_and_clears(session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser)
    row = registrations.register(factories.user(), event.id)

    assert registrations.set_attendance(organiser, row.id, True).attended is True
    assert registrations.set_attendance(organiser, row.id, False).attended is False
    assert registrations.set_attendance(organiser, row.id, None).attended is None


def test_set_attendance_refuses_a_waitlisted_person(session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=1)
    registrations.register(factories.user(), event.id)
    waiting = registrations.register(factories.user(), event.id)

    with pytest.raises(ValidationError) as caught:
        registrations.set_attendance(organiser, waiting.id, True)

    assert caught.value.code == "registration.not_confirmed"
    session.refresh(waiting)
    assert waiting.attended is None


@pytest.mark.parametrize("role", [["organiser"], []], ids=["other-organiser", "resident"])
def test_set_attendance_refuses_someone_who_does_not_manage_the_event(session, role):
    event = factories.event()
    row = registrations.register(factories.user(), event.id)

    with pytest.raises(PermissionDenied):
        registrations.set_attendance(factories.user(roles=role), row.id, True)

    session.refresh(row)
    assert row.attended is None


def test_remove_attendee_tells_the_person_and_promotes_the_next(session, mailbox):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=1, title="Fresque du climat")
    removed = _english()
    row = registrations.register(removed, event.id)
    waiting = factories.user()
    registrations.register(waiting, event.id)
    mailbox.clear()

    registrations.remove_attendee(organiser, row.id)

    assert _statuses(event) == {removed.id: CANCELLED, waiting.id: CONFIRMED}
    assert _confirmed_count(event) == 1
    told = _notifications(removed, "registration.cancelled_by_organiser")
    assert len(told) == 1 and told[0].params == {"title": "Fresque du climat"}
    (mail,) = mailbox.to(removed.email)
    assert mail["Subject"] == "An organiser cancelled your registration for “Fresque du climat”."
    assert len(_notifications(waiting, "registration.promoted")) == 1
    assert len(mailbox.to(waiting.email)) == 1


def test_remove_attendee_refuses_an_organiser_of_another_event(session):
    event = factories.event()
    row = registrations.register(factories.user(), event.id)

    with pytest.raises(PermissionDenied):
        registrations.remove_attendee(factories.user(roles=["organiser"]), row.id)

    assert _statuses(event)[row.user_id] == CONFIRMED
    assert _confirmed_count(event) == 1


def test_remove_attendee_twice_is_a_conflict_and_keeps_the_count(session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=2)
    row = registrations.register(factories.user(), event.id)
    registrations.register(factories.user(), event.id)
    registrations.remove_attendee(organiser, row.id)

    with pytest.raises(Conflict):
        registrations.remove_attendee(organiser, row.id)

    assert _confirmed_count(event) == 1


def test_an_admin_manages_any_event(session):
    event = factories.event()
    row = registrations.register(factories.user(), event.id)

    registrations.set_attendance(factories.user(roles=["admin"]), row.id, True)

    session.refresh(row)
    assert row.attended is True


def test_set_capacity_increase_promotes_waiting_people_in_order(session, mailbox):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=1)
    registrations.register(factories.user(), event.id)
    waiting = [factories.user() for _ in range(3)]
    for person in waiting:
        registrations.register(person, event.id)
    mailbox.clear()

    registrations.set_capacity(organiser, event.id, 3)

    statuses = _statuses(event)
    assert [statuses[p.id] for p in waiting] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert _confirmed_count(event) == 3
    assert [len(_notifications(p, "registration.promoted")) for p in waiting] == [1, 1, 0]
    assert [len(mailbox.to(p.email)) for p in waiting] == [1, 1, 0]


def test_set_capacity_refuses_to_go_below_those_confirmed_with_a_capacity_field_error(session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=3)
    registrations.register(factories.user(), event.id)
    registrations.register(factories.user(), event.id)

    with pytest.raises(ValidationError) as caught:
        registrations.set_capacity(organiser, event.id, 1)

    assert caught.value.code == "registration.capacity_below_confirmed"
    assert list(caught.value.fields) == ["capacity"]
    session.refresh(event)
    assert (event.capacity, event.confirmed_count) == (3, 2)


def test_set_capacity_may_go_down_to_exactly_those_confirmed(session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=5)
    registrations.register(factories.user(), event.id)
    registrations.register(factories.user(), event.id)

    registrations.set_capacity(organiser, event.id, 2)

    session.refresh(event)
    assert (event.capacity, event.seats_left) == (2, 0)


def test_set_capacity_refuses_an_organiser_of_another_event(session):
    event = factories.event(capacity=2)

    with pytest.raises(PermissionDenied):
        registrations.set_capacity(factories.user(roles=["organiser"]), event.id, 10)

    session.refresh(event)
    assert event.capacity == 2


# --- create_list (service) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"title": ""}, {"title"}),
        ({"title": "   "}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"capacity": 0}, {"capacity"}),
        ({"capacity": None}, {"capacity"}),
        ({"ends_in": -timedelta(hours=1)}, {"ends_at"}),
        ({"ends_in": timedelta(0)}, {"ends_at"}),
        ({"lon": 4.8}, {"location"}),
        ({"lat": 45.7}, {"location"}),
        ({"lon": 181, "lat": 45}, {"location"}),
        ({"lon": 4.8, "lat": -91}, {"location"}),
        (
            {"title": "", "capacity": 0, "ends_in": -timedelta(hours=1)},
            {"title", "capacity", "ends_at"},
        ),
    ],
    ids=[
        "empty-title",
        "blank-title",
        "long-title",
        "zero-capacity",
        "no-capacity",
        "end-before-start",
        "end-equals-start",
        "lon-without-lat",
        "lat-without-lon",
        "lon-out-of-range",
        "lat-out-of-range",
        "several",
    ],
)
def test_create_list_refuses_invalid_input_with_field_errors(session, changes, fields):
    organiser = factories.user(roles=["organiser"])
    starts = utcnow() + timedelta(days=3)
    changes = dict(changes)
    ends = starts + changes.pop("ends_in", timedelta(hours=2))
    arguments = {"title": "Atelier", "capacity": 10, **changes}

    with pytest.raises(ValidationError) as caught:
        registrations.create_list(
            organiser,
            arguments.pop("title"),
            starts,
            ends,
            arguments.pop("capacity"),
            **arguments,
        )

    assert caught.value.code == "registration.list_invalid"
    assert set(caught.value.fields) == fields
    assert db.session.scalar(select(func.count()).select_from(RegistrationList)) == 0


def test_create_list_refuses_a_resident(session):
    starts = utcnow() + timedelta(days=3)

    with pytest.raises(PermissionDenied):
        registrations.create_list(
            factories.user(), "Atelier", starts, starts + timedelta(hours=1), 10
        )

    assert db.session.scalar(select(func.count()).select_from(RegistrationList)) == 0


def test_create_list_stores_the_location_longitude_first_and_names_the_managers(session):
    organiser, colleague = factories.user(roles=["organiser"]), factories.user(roles=["organiser"])

    event = factories.event(
        organiser=organiser,
        title="  Balade   du  soir ",
        lon=4.832,
        lat=45.7578,
        managers=[colleague],
    )

    session.expire_all()
    event = db.session.get(RegistrationList, event.id)
    assert event.title == "Balade du soir"
    assert (event.lon, event.lat) == pytest.approx((4.832, 45.7578))
    assert {m.user_id for m in event.managers} == {organiser.id, colleague.id}
    assert (event.confirmed_count, event.seats_left, event.is_open) == (0, 3, True)


# --- HTML pages -------------------------------------------------------------------------------


def test_events_page_lists_upcoming_events_with_places_left_for_anonymous_visitors(client, session):
    event = factories.event(capacity=4, title="Cartopartie du canal", address="Quai Est")
    past = factories.event(title="Atelier passé", starts_in=-timedelta(days=2))
    full = factories.event(capacity=1, title="Atelier complet")
    registrations.register(factories.user(), full.id)

    response = client.get("/events/", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert "Cartopartie du canal" in response.text and "Quai Est" in response.text
    assert f'href="/events/{event.id}"' in response.text
    assert "4 places left" in response.text
    assert "Atelier complet" in response.text and "Full" in response.text
    assert past.title not in response.text


def test_events_page_renders_for_a_logged_in_user(client, session):
    person = _english()
    factories.event(capacity=1, title="Balade botanique")
    factories.login(client, person.email)

    response = client.get("/events/")

    assert response.status_code == 200
    assert "Balade botanique" in response.text and "1 place left" in response.text


def test_event_page_shows_places_left_and_a_login_link_to_anonymous_visitors(client, session):
    event = factories.event(capacity=3, title="Atelier mobilité")
    registrations.register(factories.user(), event.id)

    response = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert "Atelier mobilité" in response.text
    assert re.search(r'data-testid="seats">\s*2 left out of 3', response.text)
    assert "Log in to register" in response.text
    assert f'action="/events/{event.id}/register"' not in response.text
    assert f'href="/events/{event.id}/calendar.ics"' in response.text


def test_event_page_shows_the_register_button_to_a_logged_in_user(client, session):
    event = factories.event(capacity=2)
    factories.login(client, _english().email)

    response = client.get(f"/events/{event.id}")

    assert f'action="/events/{event.id}/register"' in response.text
    assert ">Register<" in response.text
    assert f'href="/events/{event.id}/attendees"' not in response.text


def test_event_page_offers_the_waitlist_when_full(client, session):
    event = factories.event(capacity=1)
    registrations.register(factories.user(), event.id)
    factories.login(client, _english().email)

    response = client.get(f"/events/{event.id}")

    assert "Join the waitlist" in response.text
    assert re.search(r'data-testid="seats">\s*0 left out of 1', response.text)


def test_event_page_of_an_unknown_event_is_not_found(client, session):
    assert client.get("/events/999999").status_code == 404


def test_register_button_confirms_and_redirects_with_a_flash(client, session, mailbox):
    person = _english()
    event = factories.event(capacity=2, title="Atelier compost")
    factories.login(client, person.email)

    response = client.post(f"/events/{event.id}/register")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.id}"
    page = client.get(response.headers["Location"])
    assert "You are registered. An invitation is on its way to your mailbox." in page.text
    assert 'data-testid="registration-status">You are registered.<' in page.text
    assert "Cancel my registration" in page.text
    assert re.search(r'data-testid="seats">\s*1 left out of 2', page.text)
    assert _statuses(event) == {person.id: CONFIRMED}
    assert len(mailbox.to(person.email)) == 1


def test_register_button_puts_the_person_on_the_waitlist_when_full(client, session):
    event = factories.event(capacity=1)
    registrations.register(factories.user(), event.id)
    registrations.register(factories.user(), event.id)
    person = _english()
    factories.login(client, person.email)

    response = client.post(f"/events/{event.id}/register", follow_redirects=True)

    assert response.status_code == 200
    assert "The event is full: you are on the waitlist." in response.text
    assert "You are on the waitlist, number 2." in response.text
    assert "Leave the waitlist" in response.text
    assert _statuses(event)[person.id] == WAITLISTED


def test_register_button_sends_anonymous_visitors_to_the_login_page(client, session):
    event = factories.event()

    response = client.post(f"/events/{event.id}/register")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert _statuses(event) == {}


def test_register_button_answers_422_on_a_closed_event_and_changes_nothing(
    client, session, mailbox
):
    event = factories.event()
    _close(event)
    factories.login(client, _english().email)
    before = _snapshot(event, mailbox)

    response = client.post(f"/events/{event.id}/register")

    assert response.status_code == 422
    assert "Registration for this event is closed." in response.text
    assert _snapshot(event, mailbox) == before


def test_register_button_twice_answers_409(client, session):
    event = factories.event()
    person = _english()
    factories.login(client, person.email)
    client.post(f"/events/{event.id}/register")

    response = client.post(f"/events/{event.id}/register")

    assert response.status_code == 409
    assert "You are already registered or on the waitlist." in response.text
    assert _confirmed_count(event) == 1


def test_register_button_for_an_unknown_event_is_not_found(client, session):
    factories.login(client, _english().email)

    assert client.post("/events/999999/register").status_code == 404


def test_cancel_button_cancels_promotes_and_flashes(client, session):
    event = factories.event(capacity=1)
    person = _english()
    registrations.register(person, event.id)
    waiting = factories.user()
    registrations.register(waiting, event.id)
    factories.login(client, person.email)

    response = client.post(f"/events/{event.id}/cancel", follow_redirects=True)

    assert response.status_code == 200
    assert "Your registration is cancelled." in response.text
    assert _statuses(event) == {person.id: CANCELLED, waiting.id: CONFIRMED}


def test_cancel_button_when_not_registered_is_not_found(client, session):
    event = factories.event()
    factories.login(client, _english().email)

    assert client.post(f"/events/{event.id}/cancel").status_code == 404


def test_calendar_download_returns_the_event_as_text_calendar(client, session):
    event = factories.event(title="Atelier vélo", address="Place Bellecour", lon=4.832, lat=45.7578)

    response = client.get(f"/events/{event.id}/calendar.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert f'filename="event-{event.id}.ics"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Atelier vélo" in body
    assert f"DTSTART:{event.starts_at.strftime('%Y%m%dT%H%M%SZ')}" in body
    assert "GEO:45.7578;4.832" in body
    assert "METHOD:PUBLISH" in body
    assert f"URL:http://localhost/events/{event.id}" in body


def test_calendar_download_of_an_unknown_event_is_not_found(client, session):
    assert client.get("/events/999999/calendar.ics").status_code == 404


# --- organiser pages --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["creator", "admin"])
def test_attendee_list_is_shown_to_the_event_managers_and_admins(app, client, session, who):
    organiser = factories.user(roles=["organiser"], locale="en")
    event = factories.event(organiser=organiser, capacity=1)
    registrations.register(factories.user(name="Alice Martin"), event.id)
    registrations.register(factories.user(name="Bruno Petit"), event.id)
    viewer = organiser if who == "creator" else factories.user(roles=["admin"], locale="en")
    factories.login(client, viewer.email)

    response = client.get(f"/events/{event.id}/attendees")

    assert response.status_code == 200
    assert "Alice Martin" in response.text and "Bruno Petit" in response.text
    assert "1 confirmed out of 1 places, 1 waiting." in response.text
    assert client.get(f"/events/{event.id}").text.count(f'href="/events/{event.id}/attendees"')


@pytest.mark.parametrize("role", [["organiser"], []], ids=["other-organiser", "resident"])
def test_attendee_list_is_forbidden_to_people_who_do_not_manage_the_event(client, session, role):
    event = factories.event()
    registrations.register(factories.user(name="Alice Martin"), event.id)
    factories.login(client, factories.user(roles=role).email)

    for path in (f"/events/{event.id}/attendees", f"/events/{event.id}/attendees.csv"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Alice Martin" not in response.text


def test_attendee_list_sends_anonymous_visitors_to_the_login_page(client, session):
    event = factories.event()

    response = client.get(f"/events/{event.id}/attendees")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert f"/events/{event.id}/attendees" in response.headers["Location"].replace("%2F", "/")


@pytest.mark.parametrize(("answer", "expected"), [("yes", True), ("no", False), ("", None)])
def test_attendance_check_records_whether_the_person_came(client, session, answer, expected):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser)
    row = registrations.register(factories.user(), event.id)
    if expected is None:
        registrations.set_attendance(organiser, row.id, True)
    factories.login(client, organiser.email)

    response = client.post(
        f"/events/{event.id}/attendees/{row.id}/attendance", data={"attended": answer}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.id}/attendees#r{row.id}"
    session.refresh(row)
    assert row.attended is expected


def test_attendance_check_of_a_waitlisted_person_is_refused(client, session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=1)
    registrations.register(factories.user(), event.id)
    waiting = registrations.register(factories.user(), event.id)
    factories.login(client, organiser.email)

    response = client.post(
        f"/events/{event.id}/attendees/{waiting.id}/attendance", data={"attended": "yes"}
    )

    assert response.status_code == 422
    session.refresh(waiting)
    assert waiting.attended is None


def test_attendance_check_by_another_organiser_is_forbidden(client, session):
    event = factories.event()
    row = registrations.register(factories.user(), event.id)
    factories.login(client, factories.user(roles=["organiser"]).email)

    response = client.post(
        f"/events/{event.id}/attendees/{row.id}/attendance", data={"attended": "yes"}
    )

    assert response.status_code == 403
    session.refresh(row)
    assert row.attended is None


def test_remove_button_tells_the_person_and_promotes_the_next(client, session, mailbox):
    organiser = factories.user(roles=["organiser"], locale="en")
    event = factories.event(organiser=organiser, capacity=1)
    removed = factories.user()
    row = registrations.register(removed, event.id)
    waiting = factories.user()
    registrations.register(waiting, event.id)
    mailbox.clear()
    factories.login(client, organiser.email)

    response = client.post(f"/events/{event.id}/attendees/{row.id}/remove", follow_redirects=True)

    assert response.status_code == 200
    assert "The registration is cancelled and the person has been told." in response.text
    assert _statuses(event) == {removed.id: CANCELLED, waiting.id: CONFIRMED}
    assert len(_notifications(removed, "registration.cancelled_by_organiser")) == 1
    assert len(mailbox.to(removed.email)) == 1
    assert len(_notifications(waiting, "registration.promoted")) == 1
    assert len(mailbox.to(waiting.email)) == 1


def test_attendee_csv_lists_people_with_formulas_neutralised_and_no_addresses(client, session):
    organiser = factories.user(roles=["organiser"], locale="en")
    event = factories.event(organiser=organiser, capacity=2)
    alice = factories.user(name="Alice Martin")
    sly = factories.user(name='=HYPERLINK("http://evil.example","x")')
    waiting = factories.user(name="Chloé Durand")
    alice_row = registrations.register(alice, event.id)
    registrations.register(sly, event.id)
    registrations.register(waiting, event.id)
    registrations.set_attendance(organiser, alice_row.id, True)
    factories.login(client, organiser.email)

    response = client.get(f"/events/{event.id}/attendees.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="attendees-{event.id}.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Status", "Registered at", "Attended"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Alice Martin", "'" + sly.display_name, "Chloé Durand"}
    assert by_name["Alice Martin"][1:2] == ["confirmed"] and by_name["Alice Martin"][3] == "yes"
    assert by_name["Chloé Durand"][1] == "waitlist" and by_name["Chloé Durand"][3] == ""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", by_name["Alice Martin"][2])
    assert not any(cell.startswith("=") for row in rows for cell in row)
    for person in (alice, sly, waiting, organiser):
        assert person.email not in text
    assert "@" not in text


# --- JSON API ---------------------------------------------------------------------------------


def test_api_lists_upcoming_events_with_places_left(client, session):
    event = factories.event(capacity=3, title="Atelier vélo", lon=4.832, lat=45.7578)
    factories.event(title="Atelier passé", starts_in=-timedelta(days=2))
    registrations.register(factories.user(), event.id)

    response = client.get("/api/v1/events")

    assert response.status_code == 200
    assert [e["title"] for e in response.json] == ["Atelier vélo"]
    (body,) = response.json
    assert body["id"] == event.id
    assert (body["capacity"], body["seats_left"], body["is_open"]) == (3, 2, True)
    assert (body["lon"], body["lat"]) == pytest.approx((4.832, 45.7578))


def test_api_shows_one_event(client, session):
    event = factories.event(capacity=2, title="Balade", address="Parc")

    response = client.get(f"/api/v1/events/{event.id}")

    assert response.status_code == 200
    assert response.json["title"] == "Balade" and response.json["address"] == "Parc"
    assert response.json["lon"] is None and response.json["lat"] is None
    assert response.json["seats_left"] == 2


def test_api_unknown_event_is_not_found_with_the_error_shape(client, session):
    _assert_error(client.get("/api/v1/events/999999"), 404, "registration.list_not_found")


@pytest.mark.parametrize("method", ["put", "get", "delete"])
def test_api_registration_requires_login(client, session, method):
    event = factories.event()

    response = getattr(client, method)(f"/api/v1/events/{event.id}/registration")

    _assert_error(response, 401, "unauthorized")
    assert _statuses(event) == {}


def test_api_put_registration_confirms_while_seats_remain(client, session, mailbox):
    person = _english()
    event = factories.event(capacity=2)
    factories.login(client, person.email)

    response = client.put(f"/api/v1/events/{event.id}/registration")

    assert response.status_code == 201, response.text
    assert response.json["event_id"] == event.id
    assert response.json["status"] == "confirmed"
    assert response.json["waitlist_position"] is None
    assert _confirmed_count(event) == 1
    assert len(mailbox.to(person.email)) == 1


def test_api_put_registration_waitlists_with_a_position_when_full(client, session):
    event = factories.event(capacity=1)
    registrations.register(factories.user(), event.id)
    registrations.register(factories.user(), event.id)
    factories.login(client, _english().email)

    response = client.put(f"/api/v1/events/{event.id}/registration")

    assert response.status_code == 201, response.text
    assert response.json["status"] == "waitlisted"
    assert response.json["waitlist_position"] == 2


def test_api_put_registration_when_full_without_waitlist_is_a_conflict(client, session, mailbox):
    event = factories.event(capacity=1, waitlist_enabled=False)
    registrations.register(factories.user(), event.id)
    factories.login(client, _english().email)
    before = _snapshot(event, mailbox)

    error = _assert_error(
        client.put(f"/api/v1/events/{event.id}/registration"), 409, "registration.full"
    )

    assert error["message"] == "This event is full."
    assert _snapshot(event, mailbox) == before


def test_api_put_registration_twice_is_a_conflict(client, session, mailbox):
    event = factories.event()
    person = _english()
    registrations.register(person, event.id)
    factories.login(client, person.email)
    before = _snapshot(event, mailbox)

    _assert_error(
        client.put(f"/api/v1/events/{event.id}/registration"),
        409,
        "registration.already_registered",
    )
    assert _snapshot(event, mailbox) == before


@pytest.mark.parametrize("why", ["closed", "past"])
def test_api_put_registration_on_a_closed_or_past_event_answers_422(client, session, mailbox, why):
    if why == "past":
        event = factories.event(starts_in=-timedelta(days=1))
    else:
        event = factories.event()
        _close(event)
    factories.login(client, _english().email)
    before = _snapshot(event, mailbox)

    _assert_error(client.put(f"/api/v1/events/{event.id}/registration"), 422, "registration.closed")
    assert _snapshot(event, mailbox) == before


def test_api_put_registration_for_an_unknown_event_is_not_found(client, session):
    factories.login(client, _english().email)

    _assert_error(
        client.put("/api/v1/events/999999/registration"), 404, "registration.list_not_found"
    )


def test_api_get_registration_shows_the_waitlist_position(client, session):
    event = factories.event(capacity=1)
    registrations.register(factories.user(), event.id)
    person = _english()
    registrations.register(person, event.id)
    factories.login(client, person.email)

    response = client.get(f"/api/v1/events/{event.id}/registration")

    assert response.status_code == 200, response.text
    assert response.json["status"] == "waitlisted"
    assert response.json["waitlist_position"] == 1
    assert response.json["event_id"] == event.id


def test_api_get_registration_when_not_registered_is_not_found(client, session):
    event = factories.event()
    factories.login(client, _english().email)

    _assert_error(
        client.get(f"/api/v1/events/{event.id}/registration"), 404, "registration.not_found"
    )


def test_api_delete_registration_cancels_and_promotes_the_first_waiting(client, session):
    event = factories.event(capacity=1)
    person = _english()
    registrations.register(person, event.id)
    waiting = factories.user()
    registrations.register(waiting, event.id)
    factories.login(client, person.email)

    response = client.delete(f"/api/v1/events/{event.id}/registration")

    assert response.status_code == 200, response.text
    assert response.json["status"] == "cancelled"
    assert _statuses(event) == {person.id: CANCELLED, waiting.id: CONFIRMED}


def test_api_delete_registration_when_not_registered_is_not_found(client, session):
    event = factories.event()
    factories.login(client, _english().email)

    _assert_error(
        client.delete(f"/api/v1/events/{event.id}/registration"), 404, "registration.not_found"
    )
    assert _confirmed_count(event) == 0
