"""Read-only selects for workshops: lookups as a viewer may see them, lists, vote totals."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crowdsourcing.models import BacklogItem
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.registrations.models import CANCELLED, Registration, RegistrationList
from workshops import policies
from workshops.models import (
    ARCHIVED,
    CLOSED,
    OPEN,
    DotBudget,
    Idea,
    IdeaComment,
    RegistrationAnswers,
    Requirement,
    Theme,
    Vote,
    Workshop,
    WorkshopSession,
)


def workshop_by_slug(viewer, slug):
    """The workshop as `viewer` may see it (a draft only for those who run it)."""
    workshop = db.session.scalar(select(Workshop).where(Workshop.slug == slug))
    if workshop is None or not policies.can_view(viewer, workshop):
        raise NotFound("workshop.not_found")
    return workshop


def workshop_by_id(viewer, workshop_id):
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not policies.can_view(viewer, workshop):
        raise NotFound("workshop.not_found")
    return workshop


def session_by_id(viewer, session_id):
    row = db.session.get(WorkshopSession, session_id)
    if row is None or not policies.can_view(viewer, row.workshop):
        raise NotFound("workshop_session.not_found")
    return row


def published(statuses=(OPEN, CLOSED, ARCHIVED)):
    """Public workshops: open ones first, then by their first session."""
    first = (
        select(
            WorkshopSession.workshop_id, func.min(RegistrationList.starts_at).label("first_start")
        )
        .join(RegistrationList, RegistrationList.id == WorkshopSession.registration_list_id)
        .group_by(WorkshopSession.workshop_id)
        .subquery()
    )
    order = {OPEN: 0, CLOSED: 1, ARCHIVED: 2}
    rows = db.session.execute(
        select(Workshop, first.c.first_start)
        .outerjoin(first, first.c.workshop_id == Workshop.id)
        .where(Workshop.status.in_(statuses))
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    ).all()
    return sorted(rows, key=lambda row: order.get(row[0].status, 3))


def run_by(user):
    """Workshops the user created or facilitates, drafts included (all for admins)."""
    rows = db.session.scalars(select(Workshop).order_by(Workshop.created_at.desc())).all()
    return [w for w in rows if policies.can_facilitate(user, w)]


def sessions_of(workshop_id):
    return db.session.scalars(
        select(WorkshopSession)
        .join(RegistrationList, RegistrationList.id == WorkshopSession.registration_list_id)
        .options(joinedload(WorkshopSession.registration_list))
        .where(WorkshopSession.workshop_id == workshop_id)
        .order_by(RegistrationList.starts_at, WorkshopSession.id)
    ).all()


def backlog_items(workshop):
    ids = [link.backlog_item_id for link in workshop.backlog_links]
    if not ids:
        return []
    return db.session.scalars(
        select(BacklogItem).where(BacklogItem.id.in_(ids)).order_by(BacklogItem.title)
    ).all()


def dots_by_idea(workshop_id):
    """{idea_id: total dots} for the workshop's ideas."""
    rows = db.session.execute(
        select(Vote.idea_id, func.sum(Vote.dots))
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Idea.workshop_id == workshop_id)
        .group_by(Vote.idea_id)
    ).all()
    return {idea_id: int(total) for idea_id, total in rows}


def my_dots(user, workshop_id):
    """({idea_id: dots}, dots left) of one participant."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}, None
    rows = db.session.execute(
        select(Vote.idea_id, Vote.dots)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Idea.workshop_id == workshop_id, Vote.user_id == user.id)
    ).all()
    budget = db.session.scalar(
        select(DotBudget).where(DotBudget.workshop_id == workshop_id, DotBudget.user_id == user.id)
    )
    workshop = db.session.get(Workshop, workshop_id)
    left = budget.budget - budget.used if budget else workshop.dots_per_participant
    return dict(rows), left


def visible_ideas(workshop_id, category=None, theme_id=None):
    """Ideas not hidden by moderation, with their author and theme loaded."""
    query = (
        select(Idea)
        .options(joinedload(Idea.author), joinedload(Idea.theme))
        .where(Idea.workshop_id == workshop_id, Idea.hidden.is_(False))
    )
    if category:
        query = query.where(Idea.category == category)
    if theme_id:
        query = query.where(Idea.theme_id == theme_id)
    return db.session.scalars(query.order_by(Idea.created_at, Idea.id)).all()


def ranked(ideas, totals):
    """Most dots first, then oldest first."""
    return sorted(ideas, key=lambda idea: (-totals.get(idea.id, 0), idea.created_at, idea.id))


def visible_idea(viewer, idea_id):
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.hidden:
        raise NotFound("idea.not_found")
    workshop_by_id(viewer, idea.workshop_id)
    return idea


def comments_of(idea_id):
    return db.session.scalars(
        select(IdeaComment)
        .options(joinedload(IdeaComment.author))
        .where(IdeaComment.idea_id == idea_id, IdeaComment.hidden.is_(False))
        .order_by(IdeaComment.created_at, IdeaComment.id)
    ).all()


def themes_of(workshop_id):
    return db.session.scalars(
        select(Theme).where(Theme.workshop_id == workshop_id).order_by(Theme.name)
    ).all()


def requirements_of(workshop_id):
    return db.session.scalars(
        select(Requirement)
        .where(Requirement.workshop_id == workshop_id)
        .order_by(Requirement.position, Requirement.id)
    ).all()


def answers_of(user, workshop_id):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(RegistrationAnswers).where(
            RegistrationAnswers.workshop_id == workshop_id,
            RegistrationAnswers.user_id == user.id,
        )
    )


def is_registered(user, workshop_id):
    """Whether the user holds a seat or waits for one at any session of the workshop."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .join(WorkshopSession, WorkshopSession.registration_list_id == Registration.list_id)
            .where(
                WorkshopSession.workshop_id == workshop_id,
                Registration.user_id == user.id,
                Registration.status != CANCELLED,
            )
        )
        > 0
    )
