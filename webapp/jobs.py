"""Background jobs: enqueue after commit; RQ when REDIS_URL is set, inline otherwise.

Both modes run `run_job(job_id)`, which reloads the Job row, runs the registered function,
and records status, progress and result in the database, where `/api/v1/jobs/<id>` reads them.
"""

import contextvars
import importlib
import logging
import traceback
import uuid

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import Job

log = logging.getLogger(__name__)

REGISTRY = {}
FORGET_ARGS = set()  # jobs whose arguments hold personal data: cleared once they succeed
_current_job = contextvars.ContextVar("fabrique_current_job", default=None)
_standalone_app = None


def job(fn=None, *, forget_args=False):
    """Register a function as a job entry point; it must take plain, JSON-able arguments.

    With forget_args, the arguments are erased from the job's record once it succeeds.
    """

    def register(f):
        name = f"{f.__module__}.{f.__qualname__}"
        REGISTRY[name] = f
        if forget_args:
            FORGET_ARGS.add(name)
        return f

    return register(fn) if fn is not None else register


def enqueue_after_commit(fn, *args, actor=None, **kwargs):
    """Record a job in the current transaction; it is dispatched only once that commits."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    if name not in REGISTRY:
        raise ValueError(f"{name} is not a registered job")
    row = Job(
        id=uuid.uuid4().hex,
        name=name,
        args=list(args),
        kwargs=kwargs,
        status="queued",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.info.setdefault("pending_jobs", []).append(row.id)
    return row


@event.listens_for(Session, "after_commit")
def _promote_pending(session):
    pending = session.info.pop("pending_jobs", [])
    session.info.setdefault("committed_jobs", []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session):
    # Nothing reaches the queue after a rollback.
    session.info.pop("pending_jobs", None)


def dispatch_committed(session):
    """Hand every committed job of this session to Redis, or run it now when inline."""
    while session.info.get("committed_jobs"):
        job_id = session.info["committed_jobs"].pop(0)
        if current_app.config.get("REDIS_URL"):
            _enqueue(job_id, job_id)
        else:
            run_job(job_id)


def _enqueue(job_id, rq_id):
    get_queue().enqueue(run_job, job_id, job_id=rq_id, job_timeout=JOB_TIMEOUT, result_ttl=86400)


JOB_TIMEOUT = 3600


def get_queue():
    """Return the RQ queue of this application, creating its Redis connection once."""
    from redis import Redis
    from rq import Queue

    ext = current_app.extensions.setdefault("fabrique_rq", {})
    if "queue" not in ext:
        connection = Redis.from_url(current_app.config["REDIS_URL"])
        ext["queue"] = Queue(current_app.config["RQ_QUEUE"], connection=connection)
    return ext["queue"]


def _app():
    global _standalone_app
    if has_app_context():
        return None
    if _standalone_app is None:
        from webapp.factory import create_app

        _standalone_app = create_app()
    return _standalone_app


def run_job(job_id):
    """Run one recorded job; do nothing if it is gone or already finished (safe to run twice)."""
    app = _app()
    if app is None:
        return _run(job_id)
    with app.app_context():
        return _run(job_id)


def _run(job_id):
    row = db.session.get(Job, job_id)
    if row is None or row.status == "finished":
        return None
    row.status, row.started_at, row.attempts = "started", utcnow(), row.attempts + 1
    row.error = None
    db.session.commit()
    token = _current_job.set(job_id)
    try:
        result = _function(row.name)(*row.args, **row.kwargs)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _finish(job_id, "failed", error=traceback.format_exc(limit=20))
        log.exception("Job %s (%s) failed", job_id, row.name)
        if not _inline():
            raise
        return None
    finally:
        _current_job.reset(token)
    _finish(job_id, "finished", result=result)
    dispatch_committed(db.session)
    return result


def _function(name):
    # A worker process may not have imported the job's module yet; importing it registers it.
    if name not in REGISTRY:
        importlib.import_module(name.rsplit(".", 1)[0])
    return REGISTRY[name]


def _inline():
    return not current_app.config.get("REDIS_URL")


def _finish(job_id, status, result=None, error=None):
    row = db.session.get(Job, job_id)
    row.status, row.ended_at = status, utcnow()
    if status == "finished":
        row.progress, row.result = 100, result
        if row.name in FORGET_ARGS:
            row.args, row.kwargs = [], {}
    row.error = error
    db.session.commit()


def checkpoint():
    """What the running job recorded with `record_checkpoint` in an earlier attempt, or None.

    A job whose side effect cannot be undone (a mail sent) records it at once, and a
    retried attempt reads it back instead of doing it again.
    """
    job_id = _current_job.get()
    if job_id is None:
        return None
    row = db.session.get(Job, job_id)
    db.session.refresh(row, ["result"])
    return row.result


def record_checkpoint(result):
    """Record, and commit at once, what the running job has irrevocably done."""
    job_id = _current_job.get()
    if job_id is None:
        return
    row = db.session.get(Job, job_id)
    row.result = result
    db.session.commit()


def recover(grace_seconds=60, now=None):
    """Re-queue the jobs a dead worker or a lost dispatch left behind; return their ids.

    The database is the record: a job `queued` or `started` there but nowhere alive in RQ
    is queued again under a new RQ id (job functions are safe to run twice). A job counts
    as alive while RQ has it queued, deferred or scheduled, or started by a worker that is
    still registered and, when it ran on this host, whose process is alive. A job unknown
    to RQ is left alone for `grace_seconds`: its dispatch may be under way.
    """
    import socket
    from datetime import timedelta

    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob
    from rq.job import JobStatus
    from rq.worker import Worker
    from sqlalchemy import select

    connection = get_queue().connection
    cutoff = (now or utcnow()) - timedelta(seconds=grace_seconds)
    rows = db.session.scalars(
        select(Job).where(Job.status.in_(("queued", "started"))).order_by(Job.created_at)
    ).all()
    host = socket.gethostname()
    recovered = []
    for row in rows:
        rq_ids = [i.decode() for i in connection.lrange(_RQ_IDS.format(row.id), 0, -1)]
        try:
            rq_job = RQJob.fetch(rq_ids[-1] if rq_ids else row.id, connection=connection)
            status = rq_job.get_status()
        except NoSuchJobError:
            rq_job, status = None, None
        if status is None and row.created_at > cutoff:
            continue
        if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
            continue
        if status == JobStatus.STARTED:
            worker = rq_job.worker_name and Worker.find_by_key(
                Worker.redis_worker_namespace_prefix + rq_job.worker_name, connection=connection
            )
            if worker and (worker.hostname != host or _alive(worker.pid)):
                continue
        new_id = f"{row.id}-{len(rq_ids) + 1}"
        # Two workers starting together must not both re-queue it: the first claims it.
        if not connection.set(f"fabrique:job-recovery:{new_id}", 1, nx=True, ex=86400):
            continue
        with connection.pipeline() as pipe:
            pipe.rpush(_RQ_IDS.format(row.id), new_id)
            pipe.expire(_RQ_IDS.format(row.id), 7 * 86400)
            pipe.execute()
        _enqueue(row.id, new_id)
        log.warning("Job %s (%s) re-queued as %s", row.id, row.name, new_id)
        recovered.append(row.id)
    return recovered


_RQ_IDS = "fabrique:job-rq-ids:{}"


def _alive(pid):
    import os

    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def report_progress(done, total=None, message=None):
    """Record the running job's progress (commits: a job is its own outermost unit of work)."""
    job_id = _current_job.get()
    if job_id is None:
        return
    row = db.session.get(Job, job_id)
    row.progress = max(0, min(100, int(100 * done / total))) if total else int(done)
    row.message = message
    db.session.commit()


def current_job_id():
    """Return the id of the job running in this context, if any."""
    return _current_job.get()
