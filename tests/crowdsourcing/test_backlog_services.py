"""The dataset backlog's services: routing, transitions, permissions, demand, notifications,
overdue items and the stewards' reminders."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crowdsourcing import queries
from crowdsourcing.models import (
    BACKLOG_STATUSES,
    BacklogEvidence,
    BacklogItem,
    BacklogTransition,
    Submission,
    SubmissionEvent,
)
from crowdsourcing.services import backlog
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing import dataset_request, published_request
from webapp.db import unit_of_work
from webapp.errors import Conflict, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications.models import Notification

ALLOWED = [(src, dst) for src, targets in backlog.TRANSITIONS.items() for dst in targets]
FORBIDDEN = [
    (src, dst)
    for src in BACKLOG_STATUSES
    for dst in BACKLOG_STATUSES
    if dst not in backlog.TRANSITIONS[src]
]
DETAILS = {
    "declined": {"decline_reason": "cannot_release"},
    "postponed": {"postponed_until": date(2030, 1, 1)},
}


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def parks(session):
    return factories.department()


@pytest.fixture
def steward(parks):
    return factories.user(roles=["data_steward"], department_slug=parks.slug)


def new_item(actor, department=None, **data):
    return backlog.create(actor, {"title": "Arbres d'alignement", "department": department, **data})


def at_status(item, status):
    """Put an item in `status` directly (the test of each step is below)."""
    with unit_of_work():
        item.status = status
    return item


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def notes_of(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


# --- routing ----------------------------------------------------------------------------------


def test_route_creates_an_item_linked_to_the_submission_and_logs_the_event(moderator):
    request, submission = published_request(moderator)
    item = backlog.route(moderator, submission.id, new={"title": request.title})
    assert item.status == "proposed"
    assert [e.submission_id for e in queries.evidence(item.id)] == [submission.id]
    actions = db.session.scalars(
        select(SubmissionEvent.action).where(SubmissionEvent.submission_id == submission.id)
    ).all()
    assert actions[-1] == "routed"


def test_route_attaches_to_an_existing_item(moderator):
    _r1, first = published_request(moderator)
    _r2, second = published_request(moderator)
    item = backlog.route(moderator, first.id, new={"title": "Arbres"})
    assert backlog.route(moderator, second.id, item_id=item.id).id == item.id
    assert {e.submission_id for e in queries.evidence(item.id)} == {first.id, second.id}


def test_route_refuses_the_same_submission_twice_on_one_item(moderator):
    _r, submission = published_request(moderator)
    item = backlog.route(moderator, submission.id, new={"title": "Arbres"})
    with pytest.raises(Conflict) as error:
        backlog.route(moderator, submission.id, item_id=item.id)
    assert error.value.code == "backlog.already_linked"
    assert count(BacklogEvidence) == 1


def test_route_approves_a_pending_submission_on_the_way(moderator):
    _r, submission = dataset_request()
    backlog.route(moderator, submission.id, new={"title": "Arbres"}, version=submission.version)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "approved"


def test_route_refuses_a_rejected_submission_and_creates_nothing(moderator):
    _r, submission = dataset_request()
    from crowdsourcing.services import moderation

    moderation.decide(moderator, submission.id, submission.version, "reject", note="non")
    with pytest.raises(Conflict):
        backlog.route(moderator, submission.id, new={"title": "Arbres"})
    assert count(BacklogItem) == 0


def test_route_refuses_a_resident(moderator):
    _r, submission = published_request(moderator)
    with pytest.raises(PermissionDenied):
        backlog.route(factories.user(), submission.id, new={"title": "Arbres"})


# --- transitions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), ALLOWED)
def test_every_allowed_transition_is_recorded_with_its_note(moderator, src, dst):
    item = at_status(new_item(moderator), src)
    backlog.transition(moderator, item.id, dst, "Étape suivante", **DETAILS.get(dst, {}))
    db.session.expire_all()
    assert db.session.get(BacklogItem, item.id).status == dst
    last = queries.backlog_history(item.id)[-1]
    assert (last.from_status, last.to_status, last.note) == (src, dst, "Étape suivante")


@pytest.mark.parametrize(("src", "dst"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_and_changes_nothing(moderator, src, dst):
    item = at_status(new_item(moderator), src)
    before = count(BacklogTransition)
    with pytest.raises(Conflict) as error:
        backlog.transition(moderator, item.id, dst, "Essai", **DETAILS.get(dst, {}))
    assert error.value.code == "backlog.transition_forbidden"
    db.session.expire_all()
    assert db.session.get(BacklogItem, item.id).status == src
    assert count(BacklogTransition) == before


def test_declining_needs_a_reason(moderator):
    item = new_item(moderator)
    with pytest.raises(ValidationError) as error:
        backlog.transition(moderator, item.id, "declined", "Non")
    assert "decline_reason" in error.value.fields
    with pytest.raises(ValidationError) as error:
        backlog.transition(moderator, item.id, "declined", "Non", decline_reason="other")
    assert "decline_text" in error.value.fields
    with pytest.raises(ValidationError) as error:
        backlog.transition(moderator, item.id, "declined", "Non", decline_reason="exists_elsewhere")
    assert "decline_link" in error.value.fields
    db.session.expire_all()
    assert db.session.get(BacklogItem, item.id).status == "proposed"
    backlog.transition(
        moderator,
        item.id,
        "declined",
        "Déjà là",
        decline_reason="exists_elsewhere",
        decline_link="https://data.example.org/arbres",
    )
    assert backlog.get(item.id).decline_link == "https://data.example.org/arbres"


def test_postponing_needs_a_date_and_a_note(moderator):
    item = new_item(moderator)
    with pytest.raises(ValidationError) as error:
        backlog.transition(moderator, item.id, "postponed", "Plus tard")
    assert "postponed_until" in error.value.fields
    with pytest.raises(ValidationError) as error:
        backlog.transition(moderator, item.id, "qualified", "  ")
    assert "note" in error.value.fields
    backlog.transition(
        moderator, item.id, "postponed", "Plus tard", postponed_until=date(2031, 6, 1)
    )
    assert backlog.get(item.id).postponed_until == date(2031, 6, 1)


def test_restricted_licence_needs_its_conditions(moderator):
    with pytest.raises(ValidationError) as error:
        new_item(moderator, licence="restricted")
    assert "licence_conditions" in error.value.fields
    item = new_item(moderator, licence="restricted", licence_conditions="Entreprises seulement")
    assert item.licence == "restricted"


# --- permissions ------------------------------------------------------------------------------


def test_a_resident_cannot_move_an_item(moderator, parks):
    item = new_item(moderator, parks.slug)
    with pytest.raises(PermissionDenied):
        backlog.transition(factories.user(), item.id, "qualified", "Oui")


def test_a_steward_of_another_department_cannot_move_an_item(moderator, parks):
    other = factories.department()
    outsider = factories.user(roles=["data_steward"], department_slug=other.slug)
    item = new_item(moderator, parks.slug)
    with pytest.raises(PermissionDenied):
        backlog.transition(outsider, item.id, "qualified", "Oui")
    assert backlog.get(item.id).status == "proposed"


def test_the_steward_of_the_department_and_an_admin_move_an_item(moderator, parks, steward):
    item = new_item(moderator, parks.slug)
    backlog.transition(steward, item.id, "qualified", "Oui")
    backlog.transition(factories.user(roles=["admin"]), item.id, "negotiating", "On négocie")
    assert backlog.get(item.id).status == "negotiating"


def test_the_steward_must_be_a_data_steward_of_the_items_department(moderator, parks, steward):
    other = factories.department()
    outsider = factories.user(roles=["data_steward"], department_slug=other.slug)
    plain = factories.user(department_slug=parks.slug)
    for person in (outsider, plain):
        with pytest.raises(ValidationError) as error:
            new_item(moderator, parks.slug, steward=str(person.id))
        assert "steward" in error.value.fields
    assert new_item(moderator, parks.slug, steward=str(steward.id)).steward_id == steward.id


# --- demand -----------------------------------------------------------------------------------


def test_demand_counts_distinct_people_across_requests_and_supporters(moderator):
    alice, bob, carol = factories.user(), factories.user(), factories.user()
    r1, s1 = published_request(moderator, requester=alice)
    r2, s2 = published_request(moderator, requester=bob)
    dataset_requests.support(bob, r1.id)  # bob asked for r2 and supports r1: once
    dataset_requests.support(carol, r1.id)
    dataset_requests.support(carol, r2.id)  # carol supports both: once
    # The requester "supporting" their own request (a row written directly) counts once.
    from crowdsourcing.models import DatasetRequestSupport

    db.session.add(DatasetRequestSupport(request_id=r1.id, user_id=alice.id))
    db.session.flush()
    item = backlog.route(moderator, s1.id, new={"title": "Arbres"})
    backlog.route(moderator, s2.id, item_id=item.id)
    empty = new_item(moderator)
    demand = queries.demand([item.id, empty.id])
    assert demand[item.id] == {"people": 3, "evidence": {"dataset_request": 2}, "proposals": 0}
    assert demand[empty.id] == {"people": 0, "evidence": {}, "proposals": 0}


def test_backlog_sorts_by_demand_and_shows_stewards_their_department_first(
    moderator, parks, steward
):
    popular_request, popular = published_request(moderator)
    dataset_requests.support(factories.user(), popular_request.id)
    _r, quiet = published_request(moderator)
    hot = backlog.route(moderator, popular.id, new={"title": "Populaire"})
    calm = backlog.route(moderator, quiet.id, new={"title": "Calme"})
    mine = new_item(moderator, parks.slug)
    by_demand = [item.id for item, _l, _d in queries.backlog({"sort": "demand"})]
    assert by_demand[:2] == [hot.id, calm.id]
    for_steward = [i.id for i, _l, _d in queries.backlog({"sort": "demand"}, viewer=steward)]
    assert for_steward[0] == mine.id


# --- notifications ----------------------------------------------------------------------------


def test_everyone_linked_is_notified_of_a_new_status_in_their_language(moderator, mailbox):
    french = factories.user(locale="fr")
    english = factories.user(locale="en")
    request, submission = published_request(moderator, requester=french)
    dataset_requests.support(english, request.id)
    item = backlog.route(moderator, submission.id, new={"title": "Arbres"})
    mailbox.clear()
    backlog.transition(moderator, item.id, "qualified", "Demande claire")
    (fr_note,) = notes_of(french)[-1:]
    (en_note,) = notes_of(english)
    assert fr_note.kind == en_note.kind == "backlog.status"
    assert "Qualifié" in mailbox.body(mailbox.to(french.email)[-1])
    assert "is now: Qualified" in mailbox.body(mailbox.to(english.email)[-1])
    assert not [n for n in notes_of(moderator) if n.kind == "backlog.status"]


# --- overdue and reminders --------------------------------------------------------------------


def test_overdue_is_computed_from_the_due_date_and_the_status(moderator, parks):
    late = new_item(moderator, due_date=date.today() - timedelta(days=1))
    on_time = new_item(moderator, due_date=date.today())
    done = at_status(new_item(moderator, due_date=date.today() - timedelta(days=9)), "published")
    flags = {item.id: late_flag for item, late_flag, _d in queries.backlog()}
    assert flags == {late.id: True, on_time.id: False, done.id: False}
    assert queries.is_overdue(late) and not queries.is_overdue(done)


def test_reminders_command_mails_each_steward_their_overdue_items_in_their_language(
    app, moderator, parks, mailbox
):
    french = factories.user(roles=["data_steward"], department_slug=parks.slug)
    english = factories.user(roles=["data_steward"], department_slug=parks.slug, locale="en")
    past = date.today() - timedelta(days=2)
    new_item(moderator, parks.slug, steward=str(french.id), due_date=past, title="Arbres en retard")
    new_item(moderator, parks.slug, steward=str(english.id), due_date=past, title="Late benches")
    new_item(moderator, parks.slug, steward=str(english.id), title="No due date")
    mailbox.clear()
    result = app.test_cli_runner().invoke(args=["backlog-reminders"])
    assert result.exit_code == 0 and "queued" in result.output
    assert len(mailbox.messages()) == 2
    (fr_mail,) = mailbox.to(french.email)
    (en_mail,) = mailbox.to(english.email)
    assert "Arbres en retard" in mailbox.body(fr_mail)
    assert "Late benches" not in mailbox.body(fr_mail)
    assert "Late benches" in mailbox.body(en_mail) and "No due date" not in mailbox.body(en_mail)
    assert "overdue" in en_mail["Subject"] and "overdue" not in fr_mail["Subject"]
