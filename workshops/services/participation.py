"""Registering for sessions (the shared registration lists do capacity, waitlist, promotion
and invitations) and the workshop's optional registration questions.

Answers are seen by the workshop's organisers and facilitators only, and deleted once the
workshop is over (`purge_answers`, run daily by `flask workshops-purge-answers`).
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from webapp.db import unit_of_work, utcnow
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.registrations.models import RegistrationList
from workshops import policies, queries
from workshops.models import (
    ARCHIVED,
    OPEN,
    RegistrationAnswers,
    Workshop,
    WorkshopSession,
)

log = logging.getLogger(__name__)
ANSWER_MAX = 500


def _session(actor, session_id):
    row = queries.session_by_id(actor, session_id)
    if row.workshop.status != OPEN:
        raise ValidationError(
            "registration.closed", message=_l("Registration for this workshop is closed.")
        )
    return row


def register(actor, session_id):
    """Take a seat at a session, or a place on its waitlist when it is full."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("registration.login_required")
    row = _session(actor, session_id)
    return registrations.register(actor, row.registration_list_id)


def cancel(actor, session_id):
    """Give the seat back; the first person waiting gets it and is told."""
    row = queries.session_by_id(actor, session_id)
    return registrations.cancel(actor, row.registration_list_id)


def _clean_answers(workshop, answers):
    errors, cleaned = {}, {}
    for key, value in (answers or {}).items():
        if key not in workshop.questions:
            errors[key] = [_l("Unknown question.")]
            continue
        value = (value or "").strip()
        if len(value) > ANSWER_MAX:
            errors[key] = [_l("At most %(n)d characters.", n=ANSWER_MAX)]
        elif value:
            cleaned[key] = value
    if errors:
        raise ValidationError("registration_answers.invalid", fields=errors)
    return cleaned


def save_answers(actor, workshop_id, answers):
    """Record the actor's answers; empty answers delete the record."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("registration.login_required")
    workshop = queries.workshop_by_id(actor, workshop_id)
    if not workshop.questions:
        raise NotFound("registration_answers.no_questions")
    cleaned = _clean_answers(workshop, answers)
    if not queries.is_registered(actor, workshop_id):
        raise PermissionDenied(
            "registration_answers.not_registered",
            message=_l("Register for a session first."),
        )
    with unit_of_work():
        row = queries.answers_of(actor, workshop_id)
        if not cleaned:
            if row is not None:
                db.session.delete(row)
            return None
        if row is None:
            row = RegistrationAnswers(workshop_id=workshop_id, user_id=actor.id)
            db.session.add(row)
        row.answers = cleaned
    return row


def answers_for_facilitators(actor, workshop_id):
    """Every participant's answers, for those who run the workshop and no one else."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("workshop.not_found")
    if not policies.can_facilitate(actor, workshop):
        raise PermissionDenied("registration_answers.denied")
    return db.session.scalars(
        select(RegistrationAnswers)
        .where(RegistrationAnswers.workshop_id == workshop_id)
        .order_by(RegistrationAnswers.id)
    ).all()


def _over(now):
    """Workshops whose answers should go: archived, or every session ended."""
    last_end = (
        select(WorkshopSession.workshop_id, func.max(RegistrationList.ends_at).label("last_end"))
        .join(RegistrationList, RegistrationList.id == WorkshopSession.registration_list_id)
        .group_by(WorkshopSession.workshop_id)
        .subquery()
    )
    return db.session.scalars(
        select(Workshop)
        .outerjoin(last_end, last_end.c.workshop_id == Workshop.id)
        .where((Workshop.status == ARCHIVED) | (last_end.c.last_end < now))
        .order_by(Workshop.id)
    ).all()


def purge_answers(now=None):
    """Delete the registration answers of workshops that are over; safe to run again.

    Each workshop keeps when its answers were purged and how many were deleted.
    Returns {workshop slug: answers deleted now}.
    """
    now = now or utcnow()
    report = {}
    with unit_of_work():
        for workshop in _over(now):
            deleted = db.session.execute(
                delete(RegistrationAnswers).where(RegistrationAnswers.workshop_id == workshop.id)
            ).rowcount
            if deleted or workshop.answers_purged_at is None:
                workshop.answers_purged_at = now
                workshop.answers_purged_count += deleted
                report[workshop.slug] = deleted
                log.info("workshop %s: %d registration answers deleted", workshop.slug, deleted)
    return report
