"""Registering for sessions: seats, waitlist, promotion and invitations through the shared
registration lists; the registration questions, seen by organisers only and purged."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests import factories
from tests.workshops import add_session, creator, workshop
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications.models import Notification
from workshops.models import RegistrationAnswers, Workshop
from workshops.services import participation
from workshops.services import workshops as workshop_services


def _calendar(message):
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def test_full_session_waitlists_and_a_cancellation_promotes_the_first_waiting(session, mailbox):
    row = workshop()
    part = add_session(row, capacity=1)
    seated, waiting = factories.user(), factories.user(locale="en")

    assert participation.register(seated, part.id).status == "confirmed"
    assert participation.register(waiting, part.id).status == "waitlisted"
    assert mailbox.to(waiting.email) == []

    participation.cancel(seated, part.id)

    promoted = db.session.scalar(
        select(Notification).where(
            Notification.user_id == waiting.id, Notification.kind == "registration.promoted"
        )
    )
    assert promoted is not None and promoted.link == f"/workshops/sessions/{part.id}"
    invitations = [m for m in mailbox.to(waiting.email) if "registered" in m["Subject"]]
    assert len(invitations) == 1 and invitations[0]["Subject"].startswith("A place freed up")
    event = _calendar(invitations[0]).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == part.registration_list.title
    assert event.decoded("DTSTART") == part.starts_at.replace(microsecond=0)
    assert str(event["URL"]) == f"http://localhost/workshops/sessions/{part.id}"
    assert f"http://localhost/workshops/sessions/{part.id}" in mailbox.body(invitations[0])


def test_a_registration_mails_an_invitation_a_calendar_library_reads(session, mailbox):
    row = workshop()
    part = add_session(row)
    person = factories.user()
    participation.register(person, part.id)
    (message,) = mailbox.to(person.email)
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTEND") == part.ends_at.replace(microsecond=0)
    assert "Maison de la démocratie" in str(event["LOCATION"])
    assert event["GEO"].latitude == pytest.approx(43.6047)
    assert event["GEO"].longitude == pytest.approx(3.8793)


@pytest.mark.parametrize("status", ["draft", "closed", "archived"])
def test_registration_is_refused_unless_the_workshop_is_open(session, status):
    row = workshop(status=status)
    part = add_session(row)
    error = NotFound if status == "draft" else ValidationError
    with pytest.raises(error):
        participation.register(factories.user(), part.id)


def test_registration_is_refused_for_a_past_session_and_for_anonymous_visitors(session):
    row = workshop()
    past = add_session(row, starts_in=-timedelta(days=3))
    with pytest.raises(ValidationError):
        participation.register(factories.user(), past.id)
    with pytest.raises(PermissionDenied):
        participation.register(None, add_session(row).id)


def _answers_workshop():
    row = workshop(questions=["diet", "accessibility"])
    return row, add_session(row)


def test_a_registered_member_saves_answers_and_empties_them(session):
    row, part = _answers_workshop()
    person = factories.user()
    participation.register(person, part.id)
    saved = participation.save_answers(
        person, row.id, {"diet": " Végétarien ", "accessibility": ""}
    )
    assert saved.answers == {"diet": "Végétarien"}
    participation.save_answers(person, row.id, {"diet": "", "accessibility": ""})
    assert db.session.scalar(select(func.count()).select_from(RegistrationAnswers)) == 0


@pytest.mark.parametrize(
    "answers, field",
    [({"diet": "x" * 501}, "diet"), ({"religion": "?"}, "religion")],
)
def test_bad_answers_are_refused_and_nothing_is_saved(session, answers, field):
    row, part = _answers_workshop()
    person = factories.user()
    participation.register(person, part.id)
    with pytest.raises(ValidationError) as error:
        participation.save_answers(person, row.id, answers)
    assert field in error.value.fields
    assert db.session.scalar(select(func.count()).select_from(RegistrationAnswers)) == 0


def test_answers_need_a_registration_and_a_workshop_that_asks(session):
    row, _part = _answers_workshop()
    with pytest.raises(PermissionDenied) as error:
        participation.save_answers(factories.user(), row.id, {"diet": "Sans gluten"})
    assert error.value.code == "registration_answers.not_registered"
    silent = workshop()
    with pytest.raises(NotFound):
        participation.save_answers(factories.user(), silent.id, {"diet": "Sans gluten"})


def test_answers_are_for_organisers_and_facilitators_only(session):
    row, part = _answers_workshop()
    facilitator = factories.user()
    workshop_services.update(
        creator(row),
        row.id,
        {
            "title": row.title,
            "question": row.question,
            "questions": row.questions,
            "facilitators": [facilitator.email],
        },
    )
    person, other = factories.user(), factories.user()
    participation.register(person, part.id)
    participation.register(other, part.id)
    participation.save_answers(person, row.id, {"diet": "Halal"})
    for reader in (creator(row), facilitator, factories.user(roles=["admin"])):
        rows = participation.answers_for_facilitators(reader, row.id)
        assert [r.answers for r in rows] == [{"diet": "Halal"}]
    for outsider in (other, person, factories.user(roles=["organiser"]), None):
        with pytest.raises(PermissionDenied):
            participation.answers_for_facilitators(outsider, row.id)


def test_purge_deletes_answers_once_the_workshop_is_over_counts_them_and_is_idempotent(session):
    over, current = workshop(questions=["diet"]), workshop(questions=["diet"])
    ended = add_session(over, starts_in=timedelta(days=2))
    running = add_session(current)
    for row, part in ((over, ended), (current, running)):
        for _ in range(2):
            person = factories.user()
            participation.register(person, part.id)
            participation.save_answers(person, row.id, {"diet": "Vegan"})

    later = ended.ends_at + timedelta(hours=1)
    assert participation.purge_answers(now=later) == {over.slug: 2}

    db.session.expire_all()
    done = db.session.get(Workshop, over.id)
    assert done.answers_purged_count == 2 and done.answers_purged_at == later
    remaining = db.session.scalars(select(RegistrationAnswers.workshop_id)).all()
    assert remaining == [current.id, current.id]
    assert participation.purge_answers(now=later + timedelta(days=1)) == {}
    assert db.session.get(Workshop, over.id).answers_purged_count == 2


def test_purge_also_covers_archived_workshops(session):
    row = workshop(questions=["diet"])
    part = add_session(row)
    person = factories.user()
    participation.register(person, part.id)
    participation.save_answers(person, row.id, {"diet": "Vegan"})
    for step in ("closed", "archived"):
        workshop_services.set_status(creator(row), row.id, step)
    assert participation.purge_answers() == {row.slug: 1}


def test_purge_command_prints_what_it_deleted(app, session):
    row = workshop(questions=["diet"])
    part = add_session(row)
    person = factories.user()
    participation.register(person, part.id)
    participation.save_answers(person, row.id, {"diet": "Vegan"})
    for step in ("closed", "archived"):
        workshop_services.set_status(creator(row), row.id, step)
    result = app.test_cli_runner().invoke(args=["workshops-purge-answers"])
    assert result.exit_code == 0, result.output
    assert f"{row.slug}: 1 answers deleted" in result.output
    assert "Total: 1 answers deleted." in result.output
    again = app.test_cli_runner().invoke(args=["workshops-purge-answers"])
    assert "Total: 0 answers deleted." in again.output
