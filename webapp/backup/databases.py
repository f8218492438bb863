"""Dump and restore the database: pg_dump/psql for PostgreSQL, the online backup API for SQLite."""

import os
import re
import shutil
import subprocess

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from webapp.backup.archive import BackupError, corrupt
from webapp.extensions import db

# libpq keywords that may come from the query string of DATABASE_URL.
_LIBPQ_QUERY_KEYS = {
    "host",
    "hostaddr",
    "port",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslpassword",
    "application_name",
    "connect_timeout",
    "options",
    "target_session_attrs",
    "gssencmode",
    "service",
    "passfile",
}


def backend(engine=None):
    """'postgresql' or 'sqlite', the name the manifest records."""
    return (engine or db.engine).dialect.name


def libpq_params(url):
    """Split an SQLAlchemy URL into (libpq conninfo without password, environment).

    Handles user:password@host:port/db, a Unix socket given as ?host=/path (or as a
    percent-encoded host), and libpq options such as ?sslmode=require. The password goes
    into PGPASSWORD, never on a command line.
    """
    import psycopg.conninfo

    url = make_url(url)
    params = {"dbname": url.database}
    if url.username:
        params["user"] = url.username
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    for key, value in url.query.items():
        if key in _LIBPQ_QUERY_KEYS:
            params[key] = value if isinstance(value, str) else ",".join(value)
    env = {"PGPASSWORD": url.password} if url.password else {}
    return psycopg.conninfo.make_conninfo(**params), env


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            "backup.tool_missing",
            message=_l(
                "The program %(name)s is missing: install the PostgreSQL client "
                "(apt-get install postgresql-client) in the same major version as the server.",
                name=name,
            ),
        )
    return path


def _run(args, env):
    result = subprocess.run(
        args, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            "backup.tool_failed",
            message=_l("%(name)s failed; nothing was changed.", name=os.path.basename(args[0])),
            fields={"database": [result.stderr.strip()[-2000:]]},
        )
    return result.stdout


def current_revision(connection):
    """The Alembic revision the database is at, or None."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def non_empty_tables(engine=None):
    """Names of the application's tables that hold at least one row."""
    engine = engine or db.engine
    with engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        return [
            table.name
            for table in db.metadata.sorted_tables
            if table.name in existing
            and connection.scalar(select(func.count()).select_from(table)) > 0
        ]


def dump(destination):
    """Write a consistent copy of the database to `destination`."""
    engine = db.engine
    if backend(engine) == "sqlite":
        _sqlite_dump(engine, destination)
    else:
        conninfo, env = libpq_params(engine.url)
        _run([_tool("pg_dump"), "--format=custom", f"--file={destination}", conninfo], env)


def check_dump(source):
    """Refuse a database file the tools cannot read, before anything is changed."""
    if backend() == "sqlite":
        connection = db.engine.dialect.dbapi.connect(source)
        try:
            status = connection.execute("PRAGMA quick_check").fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - any driver error means a bad file
            raise corrupt(f"database: {exc}") from None
        finally:
            connection.close()
        if status != "ok":
            raise corrupt(f"database: {status}")
    else:
        try:
            _restore_list(source)
        except BackupError as error:
            raise corrupt("database: " + "; ".join(error.fields.get("database", []))) from None


def restore(source):
    """Replace the whole database with the dump at `source`, in one transaction."""
    engine = db.engine
    engine.dispose()
    if backend(engine) == "sqlite":
        _sqlite_restore(engine, source)
    else:
        _pg_restore(engine, source)
    engine.dispose()


def _sqlite_dump(engine, destination):
    # The online backup API copies a consistent snapshot while the app keeps writing.
    raw = engine.raw_connection()
    try:
        target = engine.dialect.dbapi.connect(destination)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()


def _sqlite_restore(engine, source):
    origin = engine.dialect.dbapi.connect(source)
    raw = engine.raw_connection()
    try:
        # Page by page into the live file under its write lock: all or nothing.
        origin.backup(raw.driver_connection)
    finally:
        raw.close()
        origin.close()


def _restore_list(source):
    listing = _run([_tool("pg_restore"), "--list", source], {})
    # The PostGIS extension and its reference table belong to the target server.
    return "\n".join(
        line
        for line in listing.splitlines()
        if not re.search(r"\bEXTENSION\b|\bspatial_ref_sys\b|\bSCHEMA - public\b", line)
    )


_WIPE = """
CREATE EXTENSION IF NOT EXISTS postgis;
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.oid::regclass::text AS name, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
  END LOOP;
  -- The app's own functions (the map grid's trigger functions), not PostGIS's.
  FOR r IN
    SELECT p.oid::regprocedure::text AS name FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.name);
  END LOOP;
END $$;
"""


def _pg_restore(engine, source):
    conninfo, env = libpq_params(engine.url)
    folder = os.path.dirname(source)
    listing, wipe, script = (os.path.join(folder, n) for n in ("toc.list", "wipe.sql", "db.sql"))
    with open(listing, "w") as handle:
        handle.write(_restore_list(source))
    with open(wipe, "w") as handle:
        handle.write(_WIPE)
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            f"--use-list={listing}",
            f"--file={script}",
            source,
        ],
        {},
    )
    # One transaction: the old tables are dropped only if the whole dump loads.
    _run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={wipe}",
            f"--file={script}",
            conninfo,
        ],
        env,
    )
