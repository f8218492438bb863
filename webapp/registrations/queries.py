"""Read-only selects for registrations."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from webapp.db import utcnow
from webapp.extensions import db
from webapp.registrations.models import (
    CONFIRMED,
    WAITLISTED,
    Registration,
    RegistrationList,
)


def upcoming(limit=50):
    return db.session.scalars(
        select(RegistrationList)
        .where(RegistrationList.ends_at >= utcnow(), RegistrationList.listed.is_(True))
        .order_by(RegistrationList.starts_at, RegistrationList.id)
        .limit(limit)
    ).all()


def registration_of(user, list_id):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.list_id == list_id, Registration.user_id == user.id)
    )


def waitlist_position(registration):
    """1-based position on the waitlist, or None when not waiting."""
    if registration is None or registration.status != WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.list_id == registration.list_id,
            Registration.status == WAITLISTED,
            (Registration.waitlisted_at < registration.waitlisted_at)
            | (
                (Registration.waitlisted_at == registration.waitlisted_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return ahead + 1


def attendees(list_id):
    """Confirmed first, then the waitlist in order; users loaded eagerly."""
    rows = db.session.scalars(
        select(Registration)
        .options(joinedload(Registration.user))
        .where(Registration.list_id == list_id, Registration.status.in_([CONFIRMED, WAITLISTED]))
        .order_by(Registration.status, Registration.waitlisted_at, Registration.id)
    ).all()
    confirmed = [r for r in rows if r.status == CONFIRMED]
    waiting = [r for r in rows if r.status == WAITLISTED]
    return confirmed, waiting
