"""Create, migrate and drop the test databases of each backend."""

import os
import shutil
import subprocess

import pytest

from webapp.factory import create_app

PG_SOCKET = "/var/run/postgresql"


def _ci():
    return os.environ.get("CI", "").lower() == "true"


def _pg_admin_url(dbname="postgres"):
    return os.environ.get(
        "TEST_PG_ADMIN_URL", f"postgresql+psycopg://root@/{dbname}?host={PG_SOCKET}"
    )


def unavailable(backend):
    """Return why a backend cannot run here, or None."""
    if backend == "postgis":
        import psycopg

        try:
            with psycopg.connect(
                dbname="postgres", host=PG_SOCKET, user="root", autocommit=True
            ) as conn:
                row = conn.execute(
                    "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
                ).fetchone()
        except psycopg.Error as exc:
            return f"PostgreSQL is not reachable ({exc.__class__.__name__})"
        if row is None:
            return (
                "the PostGIS extension is not installed (apt-get install postgresql-15-postgis-3)"
            )
        return None
    if backend == "sqlite":
        return (
            None
            if _spatialite_available()
            else "mod_spatialite is missing (libsqlite3-mod-spatialite)"
        )
    return f"unknown backend {backend}"


def _spatialite_available():
    return (
        any(
            os.path.exists(os.path.join(d, "mod_spatialite.so"))
            for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")
        )
        or shutil.which("spatialite") is not None
    )


def require(backend):
    """Skip (locally) or fail (in CI) when a backend is missing."""
    problem = unavailable(backend)
    if problem:
        if _ci():
            pytest.fail(f"CI=true and {backend} is unavailable: {problem}", pytrace=False)
        pytest.skip(f"{backend} unavailable: {problem}")


def database_url(backend, suffix, tmp_root):
    require(backend)
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(tmp_root, f'test-{suffix}.sqlite')}"
    import psycopg

    name = f"fabrique_test_{suffix}_{os.getpid()}"
    with psycopg.connect(dbname="postgres", host=PG_SOCKET, user="root", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://root@/{name}?host={PG_SOCKET}"


def drop_database(backend, url):
    if backend == "sqlite":
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(dbname="postgres", host=PG_SOCKET, user="root", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_config(url, instance, **extra):
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": None,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": os.path.join(instance, "mail"),
        "UPLOAD_DIR": os.path.join(instance, "uploads"),
        "SERVER_NAME_FOR_MAIL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Tests log many people in; the rate-limit tests use the real limit (tests.strict_limits).
        "AUTH_RATE_LIMIT": "100000 per minute",
    }
    config.update(extra)
    return config


def make_app(url, instance, **extra):
    os.makedirs(instance, exist_ok=True)
    return create_app(test_config(url, instance, **extra))


def upgrade(app):
    from flask_migrate import upgrade as alembic_upgrade

    alembic_upgrade(directory=app.extensions["migrate"].directory)


def run_flask(args, env, check=True):
    """Run `flask --app webapp …` in a subprocess with the given environment."""
    full_env = {**os.environ, **env}
    return subprocess.run(
        [os.path.join(os.path.dirname(os.sys.executable), "flask"), "--app", "webapp", *args],
        env=full_env,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )
