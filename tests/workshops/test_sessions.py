"""Sessions: their registration list, changes participants are told about, minutes and
materials (files checked from their bytes)."""

import io
import os
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.workshops import add_session, creator, session_data, workshop
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.registrations import services as registrations
from webapp.registrations.models import RegistrationList
from workshops import files
from workshops.models import Material, WorkshopSession
from workshops.services import participation, sessions
from workshops.services import workshops as workshop_services


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "  "}, "title"),
        ({"address": None, "online_url": None}, "address"),
        ({"online_url": "ftp://visio.example.org"}, "online_url"),
        ({"agenda": "x" * 8001}, "agenda"),
        ({"capacity": 0}, "capacity"),
        ({"lon": 200.0}, "location"),
    ],
)
def test_create_refuses_bad_sessions_and_creates_nothing(session, changes, field):
    row = workshop()
    lists = _count(RegistrationList)
    with pytest.raises(ValidationError) as error:
        sessions.create(creator(row), row.id, session_data(**changes))
    assert field in error.value.fields
    assert _count(WorkshopSession) == 0 and _count(RegistrationList) == lists


def test_create_refuses_an_end_before_the_start(session):
    row = workshop()
    data = session_data()
    data["ends_at"] = data["starts_at"] - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        sessions.create(creator(row), row.id, data)
    assert "ends_at" in error.value.fields
    assert _count(WorkshopSession) == 0


def test_an_online_session_needs_no_address(session):
    row = workshop()
    part = add_session(
        row, address=None, lon=None, lat=None, online_url="https://visio.example.org/a"
    )
    assert part.registration_list.online_url == "https://visio.example.org/a"
    assert part.registration_list.location is None


def test_only_managers_add_or_edit_sessions(session):
    row = workshop()
    facilitator = factories.user()
    workshop_services.update(
        creator(row),
        row.id,
        {"title": row.title, "question": row.question, "facilitators": [facilitator.email]},
    )
    part = add_session(row)
    for outsider in (factories.user(), factories.user(roles=["organiser"]), facilitator):
        with pytest.raises(PermissionDenied):
            sessions.create(outsider, row.id, session_data())
        with pytest.raises(PermissionDenied):
            sessions.update(outsider, part.id, session_data())
    assert _count(WorkshopSession) == 1


def test_moving_a_session_tells_the_confirmed_participants(session):
    row = workshop()
    part = add_session(row, capacity=1)
    confirmed, waiting = factories.user(), factories.user()
    participation.register(confirmed, part.id)
    participation.register(waiting, part.id)
    later = session_data(starts_in=timedelta(days=9), title=part.title, capacity=1)
    sessions.update(creator(row), part.id, later)
    kinds = lambda user: db.session.scalars(  # noqa: E731
        select(Notification.kind).where(Notification.user_id == user.id)
    ).all()
    assert "registration.changed" in kinds(confirmed)
    assert "registration.changed" not in kinds(waiting)
    notice = db.session.scalar(
        select(Notification).where(Notification.kind == "registration.changed")
    )
    assert notice.link == f"/workshops/sessions/{part.id}"


def test_more_places_promote_people_waiting_fewer_than_confirmed_are_refused(session):
    row = workshop()
    part = add_session(row, capacity=1)
    first, second = factories.user(), factories.user()
    participation.register(first, part.id)
    assert participation.register(second, part.id).status == "waitlisted"
    sessions.update(creator(row), part.id, session_data(title=part.title, capacity=2))
    event = db.session.get(RegistrationList, part.registration_list_id)
    assert event.confirmed_count == 2
    with pytest.raises(ValidationError) as error:
        sessions.update(creator(row), part.id, session_data(title="Autre titre", capacity=1))
    assert "capacity" in error.value.fields
    db.session.expire_all()
    assert db.session.get(WorkshopSession, part.id).title == part.title
    assert db.session.get(RegistrationList, event.id).capacity == 2


def test_facilitators_write_minutes_others_cannot(session):
    row = workshop()
    part = add_session(row)
    sessions.set_minutes(creator(row), part.id, "  Douze participants.  ")
    assert part.minutes == "Douze participants."
    with pytest.raises(PermissionDenied):
        sessions.set_minutes(factories.user(), part.id, "Piraté")
    with pytest.raises(ValidationError):
        sessions.set_minutes(creator(row), part.id, "x" * 20001)
    assert part.minutes == "Douze participants."


def _odt():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"%PDF-1.7\n1 0 obj\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
        (None, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_material_files_are_typed_from_their_bytes(session, data, content_type):
    row = workshop()
    part = add_session(row)
    material = sessions.add_file(creator(row), part.id, "Support", data or _odt())
    assert material.content_type == content_type
    assert os.path.exists(files.path_of("materials", material.file_name))


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00 an executable named slides.pdf",
        b"PK\x03\x04 not really a zip",
        b"%PDF-" + b"0" * (10 * 1024 * 1024),
        b"",
    ],
)
def test_material_files_of_other_kinds_or_too_large_are_refused(session, data):
    row = workshop()
    part = add_session(row)
    with pytest.raises(ValidationError) as error:
        sessions.add_file(creator(row), part.id, "Support", data)
    assert "file" in error.value.fields
    assert _count(Material) == 0


def test_material_links_must_be_web_addresses_and_only_facilitators_add_them(session):
    row = workshop()
    part = add_session(row)
    with pytest.raises(ValidationError) as error:
        sessions.add_link(creator(row), part.id, "Support", "javascript:alert(1)")
    assert "url" in error.value.fields
    with pytest.raises(PermissionDenied):
        sessions.add_link(factories.user(), part.id, "Support", "https://example.org/a.pdf")
    with pytest.raises(PermissionDenied):
        sessions.add_file(factories.user(), part.id, "Support", b"%PDF-1.4")
    assert _count(Material) == 0
    link = sessions.add_link(creator(row), part.id, "Support", "https://example.org/a.pdf")
    assert link.url == "https://example.org/a.pdf" and link.file_name is None


def test_removing_a_material_deletes_its_file(session):
    row = workshop()
    part = add_session(row)
    material = sessions.add_file(creator(row), part.id, "Plan", b"%PDF-1.4 plan")
    path = files.path_of("materials", material.file_name)
    with pytest.raises(PermissionDenied):
        sessions.remove_material(factories.user(), material.id)
    sessions.remove_material(creator(row), material.id)
    assert not os.path.exists(path) and _count(Material) == 0


def test_the_kernel_refuses_registering_to_an_unlisted_list_directly(session):
    row = workshop(status="draft")
    part = add_session(row)
    with pytest.raises(NotFound):
        registrations.register(factories.user(), part.registration_list_id)
