"""Moderation under real concurrency: real commits, real threads, a dedicated database.

These tests do not use the rolled-back `session` fixture: each thread has its own app context,
hence its own session and connection, and every service commits for real.
"""

import threading
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from crowdsourcing.models import APPROVED, PENDING, Flag, Submission, SubmissionEvent
from crowdsourcing.services import moderation
from tests import backends, concurrency, factories
from tests.crowdsourcing.test_moderation_services import (
    DECISIONS,
    dataset_request,
    moderator,
    published,
    set_flag_threshold,
)
from webapp.accounts.models import User
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.notifications.models import Notification

BACKENDS = [pytest.param("postgis", marks=pytest.mark.pg_only), "sqlite"]
ROUNDS = 10


def _committing_app(backend, tmp_root):
    yield from concurrency.committing_app(backend, "modconc", tmp_root)


@pytest.fixture(scope="module")
def pg_app(tmp_root):
    backends.require("postgis")
    yield from _committing_app("postgis", tmp_root)


@pytest.fixture(scope="module")
def sqlite_app(tmp_root):
    backends.require("sqlite")
    yield from _committing_app("sqlite", tmp_root)


def _app(request, backend):
    return request.getfixturevalue("pg_app" if backend == "postgis" else "sqlite_app")


def _all_at_once(app, work, items):
    return concurrency.all_at_once(app, work, items, timeout=120)


def _decide(submission_id, version):
    def work(item):
        actor_id, action = item
        actor = db.session.get(User, actor_id)
        return moderation.decide(actor, submission_id, version, action, note="Vu").status

    return work


def _decision_state(submission_id):
    """(submission, decision events, notifications of its submitter), read afresh."""
    db.session.expire_all()
    submission = db.session.get(Submission, submission_id)
    decisions = db.session.scalars(
        select(SubmissionEvent).where(
            SubmissionEvent.submission_id == submission_id,
            SubmissionEvent.action.in_(DECISIONS),
        )
    ).all()
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == submission.submitter_id)
    ).all()
    return submission, decisions, notes


def _assert_one_decision(submission_id, version, deciders, results, errors):
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    [(winner, status)] = results.items()
    [(loser, exc)] = errors
    assert isinstance(exc, Conflict), repr(exc)
    assert exc.code in ("submission.changed", "submission.already_decided"), exc.code
    assert {winner, loser} == set(deciders)
    submission, decisions, notes = _decision_state(submission_id)
    assert submission.status == status
    assert submission.decided_by_id == winner[0] and submission.decided_at is not None
    assert submission.version == version + 1
    [decision] = decisions
    assert (decision.action, decision.actor_id) == (winner[1], winner[0])
    assert (decision.from_status, decision.to_status) == (PENDING, status)
    assert [n.kind for n in notes] == [f"submission.{winner[1]}"]
    return exc.code


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_moderators_deciding_at_once_make_exactly_one_decision(request, backend):
    app = _app(request, backend)
    with app.app_context():
        approver, rejecter = moderator().id, moderator().id
        submissions = [dataset_request()[1] for _ in range(ROUNDS)]
        pending = [(s.id, s.version) for s in submissions]
    deciders = [(approver, "approve"), (rejecter, "reject")]

    codes = Counter()
    for submission_id, version in pending:
        results, errors = _all_at_once(app, _decide(submission_id, version), deciders)
        with app.app_context():
            codes[_assert_one_decision(submission_id, version, deciders, results, errors)] += 1

    assert sum(codes.values()) == ROUNDS


@contextmanager
def _both_read_before_either_updates(engine):
    """Hold each thread's first UPDATE of a submission until two threads have reached theirs."""
    both_read = threading.Barrier(2)
    waited = threading.local()

    def hold(_conn, _cursor, statement, _parameters, _context, _many):
        if statement.startswith("UPDATE crowdsourcing_submission ") and not getattr(
            waited, "done", False
        ):
            waited.done = True
            both_read.wait(timeout=30)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


@pytest.mark.pg_only
def test_two_moderators_who_both_read_the_item_before_either_writes_make_one_decision(pg_app):
    """Force the worst interleaving: both threads have read version N when the first UPDATE
    runs; the version column must turn the second UPDATE into a Conflict."""
    with pg_app.app_context():
        engine = db.engine
        approver, rejecter = moderator().id, moderator().id
        submissions = [dataset_request()[1] for _ in range(3)]
        pending = [(s.id, s.version) for s in submissions]
    deciders = [(approver, "approve"), (rejecter, "reject")]

    for submission_id, version in pending:
        with _both_read_before_either_updates(engine):
            results, errors = _all_at_once(pg_app, _decide(submission_id, version), deciders)
        with pg_app.app_context():
            code = _assert_one_decision(submission_id, version, deciders, results, errors)
        assert code == "submission.changed"


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_members_flagging_at_once_count_three_flags_and_hide_the_item_once(request, backend):
    app = _app(request, backend)
    with app.app_context():
        set_flag_threshold(2)
        submission_id = published()[1].id
        members = [factories.user().id for _ in range(3)]

    def flag(user_id):
        return moderation.flag(db.session.get(User, user_id), submission_id, "spam").flag_count

    results, errors = _all_at_once(app, flag, members)

    assert errors == []
    assert len(results) == 3
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        assert (submission.status, submission.flag_count, submission.hidden) == (APPROVED, 3, True)
        actions = db.session.scalars(
            select(SubmissionEvent.action).where(SubmissionEvent.submission_id == submission_id)
        ).all()
        assert Counter(actions) == {"submitted": 1, "approve": 1, "hidden": 1}
        flags = db.session.scalar(
            select(func.count()).select_from(Flag).where(Flag.submission_id == submission_id)
        )
        assert flags == 3
