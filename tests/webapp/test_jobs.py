"""Background jobs: after-commit dispatch, inline mode, status API, and a real RQ worker."""

import os
import subprocess
import sys
import uuid

import pytest
from redis import Redis
from sqlalchemy import func, select

from tests import backends, factories
from tests.faults.support import redis_or_skip
from tests.support import jobs as job_functions
from webapp import jobs
from webapp.db import unit_of_work
from webapp.extensions import db
from webapp.models import Job


def test_inline_job_runs_after_commit_and_records_result_and_progress(session):
    factories.user()
    with unit_of_work():
        row = jobs.enqueue_after_commit(job_functions.count_users_with_progress, 4)
    job = session.get(Job, row.id)
    assert job.status == "finished"
    assert job.progress == 100
    assert job.result == {"users": 1, "job": job.id}
    assert job.message == "step 4"
    assert job.attempts == 1 and job.ended_at >= job.started_at


def test_job_enqueued_in_a_rolled_back_unit_of_work_never_runs(session):
    user = factories.user(name="Before")
    with pytest.raises(RuntimeError), unit_of_work():
        jobs.enqueue_after_commit(job_functions.rename_user, user.id, "After")
        raise RuntimeError("use case failed")
    assert session.scalar(select(func.count()).select_from(Job)) == 0
    session.refresh(user)
    assert user.display_name == "Before"


def test_failing_inline_job_is_recorded_as_failed_and_its_work_rolled_back(session):
    user = factories.user(name="Intact")
    with unit_of_work():
        row = jobs.enqueue_after_commit(job_functions.fail_on_purpose, user.id)
    job = session.get(Job, row.id)
    assert job.status == "failed"
    assert "job failed on purpose" in job.error
    session.refresh(user)
    assert user.display_name == "Intact"


def test_running_a_finished_job_again_does_nothing(session):
    user = factories.user(name="Once")
    with unit_of_work():
        row = jobs.enqueue_after_commit(job_functions.rename_user, user.id, "Twice")
    user.display_name = "Changed since"
    session.commit()
    assert jobs.run_job(row.id) is None
    session.refresh(user)
    assert user.display_name == "Changed since"


def test_enqueue_refuses_unregistered_functions(session):
    with pytest.raises(ValueError):
        jobs.enqueue_after_commit(print, "hello")


def test_job_status_api_shows_own_jobs_only(client, session):
    owner, stranger, admin = factories.user(), factories.user(), factories.user(roles=["admin"])
    with unit_of_work():
        row = jobs.enqueue_after_commit(job_functions.count_users_with_progress, 2, actor=owner)
    assert client.get(f"/api/v1/jobs/{row.id}").status_code == 401
    factories.login(client, stranger.email)
    response = client.get(f"/api/v1/jobs/{row.id}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "job.not_found"
    client.post("/logout")
    factories.login(client, owner.email)
    body = client.get(f"/api/v1/jobs/{row.id}").json
    assert body["status"] == "finished" and body["progress"] == 100 and body["failed"] is False
    assert body["result"]["users"] == 3
    client.post("/logout")
    factories.login(client, admin.email)
    assert client.get(f"/api/v1/jobs/{row.id}").status_code == 200
    assert client.get("/api/v1/jobs/does-not-exist").status_code == 404


# --- a real Redis and a real `rq worker` ---------------------------------------------------


@pytest.fixture
def rq_setup(backend, tmp_root):
    """A committed database, and an app whose jobs go to a private Redis queue."""
    redis_url = redis_or_skip()
    queue = f"fabrique-test-{uuid.uuid4().hex[:8]}"
    url = backends.database_url(backend, f"rq{uuid.uuid4().hex[:6]}", tmp_root)
    instance = os.path.join(tmp_root, f"rq-{backend}-{queue}")
    app = backends.make_app(url, instance, REDIS_URL=redis_url, RQ_QUEUE=queue)
    with app.app_context():
        backends.upgrade(app)
    env = {
        "DATABASE_URL": url,
        "FABRIQUE_INSTANCE": instance,
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": redis_url,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": os.path.join(instance, "mail"),
    }
    yield app, env, queue, redis_url
    Redis.from_url(redis_url).delete(f"rq:queue:{queue}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    backends.drop_database(backend, url)


def _rq_worker(env, queue, redis_url):
    rq = os.path.join(os.path.dirname(sys.executable), "rq")
    return subprocess.run(
        [
            rq,
            "worker",
            "--burst",
            "--url",
            redis_url,
            "--worker-class",
            "rq.worker.SimpleWorker",
            "--path",
            os.getcwd(),
            queue,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_jobs_go_to_redis_and_a_real_rq_worker_runs_them(rq_setup):
    app, env, queue, redis_url = rq_setup
    with app.app_context():
        user = factories.user(name="Queued")
        with unit_of_work():
            ok = jobs.enqueue_after_commit(job_functions.count_users_with_progress, 3)
            renamed = jobs.enqueue_after_commit(job_functions.rename_user, user.id, "Done")
            failing = jobs.enqueue_after_commit(job_functions.fail_on_purpose, user.id)
        ids = (ok.id, renamed.id, failing.id)
        assert Redis.from_url(redis_url).llen(f"rq:queue:{queue}") == 3
        assert {db.session.get(Job, i).status for i in ids} == {"queued"}
        db.session.remove()
    result = _rq_worker(env, queue, redis_url)
    assert result.returncode == 0, result.stderr[-2000:]
    with app.app_context():
        ok, renamed, failing = (db.session.get(Job, i) for i in ids)
        assert (ok.status, ok.progress, ok.result["users"]) == ("finished", 100, 1)
        assert renamed.status == "finished"
        assert failing.status == "failed" and "job failed on purpose" in failing.error
        from webapp.accounts.models import User

        assert db.session.scalar(select(User.display_name)) == "Done"


def test_mail_is_sent_by_the_worker(rq_setup):
    app, env, queue, redis_url = rq_setup
    from tests.mail import Mailbox

    mailbox = Mailbox(env["MAIL_FILE_DIR"])
    with app.app_context():
        from webapp.accounts import services as accounts

        accounts.sign_up("queued@example.org", "a long enough password", "Queued", True, "en")
    assert mailbox.messages() == []  # nothing sent before the worker runs
    result = _rq_worker(env, queue, redis_url)
    assert result.returncode == 0, result.stderr[-2000:]
    [message] = mailbox.to("queued@example.org")
    assert message["Subject"] == "Confirm your e-mail address"
