"""Jobs and imports under faults, on both backends, against committed databases (no test
transaction to hide anything): a real `rq worker` killed with SIGKILL in the middle of an
import, Redis losing a queued job, a mail job retried after delivery, and an import that
a database error stops half-way. Every time: nothing partial, nothing twice, every row
accounted for in the report."""

import os
import signal
import uuid

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import func, select, text

from mapping.models import Feature, FeatureRevision, ImportRun
from tests import backends, factories
from tests.conftest import BACKENDS
from tests.faults import support
from tests.mail import Mailbox
from tests.mapping import io_support
from webapp import jobs
from webapp.db import unit_of_work
from webapp.extensions import db
from webapp.models import Job

pytestmark = pytest.mark.slow

ROWS = 2000


@pytest.fixture(
    scope="module",
    params=[pytest.param(b, marks=pytest.mark.xdist_group(f"faults-jobs-{b}")) for b in BACKENDS],
)
def world(request, tmp_root):
    """A migrated database; one app queueing to a private Redis queue, one running inline."""
    backend = request.param
    redis_url = support.redis_or_skip()
    queue = f"fabrique-faults-{uuid.uuid4().hex[:8]}"
    url = backends.database_url(backend, f"faults{uuid.uuid4().hex[:6]}", tmp_root)
    instance = os.path.join(tmp_root, f"faults-{backend}-{queue}")
    queued = backends.make_app(url, instance, REDIS_URL=redis_url, RQ_QUEUE=queue)
    inline = backends.make_app(url, instance)
    with queued.app_context():
        backends.upgrade(queued)
    env = {
        "DATABASE_URL": url,
        "FABRIQUE_INSTANCE": instance,
        "FABRIQUE_ENV": "development",
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": redis_url,
        "RQ_QUEUE": queue,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": os.path.join(instance, "mail"),
        "UPLOAD_DIR": queued.config["UPLOAD_DIR"],
    }
    yield {
        "backend": backend,
        "queued": queued,
        "inline": inline,
        "env": env,
        "queue": queue,
        "redis": Redis.from_url(redis_url),
        "tmp": tmp_root,
    }
    Redis.from_url(redis_url).delete(f"rq:queue:{queue}")
    for app in (queued, inline):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    backends.drop_database(backend, url)


def _flask_worker(world, name):
    """`flask worker --burst`: recovers what a dead worker left, then empties the queue."""
    log = os.path.join(world["tmp"], f"{name}.log")
    proc = support.popen(
        [os.path.join(support.BIN, "flask"), "--app", "webapp", "worker", "--burst"],
        world["env"],
        log,
    )
    try:
        assert proc.wait(timeout=120) == 0, support.log_tail(log)
    finally:
        support.stop(proc)
    return support.log_tail(log, 100_000)


def _features_of(record_id):
    return db.session.scalar(select(func.count(Feature.id)).where(Feature.import_id == record_id))


def test_an_import_whose_worker_is_killed_mid_way_is_retried_and_imported_once(world):
    app = world["queued"]
    with app.app_context():
        actor = factories.user(roles=["organiser"])
        inventory = io_support.trees(actor)
        record = support.start_import(actor, inventory, "many.csv", support.trees_csv(ROWS))
        record_id, job_id = record.id, record.job_id
        # Queued and waiting for a worker: alive, so recovery leaves it alone.
        assert jobs.recover(grace_seconds=0) == []
        db.session.remove()

    log = os.path.join(world["tmp"], "killed-worker.log")
    worker = support.popen(
        [
            os.path.join(support.BIN, "rq"),
            "worker",
            "--url",
            world["env"]["REDIS_URL"],
            "--worker-class",
            "rq.worker.SimpleWorker",
            "--path",
            str(support.ROOT),
            world["queue"],
        ],
        world["env"],
        log,
    )
    try:

        def converting():
            with app.app_context():
                row = db.session.get(Job, job_id)
                seen = row.status == "started" and 0 < row.progress < 80
                db.session.remove()
                return seen

        support.wait_until(converting, timeout=90, what="the import to be half converted")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        support.stop(worker)

    with app.app_context():
        row, run = db.session.get(Job, job_id), db.session.get(ImportRun, record_id)
        assert (row.status, row.attempts, run.status) == ("started", 1, "running")
        assert _features_of(record_id) == 0  # one transaction: nothing partial
        db.session.remove()

    output = _flask_worker(world, "recovering-worker")
    assert f"re-queued job {job_id}" in output

    with app.app_context():
        row, run = db.session.get(Job, job_id), db.session.get(ImportRun, record_id)
        assert (row.status, row.attempts, row.progress) == ("finished", 2, 100), row.error
        assert (run.status, run.accepted, run.rejected) == ("finished", ROWS, 0)
        assert _features_of(record_id) == ROWS
        refs = db.session.scalars(
            select(Feature.source_ref).where(Feature.import_id == record_id)
        ).all()
        assert len(set(refs)) == ROWS
        lines = io_support.report(run)
        assert len(lines) == ROWS and {line[4] for line in lines} != {""}
        # Recovery is idempotent: nothing is left to re-queue, a second run is a no-op.
        assert jobs.recover(grace_seconds=0) == []
        assert jobs.run_job(job_id) is None
        # A worker dying after the import committed but before the job's bookkeeping: the
        # next attempt imports nothing and reports the import's own result.
        row = db.session.get(Job, job_id)
        row.status = "started"
        db.session.commit()
        result = jobs.run_job(job_id)
        assert (result["claimed"], result["accepted"], result["status"]) == (
            False,
            ROWS,
            "finished",
        )
        assert _features_of(record_id) == ROWS
        db.session.remove()


def test_a_job_redis_lost_is_recovered_and_its_mail_sent_once(world):
    app = world["queued"]
    mailbox = Mailbox(world["env"]["MAIL_FILE_DIR"])
    mailbox.clear()
    with app.app_context():
        from webapp import mail

        with unit_of_work():
            row = mail.send_mail(
                "lost@example.org",
                "confirm_email",
                "fr",
                "Confirmez",
                user=factories.user(),
                link="http://localhost/confirm",
            )
        job_id = row.id
        # Redis restarted without persistence: the queued job is gone, the record remains.
        world["redis"].delete(f"rq:queue:{world['queue']}", f"rq:job:{job_id}")
        assert jobs.recover(grace_seconds=3600) == []  # too young: its dispatch may be under way
        result = app.test_cli_runner().invoke(args=["jobs-recover", "--grace", "0"])
        assert result.exit_code == 0, result.output
        assert f"re-queued job {job_id}" in result.output and "1 job(s)" in result.output
        assert jobs.recover(grace_seconds=0) == []  # queued again: alive
        db.session.remove()
        queue = jobs.get_queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")
        row = db.session.get(Job, job_id)
        assert row.status == "finished" and row.result["delivered"] is True
        assert row.args == []  # the address is forgotten once delivered
        db.session.remove()
    assert len(mailbox.to("lost@example.org")) == 1


def test_a_mail_job_retried_after_delivery_does_not_send_again(world):
    app = world["inline"]
    mailbox = Mailbox(world["env"]["MAIL_FILE_DIR"])
    mailbox.clear()
    with app.app_context():
        from webapp import mail

        with unit_of_work():
            row = mail.send_mail(
                "once@example.org",
                "confirm_email",
                "fr",
                "Confirmez",
                user=factories.user(),
                link="http://localhost/confirm",
            )
        job_id = row.id
        assert len(mailbox.to("once@example.org")) == 1
        sent = mailbox.to("once@example.org")[0]
        assert sent["Message-ID"] == f"<{job_id}@fabrique>"
        # What a worker killed after the delivery but before its bookkeeping leaves behind:
        # the job still `started`, its arguments still there, its delivery recorded.
        row = db.session.get(Job, job_id)
        row.status, row.args = "started", ["once@example.org", "Confirmez", "body"]
        db.session.commit()
        jobs.run_job(job_id)
        row = db.session.get(Job, job_id)
        assert (row.status, row.attempts) == ("finished", 2)
        assert len(mailbox.to("once@example.org")) == 1
        db.session.remove()


def _refuse_ref(backend, ref, table):
    """A real database error on one row: a trigger refusing it (as a DBA's rule would)."""
    column = "source_ref" if table == "mapping_feature" else "note"
    if backend == "postgis":
        condition = (
            f"NEW.{column} = '{ref}'" if column == "source_ref" else f"NEW.note LIKE '%: {ref}'"
        )
        return [
            "CREATE FUNCTION faults_refuse() RETURNS trigger AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION 'refused by a trigger'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER faults_refuse BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION faults_refuse()",
        ], [f"DROP TRIGGER faults_refuse ON {table}", "DROP FUNCTION faults_refuse()"]
    condition = f"NEW.{column} = '{ref}'" if column == "source_ref" else f"NEW.note LIKE '%: {ref}'"
    return [
        f"CREATE TRIGGER faults_refuse BEFORE INSERT ON {table} WHEN {condition} "
        "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
    ], ["DROP TRIGGER faults_refuse"]


def _execute(statements):
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.mark.parametrize("table", ["mapping_feature", "mapping_feature_revision"])
def test_an_import_a_database_error_stops_half_way_saves_nothing_then_everything(world, table):
    app, rows, outside = world["inline"], 1000, {7, 999}
    content = support.trees_csv(rows, ref_prefix=f"{table[-3:]}-", outside=outside)
    with app.app_context():
        create, drop = _refuse_ref(world["backend"], f"id:{table[-3:]}-700", table)
        _execute(create)
        try:
            actor = factories.user(roles=["organiser"])
            inventory = io_support.trees(actor)
            failed = support.start_import(actor, inventory, "half.csv", content)
            db.session.refresh(failed)
            assert failed.status == "failed" and failed.accepted == 0
            assert "rien n'a été enregistré" in failed.error
            assert db.session.get(Job, failed.job_id).status == "failed"
            assert _features_of(failed.id) == 0
            revisions = select(func.count(FeatureRevision.id)).where(
                FeatureRevision.note.like(f"import #{failed.id}:%")
            )
            assert db.session.scalar(revisions) == 0
            lines = io_support.report(failed)
            # One line per row of the file (numbered as in a spreadsheet, after the header).
            assert [int(line[0]) for line in lines] == list(range(2, rows + 2))
            not_saved = [line for line in lines if line[2] == "non enregistrée (l'import a échoué)"]
            assert len(not_saved) == rows - len(outside)
            assert all(line[3] for line in lines if line not in not_saved)  # reasons kept
            assert {line[4] for line in lines} == {""}
        finally:
            db.session.rollback()  # SQLite: free the write lock for the DDL
            _execute(drop)
        # The cause removed, the same file imports in full: everything or nothing.
        done = support.start_import(actor, inventory, "half.csv", content)
        db.session.refresh(done)
        assert (done.status, done.accepted, done.rejected) == ("finished", rows - 2, 2)
        assert _features_of(done.id) == rows - 2
        assert len(io_support.report(done)) == rows
        db.session.remove()
