"""Registration lists edited after creation (update_list) and unlisted lists (a draft's
sessions): off the agenda, their page and the API, except for their managers."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.registrations import services as registrations


def test_update_list_changes_only_what_is_given_and_tells_confirmed_people_of_a_move(session):
    event = factories.event(capacity=2, title="Balade", address="Quai Est")
    person = factories.user()
    registrations.register(person, event.id)
    organiser = db.session.get(type(person), event.managers[0].user_id)
    registrations.update_list(organiser, event.id, title="Balade du soir")
    assert (event.title, event.address) == ("Balade du soir", "Quai Est")
    assert (
        db.session.scalar(select(Notification).where(Notification.kind == "registration.changed"))
        is None
    )
    registrations.update_list(
        organiser,
        event.id,
        starts_at=event.starts_at + timedelta(hours=1),
        ends_at=event.ends_at + timedelta(hours=1),
    )
    notice = db.session.scalar(
        select(Notification).where(Notification.kind == "registration.changed")
    )
    assert notice.user_id == person.id and notice.link == f"/events/{event.id}"


def test_update_list_refuses_bad_values_strangers_and_unknown_fields(session):
    event = factories.event(capacity=2)
    organiser = db.session.get(type(factories.user()), event.managers[0].user_id)
    with pytest.raises(ValidationError):
        registrations.update_list(organiser, event.id, ends_at=event.starts_at - timedelta(hours=1))
    with pytest.raises(ValidationError):
        registrations.update_list(organiser, event.id, capacity=0)
    with pytest.raises(PermissionDenied):
        registrations.update_list(factories.user(roles=["organiser"]), event.id, title="Autre")
    with pytest.raises(TypeError):
        registrations.update_list(organiser, event.id, confirmed_count=99)
    db.session.expire_all()
    assert event.capacity == 2 and event.ends_at > event.starts_at


def test_an_unlisted_list_is_hidden_from_visitors_but_not_from_its_managers(app, client, session):
    event = factories.event(title="Séance en préparation", listed=False, is_open=False)
    assert "Séance en préparation" not in client.get("/events/").text
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/api/v1/events/{event.id}").status_code == 404
    with pytest.raises(NotFound):
        registrations.register(factories.user(), event.id)
    manager = db.session.get(type(factories.user()), event.managers[0].user_id)
    factories.login(client, manager.email)
    assert client.get(f"/events/{event.id}").status_code == 200


def test_an_event_with_its_own_page_links_to_it(client, session):
    event = factories.event(page_url="/workshops/sessions/7")
    assert 'href="/workshops/sessions/7"' in client.get(f"/events/{event.id}").text
