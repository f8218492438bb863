"""A submission answered 201 survives: residents post features through gunicorn while a
worker is killed with SIGKILL and PostgreSQL restarts; each resident retries a lost or
refused answer with the same Idempotency-Key. At the end the stored features are exactly
the accepted submissions: none lost, none twice.

PostgreSQL runs in a private cluster (its own folder and socket), never the machine's
cluster that other tests use."""

import http.client
import json
import os
import signal
import subprocess
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from tests import backends, factories
from tests.faults import support

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults-server")]

RESIDENTS = 6
EACH = 25
SLUG = "faults"


@pytest.fixture(scope="module")
def cluster(tmp_root):
    problem = support.PrivateCluster.unavailable()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {problem}", pytrace=False)
        pytest.skip(problem)
    pg = support.PrivateCluster(tmp_root, support.free_port())
    try:
        pg.start()
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
def site(cluster, tmp_root):
    """A migrated database in the private cluster with an open inventory and residents'
    API tokens, served by gunicorn with 2 workers."""
    from mapping.services import inventories
    from webapp.accounts import services as accounts
    from webapp.extensions import db

    url = cluster.create_database("fabrique_faults")
    instance = os.path.join(tmp_root, "faults-server-instance")
    app = backends.make_app(url, instance, TESTING=False)
    with app.app_context():
        backends.upgrade(app)
        organiser = factories.user(roles=["organiser"])
        data = inventories.template_data("biodiversity")
        data.update(
            title="Inventaire sous pannes",
            slug=SLUG,
            status="open",
            moderation_mode="post",
            area=factories.square(3.70, 43.45, 4.05, 43.75),
        )
        inventory_id = inventories.create(organiser, data).id
        tokens = [
            accounts.create_api_token(factories.user(), "faults")[1] for _ in range(RESIDENTS)
        ]
        db.session.remove()
        db.engine.dispose()
    port = support.free_port()
    env = {
        "DATABASE_URL": url,
        "FABRIQUE_INSTANCE": instance,
        "FABRIQUE_ENV": "development",
        "SECRET_KEY": "faults-secret",
        "RATELIMIT_ENABLED": "false",
        "MAIL_BACKEND": "file",
        "UPLOAD_DIR": os.path.join(instance, "uploads"),
        "REDIS_URL": "",
    }
    log = os.path.join(tmp_root, "faults-gunicorn.log")
    server = support.popen(
        [
            os.path.join(support.BIN, "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "webapp:create_app()",
        ],
        env,
        log,
    )
    try:
        support.wait_until(
            lambda: server.poll() is not None or _status(port, "GET", "/healthz") == 200,
            timeout=90,
            interval=0.2,
            what="gunicorn to answer",
        )
        assert server.poll() is None, support.log_tail(log)
        yield {
            "port": port,
            "server": server,
            "tokens": tokens,
            "app": app,
            "inventory_id": inventory_id,
            "log": log,
        }
    finally:
        support.stop(server)
        with app.app_context():
            db.engine.dispose()


def _request(port, method, path, body=None, headers=None, timeout=15):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _status(port, method, path):
    try:
        return _request(port, method, path, timeout=5)[0]
    except OSError:
        return None


def _body(n):
    return json.dumps(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [3.80 + n / 10000, 43.60]},
            "properties": {"scientific_name": "Passer domesticus", "observed_on": "2026-05-01"},
        }
    )


class Resident(threading.Thread):
    """Posts EACH features, one Idempotency-Key per submission, retrying a submission on a
    lost connection or a 5xx until it is answered 201."""

    def __init__(self, port, token, number):
        super().__init__(daemon=True)
        self.port, self.token, self.number = port, token, number
        self.accepted = {}  # key -> feature id
        self.refusals = []  # (status, body) of every 5xx
        self.lost = 0  # connections lost or reset
        self.error = None

    def run(self):
        try:
            for n in range(EACH):
                self._submit(str(uuid.uuid4()), _body(self.number * EACH + n))
        except Exception as exc:  # reported by the test
            self.error = exc

    def _submit(self, key, body):
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                status, _headers, raw = _request(
                    self.port, "POST", f"/api/v1/inventories/{SLUG}/features", body, headers
                )
            except (OSError, http.client.HTTPException):
                self.lost += 1
                time.sleep(0.1)
                continue
            if status == 201:
                self.accepted[key] = json.loads(raw)["id"]
                return
            if status >= 500:
                self.refusals.append((status, raw))
                time.sleep(0.2)
                continue
            raise AssertionError(f"unexpected {status}: {raw[:300]!r}")
        raise AssertionError(f"submission {key} was never accepted")


def _accepted(residents):
    return sum(len(r.accepted) for r in residents)


def test_accepted_submissions_survive_a_killed_worker_and_a_database_restart(site, cluster):
    from mapping.models import Feature
    from webapp.extensions import db

    port, total = site["port"], RESIDENTS * EACH
    residents = [Resident(port, token, i) for i, token in enumerate(site["tokens"])]
    for resident in residents:
        resident.start()

    # 1. A gunicorn worker killed in the middle of the load; the master starts another.
    support.wait_until(lambda: _accepted(residents) >= total // 5, timeout=60, what="load")
    workers = subprocess.run(
        ["pgrep", "-P", str(site["server"].pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    os.kill(int(workers[0]), signal.SIGKILL)

    # 2. PostgreSQL stops during the load: requests answer 503 in the error shape, quickly.
    support.wait_until(lambda: _accepted(residents) >= total // 2, timeout=60, what="more load")
    cluster.stop()
    started = time.monotonic()
    status, headers, raw = _request(port, "GET", "/healthz")
    assert status == 503
    status, headers, raw = _request(
        port,
        "POST",
        f"/api/v1/inventories/{SLUG}/features",
        _body(9999),
        {
            "Authorization": f"Bearer {site['tokens'][0]}",
            "Content-Type": "application/json",
            "Idempotency-Key": "probe-while-down",
            "Accept-Language": "fr",
        },
    )
    assert time.monotonic() - started < 10, "a request hung while the database was down"
    assert status == 503, support.log_tail(site["log"], 8000)
    assert headers["Retry-After"]
    error = json.loads(raw)["error"]
    assert error["code"] == "unavailable"
    assert error["message"] == "Le service est temporairement indisponible."
    status, headers, raw = _request(port, "GET", "/", headers={"Accept-Language": "fr"})
    assert status == 503 and headers["Retry-After"]
    assert "Réessayez dans quelques secondes." in raw.decode("utf-8")
    cluster.start()

    for resident in residents:
        resident.join(timeout=120)
    assert not any(r.is_alive() for r in residents), "residents still waiting"
    assert [r.error for r in residents if r.error] == []

    # Every 5xx the residents met was the one error shape, never a hang or an HTML page.
    refusals = [raw for r in residents for _status, raw in r.refusals]
    assert all(json.loads(raw)["error"]["code"] == "unavailable" for raw in refusals), refusals[:3]
    keys = [key for r in residents for key in r.accepted]
    ids = [fid for r in residents for fid in r.accepted.values()]
    assert len(keys) == len(set(keys)) == total
    assert len(set(ids)) == total  # each submission its own feature
    app = site["app"]
    with app.app_context():
        stored = db.session.scalars(
            select(Feature.id).where(Feature.inventory_id == site["inventory_id"])
        ).all()
        # The probe sent while the database was down was refused: it changed nothing.
        assert sorted(stored) == sorted(ids)
        assert db.session.scalar(select(func.count(Feature.id))) == total
        db.session.remove()
    # The faults really happened: the killed worker was replaced, the server still answers.
    assert site["server"].poll() is None
    assert _status(port, "GET", "/healthz") == 200
    print(
        f"faults: {total} accepted, {sum(r.lost for r in residents)} connections lost, "
        f"{len(refusals)} answers 503 during the restart"
    )
