"""Back up and restore the database and the uploaded files as one archive."""

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

from flask import current_app
from flask_babel import lazy_gettext as _l

from webapp.backup import archive, databases
from webapp.backup.archive import BackupError
from webapp.extensions import db


@dataclass
class RestoreReport:
    manifest: dict
    needs_upgrade: bool


def _script_directory():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(current_app.extensions["migrate"].directory)


def _app_version():
    try:
        return metadata.version("fabrique")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_path(target=None):
    """Where `backup` writes: a new time-stamped name in BACKUP_DIR, or in `target` if a folder."""
    folder = target if target and (os.path.isdir(target) or target.endswith(os.sep)) else None
    if target and folder is None:
        return target
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"fabrique-{databases.backend()}-{stamp}.tar.gz"
    return os.path.join(folder or current_app.config["BACKUP_DIR"], name)


def create_backup(target=None):
    """Write an archive of the database and UPLOAD_DIR; return (path, manifest)."""
    path = os.path.abspath(default_path(target))
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    with db.engine.connect() as connection:
        revision = databases.current_revision(connection)
    if revision is None:
        raise BackupError(
            "backup.not_migrated",
            message=_l("The database has no schema yet: run `flask db upgrade` first."),
        )
    backend = databases.backend()
    work = tempfile.mkdtemp(prefix=".backup-", dir=folder)
    # The archive holds personal data: readable by its owner only, from the first byte.
    fd, partial = tempfile.mkstemp(prefix=".partial-", suffix=".tar.gz", dir=folder)
    try:
        dump_path = os.path.join(work, archive.DATABASE_MEMBERS[backend])
        databases.dump(dump_path)
        with os.fdopen(fd, "wb") as handle:
            writer = archive.Writer(handle)
            writer.add_file(dump_path, archive.DATABASE_MEMBERS[backend])
            uploads = current_app.config["UPLOAD_DIR"]
            if os.path.isdir(uploads):
                writer.add_tree(uploads)
            manifest = writer.close(
                {
                    "format": archive.FORMAT,
                    "format_version": archive.FORMAT_VERSION,
                    "backend": backend,
                    "alembic_revision": revision,
                    "app_version": _app_version(),
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        os.replace(partial, path)  # a cron job never sees half an archive under the final name
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path, manifest


def _check_compatible(manifest):
    if manifest.get("format_version") != archive.FORMAT_VERSION:
        raise BackupError(
            "backup.format_unknown",
            message=_l("This archive was written by another version of the backup format."),
        )
    backend = databases.backend()
    if manifest.get("backend") != backend:
        raise BackupError(
            "backup.other_backend",
            message=_l(
                "This archive holds a %(archive)s database but this instance uses %(target)s; "
                "nothing was changed.",
                archive=str(manifest.get("backend")),
                target=backend,
            ),
        )
    if archive.DATABASE_MEMBERS[backend] not in {f["path"] for f in manifest["files"]}:
        raise archive.corrupt("database missing")
    script = _script_directory()
    revision = manifest.get("alembic_revision")
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise BackupError(
            "backup.newer_schema",
            message=_l(
                "This archive comes from a newer version of Fabrique (schema %(revision)s): "
                "install that version first; nothing was changed.",
                revision=str(revision),
            ),
        )
    return revision not in script.get_heads()


def _uploaded_files(root):
    if not os.path.isdir(root):
        return []
    return [
        os.path.join(directory, name)
        for directory, dirs, names in os.walk(root)
        for name in names
        if not os.path.relpath(directory, root).startswith(".restore-")
    ]


def _check_target_empty():
    tables = databases.non_empty_tables()
    files = _uploaded_files(current_app.config["UPLOAD_DIR"])
    if tables or files:
        raise BackupError(
            "backup.target_not_empty",
            message=_l(
                "The database or the upload folder already holds data (%(what)s). "
                "Restore into an empty instance, or pass --force to replace everything; "
                "nothing was changed.",
                what=", ".join(tables[:3] + ([current_app.config["UPLOAD_DIR"]] if files else [])),
            ),
        )


def restore_backup(path, force=False):
    """Replace the database and UPLOAD_DIR with the archive's; refuse before changing anything."""
    manifest = archive.read_manifest(path)
    needs_upgrade = _check_compatible(manifest)
    archive.walk(path, manifest)  # every checksum, before touching anything
    if not force:
        _check_target_empty()
    uploads = current_app.config["UPLOAD_DIR"]
    os.makedirs(uploads, exist_ok=True)
    # Staged inside UPLOAD_DIR: same file system, so the files move in without copying.
    staging = tempfile.mkdtemp(prefix=".restore-", dir=uploads)
    try:
        archive.walk(path, manifest, extract_to=staging)
        dump_path = os.path.join(staging, archive.DATABASE_MEMBERS[manifest["backend"]])
        databases.check_dump(dump_path)
        databases.restore(dump_path)
        _replace_uploads(uploads, os.path.join(staging, archive.UPLOADS.rstrip("/")), staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(manifest=manifest, needs_upgrade=needs_upgrade)


def _replace_uploads(uploads, restored, staging):
    for name in os.listdir(uploads):
        path = os.path.join(uploads, name)
        if path == staging:
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    if os.path.isdir(restored):
        for name in os.listdir(restored):
            os.replace(os.path.join(restored, name), os.path.join(uploads, name))
