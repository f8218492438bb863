"""Task cells of a mapping party: claim (a claim expires), release, done, validate, reopen.

Every change is one conditional UPDATE, so two people clicking the same cell cannot both
win; each change is recorded as a task event.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy import update as sql_update

from mapping import policies
from mapping.models import (
    TASK_CLAIMED,
    TASK_DONE,
    TASK_OPEN,
    TASK_VALIDATED,
    MappingParty,
    Task,
    TaskEvent,
)
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied
from webapp.extensions import db
from webapp.registrations import queries as registration_queries
from webapp.registrations.models import CONFIRMED


def effective_status(task, now=None):
    """A claim past its time counts as open again."""
    now = now or utcnow()
    if task.status == TASK_CLAIMED and task.claimed_until is not None and task.claimed_until < now:
        return TASK_OPEN
    return task.status


def _task(task_id):
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound("task.not_found")
    party = db.session.get(MappingParty, task.party_id)
    return task, party


def _event(task, actor, action, note=None):
    db.session.add(
        TaskEvent(
            task_id=task.id,
            actor_id=getattr(actor, "id", None),
            action=action,
            note=(note or "").strip()[:500] or None,
        )
    )


def _change(task, condition, values, conflict):
    result = db.session.execute(
        sql_update(Task)
        .where(Task.id == task.id, condition)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise conflict
    db.session.refresh(task)


def _may_map(actor, party):
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("task.login_required")
    if policies.can_manage_party(actor, party):
        return
    registration = registration_queries.registration_of(actor, party.registration_list_id)
    if registration is None or registration.status != CONFIRMED:
        raise PermissionDenied(
            "task.not_registered",
            message=_l("Register for the mapping party to claim a cell."),
        )


def claim(actor, task_id):
    """Claim an open cell (or one whose claim ran out) for the party's claim length."""
    task, party = _task(task_id)
    _may_map(actor, party)
    now = utcnow()
    with unit_of_work():
        held = db.session.scalar(
            select(Task.id).where(
                Task.party_id == party.id,
                Task.claimed_by_id == actor.id,
                Task.status == TASK_CLAIMED,
                Task.claimed_until >= now,
                Task.id != task.id,
            )
        )
        if held is not None:
            raise Conflict(
                "task.one_at_a_time",
                message=_l("Finish or release your current cell before claiming another."),
            )
        claimable = or_(
            Task.status == TASK_OPEN,
            and_(Task.status == TASK_CLAIMED, Task.claimed_until < now),
            and_(Task.status == TASK_CLAIMED, Task.claimed_by_id == actor.id),
        )
        _change(
            task,
            claimable,
            {
                "status": TASK_CLAIMED,
                "claimed_by_id": actor.id,
                "claimed_until": now + timedelta(minutes=party.claim_minutes),
            },
            Conflict("task.taken", message=_l("Someone else has this cell; choose another.")),
        )
        _event(task, actor, "claimed")
    return task


def release(actor, task_id):
    task, party = _task(task_id)
    with unit_of_work():
        _change(
            task,
            and_(Task.status == TASK_CLAIMED, Task.claimed_by_id == actor.id),
            {"status": TASK_OPEN, "claimed_by_id": None, "claimed_until": None},
            Conflict("task.not_yours", message=_l("You do not hold this cell.")),
        )
        _event(task, actor, "released")
    return task


def mark_done(actor, task_id, note=None):
    """The person holding the cell says it is mapped (even if the claim just ran out,
    as long as nobody else took it)."""
    task, party = _task(task_id)
    with unit_of_work():
        _change(
            task,
            and_(Task.status == TASK_CLAIMED, Task.claimed_by_id == actor.id),
            {"status": TASK_DONE, "done_by_id": actor.id, "claimed_until": None},
            Conflict("task.not_yours", message=_l("You do not hold this cell.")),
        )
        _event(task, actor, "done", note)
    return task


def validate(actor, task_id, note=None):
    task, party = _task(task_id)
    if not policies.can_validate_task(actor, party, task):
        raise PermissionDenied("task.cannot_validate")
    with unit_of_work():
        _change(
            task,
            Task.status == TASK_DONE,
            {"status": TASK_VALIDATED, "validated_by_id": actor.id},
            Conflict("task.not_done", message=_l("Only a cell marked done can be validated.")),
        )
        _event(task, actor, "validated", note)
    return task


def reopen(actor, task_id, note=None):
    """Send a done or validated cell back to be mapped again, saying why."""
    task, party = _task(task_id)
    if not policies.can_validate_task(actor, party, task):
        raise PermissionDenied("task.cannot_validate")
    with unit_of_work():
        _change(
            task,
            Task.status.in_((TASK_DONE, TASK_VALIDATED)),
            {
                "status": TASK_OPEN,
                "claimed_by_id": None,
                "claimed_until": None,
                "validated_by_id": None,
            },
            Conflict("task.not_done", message=_l("Only a done or validated cell can be reopened.")),
        )
        _event(task, actor, "reopened", note)
    return task


def of_party(party):
    return db.session.scalars(
        select(Task).where(Task.party_id == party.id).order_by(Task.number)
    ).all()


def progress(party, now=None):
    """How many cells are in each state (expired claims count as open)."""
    counts = dict.fromkeys((TASK_OPEN, TASK_CLAIMED, TASK_DONE, TASK_VALIDATED), 0)
    for task in of_party(party):
        counts[effective_status(task, now)] += 1
    return counts


def history(task_id):
    return db.session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)
    ).all()
