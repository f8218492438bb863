"""`flask backup` and `flask restore`: a full round trip on each backend, and every refusal
(damaged archive, other backend, newer schema, target holding data) changing nothing."""

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile

import pytest
from flask_migrate import upgrade as alembic_upgrade
from sqlalchemy import func, inspect, select, text

from mapping.models import Photo
from tests import backends, factories
from tests.mapping.helpers import jpeg
from tests.workshops import add_session, workshop
from webapp.backup import databases
from webapp.extensions import db
from webapp.registrations import services as registrations

pytestmark = pytest.mark.xdist_group("backup")


def _fresh_app(backend, name, tmp_root):
    """An app on a new, empty database (not migrated) and an empty upload folder."""
    url = backends.database_url(backend, name, tmp_root)
    instance = os.path.join(tmp_root, f"instance-{name}-{backend}")
    shutil.rmtree(instance, ignore_errors=True)
    return backends.make_app(url, instance), url


def _dispose(app, backend, url):
    with app.app_context():
        db.engine.dispose()
    backends.drop_database(backend, url)


def _seed():
    organiser = factories.user(email="orga@example.org", roles=["organiser"])
    author = factories.user(email="author@example.org")
    inventory = factories.inventory(organiser)
    feature = factories.feature(inventory, author, photos={"photo": jpeg((120, 80))})
    factories.feature(inventory, author)
    row = workshop(organiser)
    add_session(row, organiser)
    event = factories.event(organiser)
    registrations.register(author, event.id)
    return db.session.scalar(select(Photo.id).where(Photo.feature_id == feature.id))


def _counts(app):
    """Rows of every table of the database, the spatial machinery included."""
    with app.app_context(), db.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {
            name: connection.scalar(select(func.count()).select_from(text(f'"{name}"')))
            for name in names
        }


def _checksums(root):
    found = {}
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return found


def _run(app, *args, env=None):
    return app.test_cli_runner().invoke(args=list(args), env=env or {"LANG": "en_GB.UTF-8"})


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def source(request, tmp_root):
    """A migrated, seeded app on `backend`, its archive, counts and file checksums."""
    backend = request.param
    app, url = _fresh_app(backend, "backup-source", tmp_root)
    with app.app_context():
        backends.upgrade(app)
        photo_id = _seed()
    result = _run(app, "backup", os.path.join(tmp_root, f"archives-{backend}", ""))
    assert result.exit_code == 0, result.output
    [path] = [
        os.path.join(tmp_root, f"archives-{backend}", n)
        for n in os.listdir(os.path.join(tmp_root, f"archives-{backend}"))
    ]
    yield {
        "backend": backend,
        "app": app,
        "archive": path,
        "photo_id": photo_id,
        "counts": _counts(app),
        "files": _checksums(app.config["UPLOAD_DIR"]),
        "output": result.output,
    }
    _dispose(app, backend, url)


@pytest.fixture
def target(source, tmp_root):
    app, url = _fresh_app(source["backend"], "backup-target", tmp_root)
    yield app
    _dispose(app, source["backend"], url)


def test_backup_writes_a_private_archive_with_its_manifest(source):
    assert "Backup written to" in source["output"]
    assert oct(os.stat(source["archive"]).st_mode & 0o777) == "0o600"
    with tarfile.open(source["archive"]) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format_version"] == 1
    assert manifest["backend"] == {"sqlite": "sqlite", "postgis": "postgresql"}[source["backend"]]
    assert manifest["alembic_revision"] == "0010_hackathons"
    assert manifest["app_version"] and manifest["created_at"]
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    uploads = {k: v for k, v in listed.items() if k.startswith("uploads/")}
    assert uploads == {"uploads/" + k: v for k, v in source["files"].items()}
    assert any("/photos/" in k for k in uploads)


def test_the_command_line_backs_up_the_database_named_by_the_environment(source, tmp_path):
    app = source["app"]
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "FABRIQUE_INSTANCE": app.instance_path,
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "BACKUP_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret-key",
        "LANGUAGE": "",
        "LANG": "en_GB.UTF-8",
    }
    result = backends.run_flask(["backup"], env, check=False)
    assert result.returncode == 0, result.stderr
    [name] = os.listdir(tmp_path)
    assert name.startswith("fabrique-") and name.endswith(".tar.gz")
    with tarfile.open(tmp_path / name) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    uploads = {
        f["path"]: f["sha256"] for f in manifest["files"] if f["path"].startswith("uploads/")
    }
    assert uploads == {"uploads/" + k: v for k, v in source["files"].items()}


def test_restore_into_an_empty_instance_brings_back_every_row_and_file(source, target):
    result = _run(target, "restore", source["archive"])
    assert result.exit_code == 0, result.output
    assert "Restored the backup" in result.output and "db upgrade" not in result.output
    assert _counts(target) == source["counts"]
    assert _checksums(target.config["UPLOAD_DIR"]) == source["files"]
    # The restored instance works: its members log in and their photos are served.
    client = target.test_client()
    factories.login(client, "author@example.org")
    response = client.get(f"/mapping/photos/{source['photo_id']}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() in source["files"].values()
    response.close()


def test_restore_refuses_a_target_holding_data_unless_forced(source, target):
    assert _run(target, "restore", source["archive"]).exit_code == 0
    with target.app_context():
        factories.user(email="newcomer@example.org")
    before, files = _counts(target), _checksums(target.config["UPLOAD_DIR"])
    refused = _run(target, "restore", source["archive"])
    assert refused.exit_code != 0
    assert "already holds data" in refused.output and "--force" in refused.output
    assert (_counts(target), _checksums(target.config["UPLOAD_DIR"])) == (before, files)
    stray = os.path.join(target.config["UPLOAD_DIR"], "stray.txt")
    with open(stray, "w") as handle:
        handle.write("not in the archive")
    forced = _run(target, "restore", "--force", source["archive"])
    assert forced.exit_code == 0, forced.output
    assert _counts(target) == source["counts"]
    assert _checksums(target.config["UPLOAD_DIR"]) == source["files"]


def _rewrite(source_path, destination, manifest_change=None, member_change=None):
    """Copy an archive, changing its manifest or the bytes of one member."""
    with tarfile.open(source_path) as tar, tarfile.open(destination, "w:gz") as out:
        for member in tar:
            data = tar.extractfile(member).read()
            if member.name == "manifest.json" and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            elif member_change and member.name.startswith("uploads/"):
                data, member_change = data[:-1] + bytes([data[-1] ^ 1]), None
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return destination


def _truncated(source_path, destination):
    with open(source_path, "rb") as handle:
        data = handle.read()
    with open(destination, "wb") as handle:
        handle.write(data[: len(data) // 2])
    return destination


def _other_backend(manifest):
    manifest["backend"] = "postgresql" if manifest["backend"] == "sqlite" else "sqlite"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda s, d: _truncated(s, d), "damaged"),
        (lambda s, d: _rewrite(s, d, member_change=True), "damaged"),
        (lambda s, d: _rewrite(s, d, manifest_change=_other_backend), "this instance uses"),
        (
            lambda s, d: _rewrite(
                s, d, manifest_change=lambda m: m.update(alembic_revision="0099_future")
            ),
            "newer version",
        ),
    ],
    ids=["truncated", "altered-file", "other-backend", "newer-schema"],
)
def test_restore_refuses_a_bad_archive_and_changes_nothing(
    source, target, tmp_path, make, expected
):
    bad = make(source["archive"], str(tmp_path / "bad.tar.gz"))
    before = _counts(target)
    result = _run(target, "restore", "--force", bad)
    assert result.exit_code != 0
    assert expected in result.output
    assert _counts(target) == before
    assert _checksums(target.config["UPLOAD_DIR"]) == {}


def test_refusals_are_in_french_by_default(source, target, tmp_path):
    bad = _truncated(source["archive"], str(tmp_path / "bad.tar.gz"))
    result = _run(target, "restore", bad, env={"LANG": "C", "LANGUAGE": ""})
    assert result.exit_code != 0
    assert "L’archive de sauvegarde est abîmée" in result.output


def test_a_gzip_file_that_is_not_a_backup_is_refused(target, tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_bytes(gzip.compress(b"not a tar file at all" * 50))
    result = _run(target, "restore", str(path))
    assert result.exit_code != 0 and "damaged" in result.output


def test_an_archive_of_an_older_schema_is_restored_and_asks_for_an_upgrade(source, tmp_root):
    backend = source["backend"]
    old, old_url = _fresh_app(backend, "backup-old", tmp_root)
    try:
        with old.app_context():
            alembic_upgrade(
                directory=old.extensions["migrate"].directory, revision="0009_workshops"
            )
            factories.user(email="early@example.org")
        written = _run(old, "backup", os.path.join(tmp_root, f"old-{backend}.tar.gz"))
        assert written.exit_code == 0, written.output
        path = written.output.split(" to ", 1)[1].split(" (", 1)[0]
    finally:
        _dispose(old, backend, old_url)
    app, url = _fresh_app(backend, "backup-old-target", tmp_root)
    try:
        result = _run(app, "restore", path)
        assert result.exit_code == 0, result.output
        assert "run `flask db upgrade` now" in result.output
        with app.app_context():
            backends.upgrade(app)
            with db.engine.connect() as connection:
                assert databases.current_revision(connection) == "0010_hackathons"
        factories.login(app.test_client(), "early@example.org")
    finally:
        _dispose(app, backend, url)


@pytest.mark.parametrize(
    ("url", "conninfo", "env"),
    [
        (
            "postgresql+psycopg://root@/fabrique?host=/var/run/postgresql",
            {"dbname": "fabrique", "user": "root", "host": "/var/run/postgresql"},
            {},
        ),
        (
            "postgresql+psycopg://fab:s3cr%40t%20pw@db.example.org:6543/prod?sslmode=require",
            {
                "dbname": "prod",
                "user": "fab",
                "host": "db.example.org",
                "port": "6543",
                "sslmode": "require",
            },
            {"PGPASSWORD": "s3cr@t pw"},
        ),
        (
            "postgresql+psycopg:///fabrique",
            {"dbname": "fabrique"},
            {},
        ),
    ],
    ids=["socket", "tcp-password-ssl", "defaults"],
)
def test_the_database_url_becomes_libpq_settings_without_the_password(url, conninfo, env):
    from psycopg.conninfo import conninfo_to_dict

    text_info, environment = databases.libpq_params(url)
    assert conninfo_to_dict(text_info) == conninfo
    assert environment == env


def test_backup_of_a_database_without_schema_says_to_migrate_first(target, tmp_path):
    result = _run(target, "backup", str(tmp_path) + os.sep)
    assert result.exit_code != 0
    assert "run `flask db upgrade` first" in result.output
    assert os.listdir(tmp_path) == []
