"""Read-only selects of the pipeline: the inbox (keyset-paginated), histories, summaries."""

from datetime import date, timedelta

from sqlalchemy import case, distinct, func, select, tuple_, union
from sqlalchemy.orm import joinedload

from crowdsourcing.hackathon_models import ProposalMissingData, ProposalSupport
from crowdsourcing.models import (
    BACKLOG_FINAL,
    BACKLOG_STATUSES,
    PENDING,
    STATUSES,
    BacklogEvidence,
    BacklogItem,
    BacklogTransition,
    DatasetRequest,
    DatasetRequestSupport,
    Submission,
    SubmissionEvent,
)
from webapp.accounts.models import User
from webapp.db import utcnow
from webapp.extensions import db

PAGE_SIZE = 50


def inbox(filters, after=None, limit=None):
    """Oldest first. `after` is the (created_at, id) of the last row already shown. One
    query whatever the page size; at most `limit` + 1 rows are read."""
    limit = limit or PAGE_SIZE
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


# --- the dataset backlog ----------------------------------------------------------------------


def _linked_people_select(item_ids):
    """(item_id, user_id) of requesters of linked dataset requests and of their supporters."""
    linked = (
        select(BacklogEvidence.item_id, DatasetRequest.id.label("request_id"))
        .join(Submission, Submission.id == BacklogEvidence.submission_id)
        .join(
            DatasetRequest,
            (Submission.kind == "dataset_request") & (DatasetRequest.id == Submission.object_id),
        )
        .where(BacklogEvidence.item_id.in_(item_ids))
        .subquery()
    )
    requesters = (
        select(linked.c.item_id, DatasetRequest.requester_id.label("user_id"))
        .join(DatasetRequest, DatasetRequest.id == linked.c.request_id)
        .where(DatasetRequest.requester_id.is_not(None))
    )
    supporters = select(linked.c.item_id, DatasetRequestSupport.user_id.label("user_id")).join(
        DatasetRequestSupport, DatasetRequestSupport.request_id == linked.c.request_id
    )
    # An app proposal whose missing data reached the item: its supporters count too.
    proposal_supporters = (
        select(linked.c.item_id, ProposalSupport.user_id.label("user_id"))
        .join(ProposalMissingData, ProposalMissingData.request_id == linked.c.request_id)
        .join(ProposalSupport, ProposalSupport.proposal_id == ProposalMissingData.proposal_id)
    )
    # UNION (not UNION ALL) keeps one row per person and item.
    return union(requesters, supporters, proposal_supporters).subquery()


def _linked_proposals(item_ids):
    """{item_id: number of app proposals whose missing data is evidence of the item}."""
    rows = db.session.execute(
        select(BacklogEvidence.item_id, func.count(distinct(ProposalMissingData.proposal_id)))
        .join(Submission, Submission.id == BacklogEvidence.submission_id)
        .join(
            ProposalMissingData,
            (Submission.kind == "dataset_request")
            & (ProposalMissingData.request_id == Submission.object_id),
        )
        .where(BacklogEvidence.item_id.in_(item_ids))
        .group_by(BacklogEvidence.item_id)
    )
    return dict(rows.all())


def demand(item_ids):
    """Demand of each item, computed from its evidence: distinct people (requesters, their
    supporters, supporters of the app proposals behind them), the number of linked
    submissions by kind, and the number of app proposals that miss the data."""
    item_ids = list(item_ids)
    result = {i: {"people": 0, "evidence": {}, "proposals": 0} for i in item_ids}
    if not item_ids:
        return result
    people = _linked_people_select(item_ids)
    for item_id, n in db.session.execute(
        select(people.c.item_id, func.count(distinct(people.c.user_id))).group_by(people.c.item_id)
    ):
        result[item_id]["people"] = n
    for item_id, kind, n in db.session.execute(
        select(BacklogEvidence.item_id, Submission.kind, func.count())
        .join(Submission, Submission.id == BacklogEvidence.submission_id)
        .where(BacklogEvidence.item_id.in_(item_ids))
        .group_by(BacklogEvidence.item_id, Submission.kind)
    ):
        result[item_id]["evidence"][kind] = n
    for item_id, n in _linked_proposals(item_ids).items():
        result[item_id]["proposals"] = n
    return result


def linked_people(item_id):
    """Everyone linked to an item: requesters of its requests and their supporters."""
    people = _linked_people_select([item_id])
    return db.session.scalars(
        select(User).where(User.id.in_(select(people.c.user_id))).order_by(User.id)
    ).all()


def overdue_clause(today=None):
    """SQL condition: the current status' due date has passed and the item is not final."""
    today = today or date.today()
    return (
        BacklogItem.due_date.is_not(None)
        & (BacklogItem.due_date < today)
        & BacklogItem.status.not_in(BACKLOG_FINAL)
    )


PRIORITY_RANK = case({"high": 0, "normal": 1, "low": 2}, value=BacklogItem.priority, else_=3)


def backlog(filters=None, viewer=None, today=None):
    """Items with their demand and overdue flag; sorted by `demand`, `priority` or `due`.
    A data steward sees their department's items first."""
    filters = filters or {}
    overdue = overdue_clause(today)
    query = select(BacklogItem, overdue.label("overdue")).options(
        joinedload(BacklogItem.department), joinedload(BacklogItem.steward)
    )
    if filters.get("status") in BACKLOG_STATUSES:
        query = query.where(BacklogItem.status == filters["status"])
    if filters.get("department"):
        query = query.where(BacklogItem.department_id == filters["department"])
    if filters.get("overdue"):
        query = query.where(overdue)
    order = []
    department_id = getattr(viewer, "department_id", None)
    if department_id is not None and "data_steward" in getattr(viewer, "roles", ()):
        order.append(case((BacklogItem.department_id == department_id, 0), else_=1))
    sort = filters.get("sort") or "priority"
    if sort == "due":
        order += [BacklogItem.due_date.is_(None), BacklogItem.due_date]
    elif sort != "demand":
        order.append(PRIORITY_RANK)
    order.append(BacklogItem.id)
    rows = db.session.execute(query.order_by(*order)).unique().all()
    counts = demand([item.id for item, _o in rows])
    result = [(item, bool(late), counts[item.id]) for item, late in rows]
    if sort == "demand":
        # Stable sort keeps the department-first order for equal demand.
        result.sort(key=lambda row: -row[2]["people"])
        if department_id is not None and "data_steward" in getattr(viewer, "roles", ()):
            result.sort(key=lambda row: row[0].department_id != department_id)
    return result


def is_overdue(item, today=None):
    return db.session.scalar(
        select(overdue_clause(today)).select_from(BacklogItem).where(BacklogItem.id == item.id)
    )


def evidence(item_id):
    return db.session.scalars(
        select(BacklogEvidence)
        .options(joinedload(BacklogEvidence.submission))
        .where(BacklogEvidence.item_id == item_id)
        .order_by(BacklogEvidence.added_at, BacklogEvidence.id)
    ).all()


def backlog_history(item_id):
    return db.session.scalars(
        select(BacklogTransition)
        .options(joinedload(BacklogTransition.actor))
        .where(BacklogTransition.item_id == item_id)
        .order_by(BacklogTransition.id)
    ).all()


def public_requests_of(item_ids):
    """Published dataset requests linked to each item: {item_id: [(request_id, title)]}."""
    result = {i: [] for i in item_ids}
    if not item_ids:
        return result
    rows = db.session.execute(
        select(BacklogEvidence.item_id, DatasetRequest.id, DatasetRequest.title)
        .join(Submission, Submission.id == BacklogEvidence.submission_id)
        .join(
            DatasetRequest,
            (Submission.kind == "dataset_request") & (DatasetRequest.id == Submission.object_id),
        )
        .where(
            BacklogEvidence.item_id.in_(item_ids),
            Submission.status == "approved",
            Submission.hidden.is_(False),
        )
        .order_by(DatasetRequest.id)
    )
    for item_id, request_id, title in rows:
        result[item_id].append((request_id, title))
    return result


def items_of_submissions(submission_ids):
    """{submission_id: [backlog items]} for a member's contributions."""
    result = {}
    if not submission_ids:
        return result
    rows = db.session.execute(
        select(BacklogEvidence.submission_id, BacklogItem)
        .join(BacklogItem, BacklogItem.id == BacklogEvidence.item_id)
        .where(BacklogEvidence.submission_id.in_(submission_ids))
        .order_by(BacklogItem.id)
    )
    for submission_id, item in rows:
        result.setdefault(submission_id, []).append(item)
    return result


def overdue_by_steward(today=None):
    """{steward: [overdue items]} for the reminders."""
    rows = db.session.execute(
        select(User, BacklogItem)
        .join(BacklogItem, BacklogItem.steward_id == User.id)
        .where(overdue_clause(today))
        .order_by(User.id, BacklogItem.due_date, BacklogItem.id)
    ).all()
    result = {}
    for user, item in rows:
        result.setdefault(user, []).append(item)
    return result
