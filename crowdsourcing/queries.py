"""Read-only selects of the pipeline: the inbox (keyset-paginated), histories, summaries."""

from datetime import timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload

from crowdsourcing.models import (
    PENDING,
    STATUSES,
    DatasetRequest,
    DatasetRequestSupport,
    Submission,
    SubmissionEvent,
)
from webapp.db import utcnow
from webapp.extensions import db

PAGE_SIZE = 50


def inbox(filters, after=None, limit=PAGE_SIZE):
    """Oldest first. `after` is the (created_at, id) of the last row already shown."""
    status = filters.get("status") or PENDING
    query = select(Submission).options(
        joinedload(Submission.submitter), joinedload(Submission.reason)
    )
    query = query.where(Submission.status == status) if status in STATUSES else query
    if filters.get("kind"):
        query = query.where(Submission.kind == filters["kind"])
    if filters.get("department"):
        query = query.where(Submission.department_id == filters["department"])
    if filters.get("context"):
        query = query.where(Submission.context == filters["context"])
    if filters.get("older_than_days"):
        query = query.where(
            Submission.created_at <= utcnow() - timedelta(days=filters["older_than_days"])
        )
    if filters.get("flagged"):
        query = query.where(Submission.flag_count > 0)
    if filters.get("duplicate_hint"):
        query = query.where(Submission.duplicate_hint_id.is_not(None))
    if after is not None:
        query = query.where(tuple_(Submission.created_at, Submission.id) > tuple_(*after))
    rows = db.session.scalars(
        query.order_by(Submission.created_at, Submission.id).limit(limit + 1)
    ).all()
    next_after = (rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_after


def flagged_for_review(limit=PAGE_SIZE):
    """Published items hidden by flags, waiting for a moderator."""
    return db.session.scalars(
        select(Submission)
        .where(Submission.hidden.is_(True), Submission.status == "approved")
        .order_by(Submission.updated_at)
        .limit(limit)
    ).all()


def history(submission_id):
    return db.session.scalars(
        select(SubmissionEvent)
        .options(joinedload(SubmissionEvent.actor))
        .where(SubmissionEvent.submission_id == submission_id)
        .order_by(SubmissionEvent.id)
    ).all()


def log(before_id=None, limit=PAGE_SIZE):
    """Every decision, newest first, keyset-paginated by id."""
    query = select(SubmissionEvent).options(joinedload(SubmissionEvent.actor))
    if before_id:
        query = query.where(SubmissionEvent.id < before_id)
    rows = db.session.scalars(query.order_by(SubmissionEvent.id.desc()).limit(limit + 1)).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def of_submitter(user, limit=200):
    return db.session.scalars(
        select(Submission)
        .options(joinedload(Submission.reason))
        .where(Submission.submitter_id == user.id)
        .order_by(Submission.created_at.desc())
        .limit(limit)
    ).all()


def waiting_summary():
    """What waits for moderators: counts by kind, and the oldest pending item."""
    counts = dict(
        db.session.execute(
            select(Submission.kind, func.count())
            .where(Submission.status == PENDING)
            .group_by(Submission.kind)
        ).all()
    )
    oldest = db.session.scalar(
        select(Submission)
        .where(Submission.status == PENDING)
        .order_by(Submission.created_at, Submission.id)
        .limit(1)
    )
    hidden = db.session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.hidden.is_(True), Submission.status == "approved")
    )
    return {"counts": counts, "total": sum(counts.values()), "oldest": oldest, "hidden": hidden}


def public_requests(limit=100):
    """Published dataset requests, most supported first."""
    support = (
        select(DatasetRequestSupport.request_id, func.count().label("n"))
        .group_by(DatasetRequestSupport.request_id)
        .subquery()
    )
    rows = db.session.execute(
        select(DatasetRequest, func.coalesce(support.c.n, 0))
        .join(
            Submission,
            (Submission.kind == "dataset_request") & (Submission.object_id == DatasetRequest.id),
        )
        .outerjoin(support, support.c.request_id == DatasetRequest.id)
        .where(Submission.status == "approved", Submission.hidden.is_(False))
        .order_by(func.coalesce(support.c.n, 0).desc(), DatasetRequest.created_at.desc())
        .limit(limit)
    ).all()
    return rows
