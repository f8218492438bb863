"""Features and task cells under real concurrency: real commits, real threads, a dedicated
database. Two editors of one revision, or two members clicking one cell: exactly one wins.

These tests do not use the rolled-back `session` fixture: each thread has its own app context,
hence its own session and connection, and every service commits for real.
"""

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from mapping.models import TASK_CLAIMED, Feature, FeatureRevision, Task, TaskEvent
from mapping.services import features, parties, tasks
from tests import backends, concurrency, factories
from tests.mapping.helpers import moderator, organiser
from webapp.accounts.models import User
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.registrations import services as registrations

BACKENDS = [pytest.param("postgis", marks=pytest.mark.pg_only), "sqlite"]
ROUNDS = 4
OAK = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
EDITS = {
    "author": {"scientific_name": "Quercus pubescens", "observed_on": "2026-05-01"},
    "moderator": {"scientific_name": "Quercus suber", "observed_on": "2026-05-01"},
}


@pytest.fixture(scope="module")
def pg_app(tmp_root):
    backends.require("postgis")
    yield from concurrency.committing_app("postgis", "mapconc", tmp_root)


@pytest.fixture(scope="module")
def sqlite_app(tmp_root):
    backends.require("sqlite")
    yield from concurrency.committing_app("sqlite", "mapconc", tmp_root)


def _app(request, backend):
    return request.getfixturevalue("pg_app" if backend == "postgis" else "sqlite_app")


def _one_winner(results, errors, code):
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    [(winner, value)] = results.items()
    [(_loser, exc)] = errors
    assert isinstance(exc, Conflict), repr(exc)
    assert exc.code == code
    return winner, value


# --- features ------------------------------------------------------------------------------------


def _edit(feature_id, people):
    def work(role):
        actor = db.session.get(User, people[role])
        return features.update(actor, feature_id, 1, properties=EDITS[role]).revision

    return work


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_people_editing_one_revision_at_once_make_exactly_one_revision(request, backend):
    app = _app(request, backend)
    with app.app_context():
        inventory = factories.inventory(organiser())
        author = factories.user()
        people = {"author": author.id, "moderator": moderator().id}
        feature_ids = [
            factories.feature(
                inventory, author, geometry=factories.point(3.86 + i * 0.005, 43.6), properties=OAK
            ).id
            for i in range(ROUNDS)
        ]

    for feature_id in feature_ids:
        results, errors = concurrency.all_at_once(app, _edit(feature_id, people), list(people))
        winner, revision = _one_winner(results, errors, "feature.stale")
        assert revision == 2
        with app.app_context():
            feature = db.session.get(Feature, feature_id)
            assert (feature.revision, feature.properties) == (2, EDITS[winner])
            numbers = db.session.scalars(
                select(FeatureRevision.number).where(FeatureRevision.feature_id == feature_id)
            ).all()
            assert sorted(numbers) == [1, 2]


# --- task cells ----------------------------------------------------------------------------------


def _party_with_members(app, count):
    """A party split into cells and `count` confirmed members: (cell ids, member ids)."""
    with app.app_context():
        staff = organiser()
        party = factories.party(staff, capacity=count + 1)
        parties.split_grid(staff, party.id, 1000)
        members = []
        for _ in range(count):
            person = factories.user()
            registrations.register(person, party.registration_list_id)
            members.append(person.id)
        return [t.id for t in tasks.of_party(party)], members


def _claim(task_id):
    def work(user_id):
        return tasks.claim(db.session.get(User, user_id), task_id).claimed_by_id

    return work


def _assert_claimed_once(app, task_id, results, errors):
    winner, holder = _one_winner(results, errors, "task.taken")
    assert holder == winner
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert (task.status, task.claimed_by_id) == (TASK_CLAIMED, winner)
        events = db.session.scalar(
            select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == task_id)
        )
        assert events == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_members_claiming_one_cell_at_once_leave_exactly_one_holder(request, backend):
    app = _app(request, backend)
    cells, members = _party_with_members(app, 2 * ROUNDS)
    for round_, task_id in enumerate(cells[:ROUNDS]):
        pair = members[2 * round_ : 2 * round_ + 2]
        results, errors = concurrency.all_at_once(app, _claim(task_id), pair)
        _assert_claimed_once(app, task_id, results, errors)


@contextmanager
def _both_checked_before_either_updates(engine):
    """Hold each thread's UPDATE of a task until both threads have reached theirs."""
    both_checked = threading.Barrier(2)
    waited = threading.local()

    def hold(_conn, _cursor, statement, _parameters, _context, _many):
        if statement.startswith("UPDATE mapping_task ") and not getattr(waited, "done", False):
            waited.done = True
            both_checked.wait(timeout=30)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


@pytest.mark.pg_only
def test_two_claims_that_both_saw_the_cell_open_still_leave_one_holder(pg_app):
    """Force the worst interleaving: both threads have checked the cell when the first
    UPDATE runs; its condition must make the second one change nothing."""
    cells, members = _party_with_members(pg_app, 2 * ROUNDS)
    with pg_app.app_context():
        engine = db.engine
    for round_, task_id in enumerate(cells[:ROUNDS]):
        pair = members[2 * round_ : 2 * round_ + 2]
        with _both_checked_before_either_updates(engine):
            results, errors = concurrency.all_at_once(pg_app, _claim(task_id), pair)
        _assert_claimed_once(pg_app, task_id, results, errors)
