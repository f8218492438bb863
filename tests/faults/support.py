"""What the fault tests share: a committed database per backend, Redis, waiting on a
condition (never a blind sleep), and files of many rows to import."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis

ROOT = Path(__file__).resolve().parents[2]
BIN = os.path.dirname(sys.executable)


def redis_or_skip():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # any connection problem
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and Redis is unavailable at {url}: {exc}", pytrace=False)
        pytest.skip(f"Redis unavailable at {url}: {exc}")
    return url


def wait_until(condition, timeout=60, interval=0.05, what="the condition"):
    """Poll `condition()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def trees_csv(count, ref_prefix="T", outside=()):
    """A CSV of `count` trees around Montpellier; rows numbered in `outside` lie in Paris."""
    lines = ["ref;longitude;latitude;NOM_LATIN"]
    for n in range(1, count + 1):
        lon, lat = (2.35, 48.85) if n in outside else (3.80 + (n % 997) / 10000, 43.58 + n / 1e6)
        lines.append(f"{ref_prefix}{n};{lon:.6f};{lat:.6f};Platanus {n % 7}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def start_import(actor, inventory, name, content):
    """Upload a file and start its import with the id column `ref` and the species."""
    from mapping.services import imports

    record = imports.upload(actor, inventory.id, name, content)
    options = {
        "fields": dict(record.options["fields"], species="NOM_LATIN"),
        "geometry": record.options["geometry"],
        "crs": "auto",
        "id_column": "ref",
    }
    return imports.start(actor, record.id, options)


def popen(args, env, log_path):
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed by stop)
    proc = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log_file = log
    return proc


def stop(proc, timeout=15):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.log_file.close()


def log_tail(path, chars=3000):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()[-chars:]


PG_BIN = "/usr/lib/postgresql/15/bin"


class PrivateCluster:
    """A throw-away PostgreSQL cluster in a temporary folder, on its own socket and port, that
    a test may stop and restart without touching the machine's cluster other tests use.

    Runs as the `postgres` system user (PostgreSQL refuses to run as root), trust auth on
    the private socket only (no TCP)."""

    def __init__(self, tmp_root, port):
        import pwd

        self.port = port
        self.root = os.path.join(tmp_root, f"pg-{port}")
        self.data = os.path.join(self.root, "data")
        self.socket = os.path.join(self.root, "socket")
        os.makedirs(self.socket, exist_ok=True)
        user = pwd.getpwnam("postgres")
        for path in (self.root, self.socket):
            os.chown(path, user.pw_uid, user.pw_gid)
        # The postgres user must reach the folder (pytest's temporary root is private).
        os.chmod(tmp_root, 0o711)
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8")

    @staticmethod
    def unavailable():
        if not os.path.exists(os.path.join(PG_BIN, "initdb")):
            return f"no PostgreSQL 15 server binaries in {PG_BIN}"
        if os.geteuid() != 0:
            return "a private cluster needs root, to run it as the postgres user"
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "no postgres system user"
        return None

    def _run(self, tool, *args):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, tool), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def _ctl(self, action, *extra):
        options = f"-p {self.port} -k {self.socket} -c listen_addresses='' -c fsync=off"
        self._run(
            "pg_ctl",
            action,
            "-D",
            self.data,
            "-w",
            "-t",
            "60",
            "-l",
            os.path.join(self.root, "server.log"),
            "-o",
            options,
            *extra,
        )

    def start(self):
        self._ctl("start")

    def stop(self):
        self._ctl("stop", "-m", "fast")

    def url(self, dbname):
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.socket}&port={self.port}"

    def create_database(self, name):
        import psycopg

        with psycopg.connect(
            dbname="postgres", host=self.socket, port=self.port, user="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(
            dbname=name, host=self.socket, port=self.port, user="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def destroy(self):
        import contextlib
        import shutil

        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
