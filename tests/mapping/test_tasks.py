"""Task cells of a mapping party: who may claim, one claim at a time, claims that run out,
release and done by the holder only, validation and reopening, progress and history."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import update

from mapping.models import TASK_CLAIMED, TASK_DONE, TASK_OPEN, TASK_VALIDATED, Task, TaskEvent
from mapping.services import parties, tasks
from tests import factories
from tests.mapping.helpers import count, fresh, moderator, organiser
from webapp.db import utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied
from webapp.extensions import db
from webapp.registrations import services as registrations


class Party:
    """A party split into cells, its organiser, and a helper to register members."""

    def __init__(self, capacity=10, claim_minutes=45):
        self.organiser = organiser()
        self.party = factories.party(self.organiser, capacity=capacity, claim_minutes=claim_minutes)
        parties.split_grid(self.organiser, self.party.id, 1000)
        self.cells = tasks.of_party(self.party)

    def member(self):
        person = factories.user()
        registrations.register(person, self.party.registration_list_id)
        return person

    def validator(self):
        person = factories.user()
        ids = [v.user_id for v in self.party.validators] + [person.id]
        parties.set_validators(self.organiser, self.party.id, ids)
        return person


@pytest.fixture
def p(session):
    return Party()


def state(task):
    task = fresh(task)
    return task.status, task.claimed_by_id


def refused(error_type, call, actor, task, *args):
    before = (state(task), count(TaskEvent))
    with pytest.raises(error_type) as caught:
        call(actor, task.id, *args)
    assert (state(task), count(TaskEvent)) == before
    return caught.value.code


def expire(task):
    db.session.execute(
        update(Task).where(Task.id == task.id).values(claimed_until=utcnow() - timedelta(minutes=1))
    )
    db.session.expire_all()


def done_by(p, person, cell):
    tasks.claim(person, cell.id)
    tasks.mark_done(person, cell.id)


# --- claiming ------------------------------------------------------------------------------------


def test_claim_by_a_registered_member_holds_the_cell_for_the_claim_length(p):
    member = p.member()
    before = utcnow()
    task = tasks.claim(member, p.cells[0].id)
    assert (task.status, task.claimed_by_id) == (TASK_CLAIMED, member.id)
    assert before + timedelta(minutes=45) <= task.claimed_until <= utcnow() + timedelta(minutes=45)
    [event] = tasks.history(task.id)
    assert (event.action, event.actor_id) == ("claimed", member.id)


def test_claim_needs_a_confirmed_registration(session):
    p = Party(capacity=1)
    p.member()
    waiting = p.member()  # the only seat is taken: on the waitlist
    for person in (waiting, factories.user()):
        assert refused(PermissionDenied, tasks.claim, person, p.cells[0]) == "task.not_registered"


def test_claim_refuses_visitors_and_lets_organisers_map_without_registering(p):
    for visitor in (None, AnonymousUserMixin()):
        assert refused(PermissionDenied, tasks.claim, visitor, p.cells[0]) == "task.login_required"
    assert tasks.claim(p.organiser, p.cells[0].id).claimed_by_id == p.organiser.id


def test_claim_of_a_cell_someone_else_holds_is_a_conflict(p):
    first, second = p.member(), p.member()
    tasks.claim(first, p.cells[0].id)
    assert refused(Conflict, tasks.claim, second, p.cells[0]) == "task.taken"


def test_claim_of_a_cell_done_or_validated_is_a_conflict(p):
    member = p.member()
    done_by(p, member, p.cells[0])
    assert refused(Conflict, tasks.claim, p.member(), p.cells[0]) == "task.taken"
    tasks.validate(p.organiser, p.cells[0].id)
    assert refused(Conflict, tasks.claim, member, p.cells[0]) == "task.taken"


def test_one_cell_at_a_time_until_it_is_released_or_done(p):
    member = p.member()
    tasks.claim(member, p.cells[0].id)
    assert refused(Conflict, tasks.claim, member, p.cells[1]) == "task.one_at_a_time"
    tasks.release(member, p.cells[0].id)
    tasks.claim(member, p.cells[1].id)
    tasks.mark_done(member, p.cells[1].id)
    assert tasks.claim(member, p.cells[2].id).status == TASK_CLAIMED


def test_claiming_one_s_own_cell_again_extends_the_claim(p):
    member = p.member()
    first = tasks.claim(member, p.cells[0].id).claimed_until
    expire(p.cells[0])
    again = tasks.claim(member, p.cells[0].id)
    assert again.claimed_until >= first and again.claimed_by_id == member.id


def test_an_expired_claim_counts_as_open_and_another_member_may_take_the_cell(p):
    first, second = p.member(), p.member()
    tasks.claim(first, p.cells[0].id)
    expire(p.cells[0])
    cell = fresh(p.cells[0])
    assert cell.status == TASK_CLAIMED and tasks.effective_status(cell) == TASK_OPEN
    assert tasks.progress(p.party)[TASK_OPEN] == len(p.cells)
    # The first member's expired claim does not stop them taking another cell.
    assert tasks.claim(first, p.cells[1].id).status == TASK_CLAIMED
    assert tasks.claim(second, p.cells[0].id).claimed_by_id == second.id
    assert refused(Conflict, tasks.mark_done, first, p.cells[0]) == "task.not_yours"


def test_effective_status_of_a_live_claim_is_claimed(p):
    member = p.member()
    task = tasks.claim(member, p.cells[0].id)
    assert tasks.effective_status(task) == TASK_CLAIMED
    later = utcnow() + timedelta(minutes=46)
    assert tasks.effective_status(task, now=later) == TASK_OPEN


def test_claim_of_an_unknown_cell_is_not_found(p):
    with pytest.raises(NotFound) as caught:
        tasks.claim(p.member(), 10_000_000)
    assert caught.value.code == "task.not_found"


# --- release and done ----------------------------------------------------------------------------


def test_release_and_done_are_for_the_holder_only(p):
    holder, other = p.member(), p.member()
    tasks.claim(holder, p.cells[0].id)
    for call in (tasks.release, tasks.mark_done):
        for actor in (other, p.organiser):
            assert refused(Conflict, call, actor, p.cells[0]) == "task.not_yours"
    assert tasks.release(holder, p.cells[0].id).status == TASK_OPEN
    assert fresh(p.cells[0]).claimed_by_id is None
    assert refused(Conflict, tasks.release, holder, p.cells[0]) == "task.not_yours"


def test_done_records_who_mapped_the_cell(p):
    holder = p.member()
    tasks.claim(holder, p.cells[0].id)
    task = tasks.mark_done(holder, p.cells[0].id, note="  Tout le square  ")
    assert (task.status, task.done_by_id, task.claimed_until) == (TASK_DONE, holder.id, None)
    assert [(e.action, e.note) for e in tasks.history(task.id)] == [
        ("claimed", None),
        ("done", "Tout le square"),
    ]


def test_done_after_the_claim_ran_out_is_accepted_if_nobody_took_the_cell(p):
    holder = p.member()
    tasks.claim(holder, p.cells[0].id)
    expire(p.cells[0])
    assert tasks.mark_done(holder, p.cells[0].id).status == TASK_DONE


# --- validation ----------------------------------------------------------------------------------


def test_validate_by_the_organiser_a_named_validator_or_a_moderator(p):
    validator = p.validator()
    for index, person in enumerate((p.organiser, validator, moderator())):
        cell = p.cells[index]
        done_by(p, p.member(), cell)
        task = tasks.validate(person, cell.id, note="Vérifié")
        assert (task.status, task.validated_by_id) == (TASK_VALIDATED, person.id)


def test_a_validator_cannot_validate_a_cell_they_mapped(p):
    validator = p.validator()
    registrations.register(validator, p.party.registration_list_id)
    done_by(p, validator, p.cells[0])
    assert refused(PermissionDenied, tasks.validate, validator, p.cells[0]) == (
        "task.cannot_validate"
    )
    assert refused(PermissionDenied, tasks.reopen, validator, p.cells[0]) == (
        "task.cannot_validate"
    )
    assert tasks.validate(p.organiser, p.cells[0].id).status == TASK_VALIDATED


def test_validate_is_refused_to_members_and_to_organisers_of_other_parties(p):
    mapper = p.member()
    done_by(p, mapper, p.cells[0])
    for person in (mapper, p.member(), organiser(), None):
        code = refused(PermissionDenied, tasks.validate, person, p.cells[0])
        assert code == "task.cannot_validate"


def test_validate_needs_a_cell_marked_done(p):
    assert refused(Conflict, tasks.validate, p.organiser, p.cells[0]) == "task.not_done"
    member = p.member()
    tasks.claim(member, p.cells[0].id)
    assert refused(Conflict, tasks.validate, p.organiser, p.cells[0]) == "task.not_done"


def test_reopen_sends_a_done_or_validated_cell_back_to_be_mapped(p):
    validator = p.validator()
    for cell, validate_first in ((p.cells[0], False), (p.cells[1], True)):
        done_by(p, p.member(), cell)
        if validate_first:
            tasks.validate(p.organiser, cell.id)
        task = tasks.reopen(validator, cell.id, note="Il manque le parc")
        assert (task.status, task.validated_by_id, task.claimed_by_id) == (TASK_OPEN, None, None)
        assert tasks.history(cell.id)[-1].action == "reopened"


def test_reopen_of_an_open_or_claimed_cell_is_a_conflict(p):
    assert refused(Conflict, tasks.reopen, p.organiser, p.cells[0]) == "task.not_done"
    tasks.claim(p.member(), p.cells[0].id)
    assert refused(Conflict, tasks.reopen, p.organiser, p.cells[0]) == "task.not_done"


def test_reopen_is_refused_to_members(p):
    member = p.member()
    done_by(p, member, p.cells[0])
    assert refused(PermissionDenied, tasks.reopen, p.member(), p.cells[0]) == (
        "task.cannot_validate"
    )


# --- progress ------------------------------------------------------------------------------------


def test_progress_counts_cells_in_each_state(p):
    ana, bea, chloe = p.member(), p.member(), p.member()
    done_by(p, ana, p.cells[0])
    tasks.validate(p.organiser, p.cells[0].id)
    done_by(p, bea, p.cells[1])
    tasks.claim(chloe, p.cells[2].id)
    assert tasks.progress(p.party) == {
        TASK_OPEN: len(p.cells) - 3,
        TASK_CLAIMED: 1,
        TASK_DONE: 1,
        TASK_VALIDATED: 1,
    }
