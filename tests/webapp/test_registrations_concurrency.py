"""Registrations under real concurrency: real commits, real threads, a dedicated database.

These tests do not use the rolled-back `session` fixture: each thread has its own app context,
hence its own session and connection, and every service commits for real.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests import backends, concurrency, factories
from tests.mail import Mailbox
from webapp.accounts.models import User
from webapp.errors import Conflict
from webapp.extensions import db
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

# backend -> (people clicking at once, capacity, confirmed people cancelling at once)
SCENARIOS = {"postgis": (40, 5, 3), "sqlite": (10, 3, 2)}
BACKENDS = [pytest.param("postgis", marks=pytest.mark.pg_only), "sqlite"]


def _committing_app(backend, tmp_root):
    extra = {}
    if backend == "postgis":
        # One connection per thread, so all of them really wait on the row lock together.
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": 45}
    yield from concurrency.committing_app(backend, "conc", tmp_root, **extra)


@pytest.fixture(scope="module")
def pg_app(tmp_root):
    backends.require("postgis")
    yield from _committing_app("postgis", tmp_root)


@pytest.fixture(scope="module")
def sqlite_app(tmp_root):
    backends.require("sqlite")
    yield from _committing_app("sqlite", tmp_root)


def _all_at_once(app, work, items):
    return concurrency.all_at_once(app, work, items)


def _register(list_id):
    def work(user_id):
        registration = registrations.register(db.session.get(User, user_id), list_id)
        return registration.status

    return work


def _cancel(list_id):
    def work(user_id):
        return registrations.cancel(db.session.get(User, user_id), list_id).status

    return work


def _state(list_id):
    """(confirmed_count, {user_id: status}, waitlisted user ids in FIFO order) from the database."""
    db.session.expire_all()
    count = db.session.scalar(
        select(RegistrationList.confirmed_count).where(RegistrationList.id == list_id)
    )
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.list_id == list_id)
        .order_by(Registration.waitlisted_at, Registration.id)
    ).all()
    statuses = {r.user_id: r.status for r in rows}
    waiting = [r.user_id for r in rows if r.status == WAITLISTED]
    return count, statuses, waiting


def _with_status(statuses, status):
    return {user_id for user_id, s in statuses.items() if s == status}


def _kinds(user_id):
    return db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user_id).order_by(Notification.id)
    ).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_simultaneous_registrations_never_overbook_and_cancellations_promote_in_fifo_order(
    request, backend
):
    app = request.getfixturevalue("pg_app" if backend == "postgis" else "sqlite_app")
    people, capacity, leaving = SCENARIOS[backend]
    mailbox = Mailbox(app.config["MAIL_FILE_DIR"])
    with app.app_context():
        event_id = factories.event(capacity=capacity).id
        user_ids = [factories.user().id for _ in range(people)]
        emails = {uid: db.session.get(User, uid).email for uid in user_ids}

    results, errors = _all_at_once(app, _register(event_id), user_ids)

    assert errors == []
    assert sorted(results) == sorted(user_ids)
    with app.app_context():
        count, statuses, waiting = _state(event_id)
        confirmed = _with_status(statuses, CONFIRMED)
        assert count == capacity
        assert len(confirmed) == capacity
        assert len(waiting) == people - capacity
        assert results == statuses
        positions = [
            queries.waitlist_position(queries.registration_of(db.session.get(User, uid), event_id))
            for uid in waiting
        ]
        assert positions == list(range(1, people - capacity + 1))
        for uid in user_ids:
            # One invitation and one in-app confirmation per seat, nothing for those waiting.
            expected = 1 if uid in confirmed else 0
            assert len(mailbox.to(emails[uid])) == expected
            assert _kinds(uid) == ["registration.confirmed"] * expected

    cancelling = sorted(confirmed)[:leaving]
    expected_promoted = waiting[:leaving]
    results, errors = _all_at_once(app, _cancel(event_id), cancelling)

    assert errors == []
    assert set(results.values()) == {CANCELLED}
    with app.app_context():
        count, statuses, still_waiting = _state(event_id)
        assert count == capacity
        assert _with_status(statuses, CONFIRMED) == (confirmed - set(cancelling)) | set(
            expected_promoted
        )
        assert _with_status(statuses, CANCELLED) == set(cancelling)
        assert still_waiting == waiting[leaving:]
        for uid in expected_promoted:
            assert _kinds(uid) == ["registration.promoted"]
            assert len(mailbox.to(emails[uid])) == 1
        for uid in still_waiting:
            assert _kinds(uid) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_person_clicking_many_times_at_once_gets_one_seat(request, backend):
    app = request.getfixturevalue("pg_app" if backend == "postgis" else "sqlite_app")
    clicks = 8
    with app.app_context():
        event_id = factories.event(capacity=3).id
        user_id = factories.user().id

    results, errors = _all_at_once(
        app, lambda _click: _register(event_id)(user_id), list(range(clicks))
    )

    assert list(results.values()) == [CONFIRMED]
    assert len(errors) == clicks - 1
    assert all(isinstance(exc, Conflict) for _click, exc in errors), errors
    with app.app_context():
        count, statuses, _waiting = _state(event_id)
        assert (count, statuses) == (1, {user_id: CONFIRMED})


# --- interleavings that the row lock must absorb (PostgreSQL: readers do not block there) -----


@contextmanager
def _just_before_the_first_lock(app, action):
    """Run `action` in another session and commit it right before the next SELECT … FOR UPDATE.

    That is the moment another request can slip in between what a service read without a
    lock and the lock it then takes.
    """
    engine = db.engine
    fired = []

    def hook(_conn, _cursor, statement, _parameters, _context, _executemany):
        if fired or "FOR UPDATE" not in statement:
            return
        fired.append(statement)
        with app.app_context():
            action()

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def _register_now(app, user_id, list_id):
    with app.app_context():
        return registrations.register(db.session.get(User, user_id), list_id).status


@pytest.mark.pg_only
def test_remove_attendee_counts_seats_taken_while_it_waited_for_the_lock(pg_app):
    with pg_app.app_context():
        organiser = factories.user(roles=["organiser"])
        event_id = factories.event(organiser=organiser, capacity=3).id
        removed, staying, newcomer, first, second = (factories.user().id for _ in range(5))
        organiser_id = organiser.id
    for uid in (removed, staying):
        _register_now(pg_app, uid, event_id)

    def others_register():
        assert _register_now(pg_app, newcomer, event_id) == CONFIRMED
        assert _register_now(pg_app, first, event_id) == WAITLISTED
        assert _register_now(pg_app, second, event_id) == WAITLISTED

    with pg_app.app_context():
        registration_id = db.session.scalar(
            select(Registration.id).where(
                Registration.list_id == event_id, Registration.user_id == removed
            )
        )
        with _just_before_the_first_lock(pg_app, others_register) as fired:
            registrations.remove_attendee(db.session.get(User, organiser_id), registration_id)
        assert fired

        count, statuses, waiting = _state(event_id)
    assert _with_status(statuses, CONFIRMED) == {staying, newcomer, first}
    assert count == 3
    assert waiting == [second]


@pytest.mark.pg_only
def test_remove_attendee_refuses_a_registration_cancelled_while_it_waited_for_the_lock(pg_app):
    with pg_app.app_context():
        organiser = factories.user(roles=["organiser"])
        event_id = factories.event(organiser=organiser, capacity=2).id
        leaving, staying, first, second = (factories.user().id for _ in range(4))
        organiser_id = organiser.id
    for uid in (leaving, staying, first, second):
        _register_now(pg_app, uid, event_id)

    def person_cancels():
        with pg_app.app_context():
            registrations.cancel(db.session.get(User, leaving), event_id)

    with pg_app.app_context():
        registration_id = db.session.scalar(
            select(Registration.id).where(
                Registration.list_id == event_id, Registration.user_id == leaving
            )
        )
        with (
            _just_before_the_first_lock(pg_app, person_cancels) as fired,
            pytest.raises(Conflict),
        ):
            registrations.remove_attendee(db.session.get(User, organiser_id), registration_id)
        assert fired

        count, statuses, waiting = _state(event_id)
        assert _with_status(statuses, CONFIRMED) == {staying, first}
        assert count == 2
        assert waiting == [second]
        assert "registration.cancelled_by_organiser" not in _kinds(leaving)
