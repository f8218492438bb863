"""Workshops under real concurrency: many people registering for the last seats of a
session, and one person spending dots from many tabs at once. Real commits, real threads,
a dedicated database per backend (not the rolled-back `session` fixture)."""

import pytest
from sqlalchemy import func, select

from tests import backends, concurrency, factories
from tests.workshops import add_session, idea, workshop
from webapp.accounts.models import User
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.registrations.models import CONFIRMED, WAITLISTED, Registration, RegistrationList
from workshops.models import DotBudget, Vote
from workshops.services import participation, votes

# backend -> (people clicking at once, seats left, dots tried at once with a budget of 5)
SCENARIOS = {"postgis": (40, 4, 20), "sqlite": (12, 3, 10)}
BACKENDS = [pytest.param("postgis", marks=pytest.mark.pg_only), "sqlite"]


def _app(backend, tmp_root):
    extra = {}
    if backend == "postgis":
        # One connection per thread, so that all of them really wait on the row lock together.
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": 45}
    yield from concurrency.committing_app(backend, "wsconc", tmp_root, **extra)


@pytest.fixture(scope="module")
def pg_app(tmp_root):
    backends.require("postgis")
    yield from _app("postgis", tmp_root)


@pytest.fixture(scope="module")
def sqlite_app(tmp_root):
    backends.require("sqlite")
    yield from _app("sqlite", tmp_root)


def _app_for(request, backend):
    return request.getfixturevalue("pg_app" if backend == "postgis" else "sqlite_app")


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_people_registering_for_the_last_seats_get_exactly_the_capacity(request, backend):
    app = _app_for(request, backend)
    people, seats_left, _dots = SCENARIOS[backend]
    with app.app_context():
        row = workshop()
        part = add_session(row, capacity=seats_left + 2)
        # Two seats are already taken: the crowd fights for the last ones.
        for _ in range(2):
            participation.register(factories.user(), part.id)
        list_id, session_id = part.registration_list_id, part.id
        user_ids = [factories.user().id for _ in range(people)]

    def work(user_id):
        return participation.register(db.session.get(User, user_id), session_id).status

    results, errors = concurrency.all_at_once(app, work, user_ids)

    assert errors == []
    assert sorted(results.values()).count(CONFIRMED) == seats_left
    assert sorted(results.values()).count(WAITLISTED) == people - seats_left
    with app.app_context():
        confirmed = db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.list_id == list_id, Registration.status == CONFIRMED)
        )
        counter = db.session.scalar(
            select(RegistrationList.confirmed_count).where(RegistrationList.id == list_id)
        )
        assert confirmed == counter == seats_left + 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_person_voting_from_many_tabs_never_spends_more_than_the_budget(request, backend):
    app = _app_for(request, backend)
    _people, _seats, tries = SCENARIOS[backend]
    with app.app_context():
        row = workshop(dots_per_participant=5)
        ideas = [idea(row).id for _ in range(3)]
        voter_id = factories.user().id

    def work(n):
        return votes.cast(db.session.get(User, voter_id), ideas[n % len(ideas)])

    results, errors = concurrency.all_at_once(app, work, list(range(tries)))

    assert len(results) == 5
    assert len(errors) == tries - 5
    assert all(isinstance(exc, Conflict) for _n, exc in errors), errors
    assert {exc.code for _n, exc in errors} == {"vote.no_dots_left"}
    with app.app_context():
        budget = db.session.scalar(select(DotBudget).where(DotBudget.user_id == voter_id))
        placed = db.session.scalar(select(func.sum(Vote.dots)).where(Vote.user_id == voter_id))
        assert (budget.used, budget.budget, placed) == (5, 5, 5)
