"""Read-only figures of the moderators' dashboard: counts, time to decision, oldest pending
items, the backlog by status and department, and weekly trends.

Everything is plain SQL that PostgreSQL and SQLite both run (GROUP BY and bounded selects);
week buckets and the median are computed in Python so both backends give the same result.
"""

import statistics
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from crowdsourcing.models import BACKLOG_STATUSES, PENDING, BacklogItem, Submission
from webapp.accounts.models import Department
from webapp.db import utcnow
from webapp.extensions import db

WEEKS = 12
OLDEST = 10


def week_start(moment):
    """Monday 00:00 UTC of the ISO week holding `moment`."""
    day = moment.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def counts_by_kind_and_status():
    """{kind: {status: count}} over every submission."""
    result = {}
    rows = db.session.execute(
        select(Submission.kind, Submission.status, func.count()).group_by(
            Submission.kind, Submission.status
        )
    )
    for kind, status, n in rows:
        result.setdefault(kind, {})[status] = n
    return result


def time_to_decision(since):
    """Median seconds from submission to decision, over submissions decided since `since`."""
    rows = db.session.execute(
        select(Submission.created_at, Submission.decided_at).where(
            Submission.decided_at.is_not(None), Submission.decided_at >= since
        )
    ).all()
    durations = [(decided - created).total_seconds() for created, decided in rows]
    return {
        "decided": len(durations),
        "median_seconds": round(statistics.median(durations)) if durations else None,
    }


def oldest_pending(limit=OLDEST):
    """The pending submissions waiting longest, oldest first."""
    return db.session.scalars(
        select(Submission)
        .where(Submission.status == PENDING)
        .order_by(Submission.created_at, Submission.id)
        .limit(limit)
    ).all()


def backlog_by_status():
    """{status: count} for every backlog status, zeros included, in workflow order."""
    counts = dict(
        db.session.execute(
            select(BacklogItem.status, func.count()).group_by(BacklogItem.status)
        ).all()
    )
    return {status: counts.get(status, 0) for status in BACKLOG_STATUSES}


def backlog_by_department():
    """[(department or None, count)], largest first; None holds items without a department."""
    counts = db.session.execute(
        select(BacklogItem.department_id, func.count()).group_by(BacklogItem.department_id)
    ).all()
    ids = [i for i, _n in counts if i is not None]
    departments = {
        d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))
    }
    rows = [(departments.get(i) if i is not None else None, n) for i, n in counts]
    return sorted(rows, key=lambda row: (-row[1], row[0] is None, row[0] and row[0].slug))


def weekly(now=None, weeks=WEEKS):
    """Submitted and decided counts for each of the last `weeks` ISO weeks, oldest first."""
    first = week_start(now or utcnow()) - timedelta(weeks=weeks - 1)
    buckets = [
        {"start": first + timedelta(weeks=n), "submitted": 0, "decided": 0} for n in range(weeks)
    ]
    index = {b["start"]: b for b in buckets}
    for column, key in ((Submission.created_at, "submitted"), (Submission.decided_at, "decided")):
        for (moment,) in db.session.execute(select(column).where(column >= first)):
            bucket = index.get(week_start(moment))
            if bucket is not None:
                bucket[key] += 1
    for b in buckets:
        iso = b["start"].isocalendar()
        b["week"] = f"{iso.year}-W{iso.week:02d}"
    return buckets


def dashboard(now=None, weeks=WEEKS):
    """Every figure of the moderators' dashboard."""
    now = now or utcnow()
    trend = weekly(now, weeks)
    return {
        "counts": counts_by_kind_and_status(),
        "decision": time_to_decision(trend[0]["start"]),
        "oldest": oldest_pending(),
        "backlog_by_status": backlog_by_status(),
        "backlog_by_department": backlog_by_department(),
        "weeks": trend,
        "generated_at": now,
    }
