"""The backup archive: a tar.gz holding a manifest, the database and the uploaded files.

Layout: `manifest.json` (written last), `database.dump` (pg_dump custom format) or
`database.sqlite`, and `uploads/<path>` for every file under UPLOAD_DIR. The manifest
lists each member with its size and SHA-256; a restore reads nothing it does not list.
"""

import hashlib
import io
import json
import os
import posixpath
import tarfile
import zlib

from flask_babel import lazy_gettext as _l

from webapp.errors import ValidationError

FORMAT = "fabrique-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads/"
DATABASE_MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite"}
_CHUNK = 1024 * 1024


class BackupError(ValidationError):
    """A backup or a restore was refused; nothing was changed."""


def corrupt(detail=""):
    message = _l("The backup archive is damaged or incomplete; nothing was changed.")
    return BackupError("backup.corrupt", message=message, fields={"archive": [detail]})


class _HashingReader:
    """Read a file while hashing exactly the bytes handed to the archive."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


class Writer:
    """Write members one by one, remembering their checksums for the manifest."""

    def __init__(self, fileobj):
        self.tar = tarfile.open(fileobj=fileobj, mode="w:gz", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.entries = []

    def add_file(self, source_path, name):
        with open(source_path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, 0o600, int(os.path.getmtime(source_path))
            reader = _HashingReader(handle)
            self.tar.addfile(info, reader)
        self.entries.append({"path": name, "size": size, "sha256": reader.digest.hexdigest()})

    def add_tree(self, root):
        """Add every regular file under `root` as uploads/<relative path>, in a stable order."""
        for directory, dirs, names in os.walk(root):
            dirs.sort()
            dirs[:] = [d for d in dirs if not d.startswith(".restore-")]
            for name in sorted(names):
                path = os.path.join(directory, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    relative = os.path.relpath(path, root).replace(os.sep, "/")
                    self.add_file(path, UPLOADS + relative)

    def close(self, manifest):
        manifest = {**manifest, "files": self.entries}
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, int(_now_ts())
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()
        return manifest


def _now_ts():
    import time

    return time.time()


def _safe_name(name):
    normalised = posixpath.normpath(name)
    return (
        normalised == name
        and not name.startswith("/")
        and ".." not in name.split("/")
        and "\\" not in name
        and "\x00" not in name
    )


def _open(path):
    try:
        return tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise corrupt(str(exc)) from None


def read_manifest(path):
    """Return the archive's manifest after checking its shape (not yet the checksums)."""
    tar = _open(path)
    try:
        with tar:
            member = tar.getmember(MANIFEST)
            manifest = json.load(tar.extractfile(member))
    except (KeyError, ValueError, tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise corrupt(f"manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise corrupt("manifest: not a Fabrique backup")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and _safe_name(f["path"])
        for f in files
    ):
        raise corrupt("manifest: bad file list")
    return manifest


def walk(path, manifest, extract_to=None):
    """Check every member against the manifest; write them under `extract_to` if given.

    Raises BackupError on any difference: a missing, extra, unsafe or altered member.
    """
    expected = {f["path"]: f for f in manifest["files"]}
    seen = set()
    tar = _open(path)
    try:
        with tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                entry = expected.get(member.name)
                if entry is None or not member.isfile() or member.name in seen:
                    raise corrupt(f"unexpected member {member.name!r}")
                seen.add(member.name)
                _copy_member(tar, member, entry, extract_to)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise corrupt(str(exc)) from None
    missing = set(expected) - seen
    if missing:
        raise corrupt(f"missing {sorted(missing)[0]!r}")


def _copy_member(tar, member, entry, extract_to):
    digest, size = hashlib.sha256(), 0
    source = tar.extractfile(member)
    target = None
    if extract_to is not None:
        destination = os.path.join(extract_to, *member.name.split("/"))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        target = open(destination, "xb")  # noqa: SIM115 - closed below
    try:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if target is not None:
                target.write(chunk)
    finally:
        if target is not None:
            target.close()
    if size != entry.get("size") or digest.hexdigest() != entry.get("sha256"):
        raise corrupt(f"checksum of {member.name!r}")
