"""Dot votes: each participant has a fixed number of dots per workshop and may put several
on one idea.

The budget is enforced by the database: a participant's dots change only through a
conditional UPDATE of their budget row (which also locks it until the commit), and a CHECK
constraint refuses any state past the budget. Nothing is checked in Python and then written.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.db import unit_of_work
from webapp.errors import Conflict
from webapp.extensions import db
from workshops import queries
from workshops.models import DotBudget, Vote
from workshops.services import ideas


def _ensure_budget(workshop, user):
    """Create the participant's budget row if missing; a simultaneous insert is harmless."""
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    db.session.execute(
        insert(DotBudget)
        .values(
            workshop_id=workshop.id,
            user_id=user.id,
            budget=workshop.dots_per_participant,
            used=0,
        )
        .on_conflict_do_nothing(index_elements=["workshop_id", "user_id"])
    )


def _spend(workshop_id, user_id, dots):
    """Move `dots` (negative to give back) within the budget; False when it would not fit."""
    result = db.session.execute(
        update(DotBudget)
        .where(
            DotBudget.workshop_id == workshop_id,
            DotBudget.user_id == user_id,
            DotBudget.used + dots <= DotBudget.budget,
            DotBudget.used + dots >= 0,
        )
        .values(used=DotBudget.used + dots)
    )
    return result.rowcount == 1


def _vote_row(idea_id, user_id):
    return db.session.scalar(
        select(Vote)
        .where(Vote.idea_id == idea_id, Vote.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def cast(actor, idea_id):
    """Put one dot on an idea. Returns (the actor's dots on it, dots left)."""
    idea = queries.visible_idea(actor, idea_id)
    workshop = ideas.require_participation(actor, idea.workshop_id)
    with unit_of_work():
        _ensure_budget(workshop, actor)
        if not _spend(workshop.id, actor.id, 1):
            raise Conflict(
                "vote.no_dots_left",
                message=_l("You have no dots left. Take one back from another idea first."),
            )
        # The budget row is locked from here to the commit: this person's votes are serialised.
        vote = _vote_row(idea.id, actor.id)
        if vote is None:
            vote = Vote(idea_id=idea.id, user_id=actor.id, dots=0)
            db.session.add(vote)
        vote.dots += 1
    return _state(actor, idea)


def withdraw(actor, idea_id):
    """Take one dot back from an idea. Returns (the actor's dots on it, dots left)."""
    idea = queries.visible_idea(actor, idea_id)
    workshop = ideas.require_participation(actor, idea.workshop_id)
    with unit_of_work():
        _ensure_budget(workshop, actor)
        # Locks the budget row first, so that the vote read below cannot change meanwhile.
        db.session.execute(
            select(DotBudget.id)
            .where(DotBudget.workshop_id == workshop.id, DotBudget.user_id == actor.id)
            .with_for_update()
        )
        vote = _vote_row(idea.id, actor.id)
        if vote is None:
            raise Conflict("vote.none", message=_l("You have no dot on this idea."))
        _spend(workshop.id, actor.id, -1)
        if vote.dots == 1:
            db.session.delete(vote)
        else:
            vote.dots -= 1
    return _state(actor, idea)


def _state(actor, idea):
    mine, left = queries.my_dots(actor, idea.workshop_id)
    return mine.get(idea.id, 0), left
