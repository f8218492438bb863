"""Dot votes: several dots on one idea within a fixed budget per participant and workshop,
taken back one by one; the budget is kept by the database."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.workshops import creator, idea, workshop, workshop_data
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from workshops import queries
from workshops.models import DotBudget, Vote
from workshops.services import votes
from workshops.services import workshops as workshop_services


def _budget(user):
    return db.session.scalar(select(DotBudget).where(DotBudget.user_id == user.id))


def test_a_participant_puts_several_dots_on_ideas_up_to_the_budget(session):
    row = workshop(dots_per_participant=3)
    first, second = idea(row), idea(row)
    voter = factories.user()
    assert votes.cast(voter, first.id) == (1, 2)
    assert votes.cast(voter, first.id) == (2, 1)
    assert votes.cast(voter, second.id) == (1, 0)
    with pytest.raises(Conflict) as error:
        votes.cast(voter, second.id)
    assert error.value.code == "vote.no_dots_left"
    assert queries.dots_by_idea(row.id) == {first.id: 2, second.id: 1}
    assert (_budget(voter).used, _budget(voter).budget) == (3, 3)


def test_taking_dots_back_frees_them_and_removes_an_empty_vote(session):
    row = workshop(dots_per_participant=2)
    target = idea(row)
    voter = factories.user()
    votes.cast(voter, target.id)
    votes.cast(voter, target.id)
    assert votes.withdraw(voter, target.id) == (1, 1)
    assert votes.withdraw(voter, target.id) == (0, 2)
    assert db.session.scalars(select(Vote)).all() == []
    with pytest.raises(Conflict) as error:
        votes.withdraw(voter, target.id)
    assert error.value.code == "vote.none"
    assert _budget(voter).used == 0


def test_budgets_are_per_workshop(session):
    one, two = workshop(dots_per_participant=1), workshop(dots_per_participant=1)
    voter = factories.user()
    votes.cast(voter, idea(one).id)
    votes.cast(voter, idea(two).id)
    assert queries.my_dots(voter, one.id)[1] == 0 and queries.my_dots(voter, two.id)[1] == 0


def test_votes_need_a_member_and_an_open_workshop(session):
    row = workshop()
    target = idea(row)
    with pytest.raises(PermissionDenied):
        votes.cast(None, target.id)
    workshop_services.set_status(creator(row), row.id, "closed")
    with pytest.raises(PermissionDenied):
        votes.cast(factories.user(), target.id)
    with pytest.raises(NotFound):
        votes.cast(factories.user(), 999999)
    assert db.session.scalars(select(Vote)).all() == []


def test_the_database_refuses_a_budget_overrun_even_if_code_tried_one(session):
    row = workshop(dots_per_participant=1)
    voter = factories.user()
    votes.cast(voter, idea(row).id)
    budget = _budget(voter)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        budget.used = 2
        db.session.flush()


def test_the_organiser_changes_the_budget_never_below_dots_already_placed(session):
    row = workshop(dots_per_participant=3)
    voter = factories.user()
    target = idea(row)
    votes.cast(voter, target.id)
    votes.cast(voter, target.id)
    data = workshop_data(title=row.title, question=row.question)
    workshop_services.update(creator(row), row.id, {**data, "dots_per_participant": 4})
    assert _budget(voter).budget == 4 and queries.my_dots(voter, row.id)[1] == 2
    with pytest.raises(ValidationError) as error:
        workshop_services.update(creator(row), row.id, {**data, "dots_per_participant": 1})
    assert "dots_per_participant" in error.value.fields
    db.session.expire_all()
    assert _budget(voter).budget == 4 and row.dots_per_participant == 4
