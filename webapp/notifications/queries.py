"""Read-only selects for notifications."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.notifications.models import Notification


def unread_count(user):
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def page_for(user, before_id=None, limit=30):
    """Newest first, keyset-paginated by id."""
    query = select(Notification).where(Notification.user_id == user.id)
    if before_id:
        query = query.where(Notification.id < before_id)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)
