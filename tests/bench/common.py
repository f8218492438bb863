"""Shared pieces of the benchmarks: databases, bulk loads, a gunicorn server, timing."""

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from tests import backends

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BOX = (3.80, 43.55, 3.95, 43.65)  # Montpellier and around, lon/lat


def median_ms(samples):
    return statistics.median(samples) * 1000


def p95_ms(samples):
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)] * 1000


def timed(fn, repeat=5):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


class Env:
    """A migrated database of one backend, an app bound to it, and an organiser."""

    def __init__(self, backend, name):
        self.backend = backend
        self.tmp = tempfile.mkdtemp(prefix=f"bench-{backend}-")
        self.url = backends.database_url(backend, name, self.tmp)
        self.instance = os.path.join(self.tmp, "instance")
        self.app = backends.make_app(self.url, self.instance, TESTING=False)
        with self.app.app_context():
            backends.upgrade(self.app)

    def drop(self):
        from webapp.extensions import db

        with self.app.app_context():
            db.engine.dispose()
        backends.drop_database(self.backend, self.url)


def make_inventory(env, slug="bench"):
    """An open, post-moderated biodiversity inventory over the whole box, and its organiser."""
    from mapping.services import inventories
    from tests import factories

    with env.app.app_context():
        organiser = factories.user(roles=["organiser", "moderator"])
        data = inventories.template_data("biodiversity")
        data.update(
            title="Inventaire de mesure",
            slug=slug,
            status="open",
            moderation_mode="post",
            area=factories.square(3.70, 43.45, 4.05, 43.75),
        )
        inventory = inventories.create(organiser, data)
        return inventory.id, organiser.id


def bulk_features(env, inventory_id, user_id, count, seed=1):
    """Insert `count` published points spread over BOX, the fastest way each backend allows."""
    rng = random.Random(seed)
    minlon, minlat, maxlon, maxlat = BOX

    def rows():
        for i in range(count):
            lon = round(rng.uniform(minlon, maxlon), 7)
            lat = round(rng.uniform(minlat, maxlat), 7)
            props = json.dumps(
                {"scientific_name": f"Species {i % 500}", "observed_on": "2026-05-01"}
            )
            yield lon, lat, props

    if env.backend == "postgis":
        _copy_pg(env, inventory_id, user_id, rows())
    else:
        _insert_sqlite(env, inventory_id, user_id, rows())
    # Loaded with the map grid's triggers off (as an operator's bulk load would): rebuild it.
    from mapping.services import map_grid

    with env.app.app_context():
        map_grid.rebuild(inventory_id)


def _copy_pg(env, inventory_id, user_id, rows):
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(env.url).database
    columns = (
        "inventory_id, geom, public_geom, public_lon, public_lat, geometry_type, properties, "
        "public_properties, is_sensitive, status, revision, confirmations, created_by_id, "
        "updated_by_id, created_at, updated_at"
    )
    with psycopg.connect(dbname=name, host=backends.PG_SOCKET, user="root") as conn:
        conn.execute("SET session_replication_role = replica")  # no per-row triggers
        with conn.cursor().copy(f"COPY mapping_feature ({columns}) FROM STDIN") as copy:
            for lon, lat, props in rows:
                point = f"SRID=4326;POINT({lon} {lat})"
                copy.write_row(
                    (
                        inventory_id,
                        point,
                        point,
                        lon,
                        lat,
                        "Point",
                        props,
                        props,
                        False,
                        "published",
                        1,
                        0,
                        user_id,
                        user_id,
                        "2026-05-01T10:00:00+00",
                        "2026-05-01T10:00:00+00",
                    )
                )
        conn.execute("ANALYZE mapping_feature")


def _insert_sqlite(env, inventory_id, user_id, rows):
    from webapp.db import sqlite_engine_options

    module = sqlite_engine_options(env.url).get("module")
    import sqlite3

    conn = (module or sqlite3).connect(env.url.removeprefix("sqlite:///"))
    conn.enable_load_extension(True)
    conn.load_extension("mod_spatialite")
    for column in ("geom", "public_geom"):
        conn.execute(f"SELECT DisableSpatialIndex('mapping_feature', '{column}')")
        conn.execute(f"DROP TABLE IF EXISTS idx_mapping_feature_{column}")
    grid_triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE 'mapping_feature_grid_%'"
    ).fetchall()
    for name, _sql in grid_triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.executemany(
        "INSERT INTO mapping_feature (inventory_id, geom, public_geom, public_lon, public_lat, "
        "geometry_type, properties, public_properties, is_sensitive, status, revision, "
        "confirmations, created_by_id, updated_by_id, created_at, updated_at) VALUES "
        "(?, GeomFromText(?, 4326), GeomFromText(?, 4326), ?, ?, 'Point', ?, ?, 0, "
        "'published', 1, 0, ?, ?, '2026-05-01 10:00:00+00:00', '2026-05-01 10:00:00+00:00')",
        (
            (
                inventory_id,
                f"POINT({lon} {lat})",
                f"POINT({lon} {lat})",
                lon,
                lat,
                props,
                props,
                user_id,
                user_id,
            )
            for lon, lat, props in rows
        ),
    )
    conn.commit()
    for _name, sql in grid_triggers:
        conn.execute(sql)
    for column in ("geom", "public_geom"):
        conn.execute(f"SELECT CreateSpatialIndex('mapping_feature', '{column}')")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def raw_connection(env):
    """A plain driver connection in autocommit mode: the database alone, no app around it."""
    if env.backend == "postgis":
        import psycopg
        from sqlalchemy.engine import make_url

        return psycopg.connect(
            dbname=make_url(env.url).database, host=backends.PG_SOCKET, user="root", autocommit=True
        )
    import sqlite3

    from webapp.db import sqlite_engine_options

    module = sqlite_engine_options(env.url).get("module") or sqlite3
    conn = module.connect(env.url.removeprefix("sqlite:///"), isolation_level=None)
    conn.enable_load_extension(True)
    conn.load_extension("mod_spatialite")
    return conn


@contextmanager
def gunicorn(env, workers=4, threads=1, extra_env=None):
    """Serve the app with gunicorn on a free port; yield its base URL."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server_env = {
        **os.environ,
        "DATABASE_URL": env.url,
        "FABRIQUE_INSTANCE": env.instance,
        "FABRIQUE_ENV": "development",
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": "false",
        "MAIL_BACKEND": "file",
        **(extra_env or {}),
    }
    if "REDIS_URL" not in (extra_env or {}):
        server_env.pop("REDIS_URL", None)  # jobs inline, unless the scenario brings a worker
    log = open(os.path.join(env.tmp, "gunicorn.log"), "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
            "webapp:create_app()",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


def stop(proc, timeout=15):
    """Ask a server or worker process to stop; kill it if it does not within `timeout`."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait(port, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _body = get(f"http://127.0.0.1:{port}/healthz")
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


_connections = {}


def get(url, headers=None):
    """A GET over a kept-alive connection (one per host), returning (status, body)."""
    parts = urllib.parse.urlsplit(url)
    conn = _connections.get(parts.netloc)
    if conn is None:
        conn = _connections[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=60)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
    except (http.client.HTTPException, OSError):
        conn.close()
        _connections.pop(parts.netloc, None)
        raise
    return response.status, response.read()
