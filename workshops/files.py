"""Uploaded files of workshops: idea photos and session materials.

What a file is comes from its bytes, never from its name or the browser's word: photos are
opened and re-encoded by Pillow (which drops EXIF and any GPS position), materials must start
with the signature of an accepted format.
"""

import io
import os
import uuid
import zipfile

from flask import current_app
from flask_babel import lazy_gettext as _l

from webapp import images
from webapp.errors import ValidationError

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 1600
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.text": ("application/vnd.oasis.opendocument.text", "odt"),
    b"application/vnd.oasis.opendocument.spreadsheet": (
        "application/vnd.oasis.opendocument.spreadsheet",
        "ods",
    ),
    b"application/vnd.oasis.opendocument.presentation": (
        "application/vnd.oasis.opendocument.presentation",
        "odp",
    ),
}


def folder(kind):
    return os.path.join(current_app.config["UPLOAD_DIR"], "workshops", kind)


def path_of(kind, name):
    return os.path.join(folder(kind), os.path.basename(name))


def clean_photo(data):
    """Return the photo as an EXIF-free JPEG of at most 1600 px a side, or refuse it."""
    try:
        return images.reencode(data, PHOTO_MAX_BYTES, PHOTO_MAX_SIDE, PHOTO_MAX_PIXELS).data
    except images.Refused:
        raise ValidationError(
            "idea.photo_invalid",
            fields={"photo": [_l("The photo must be a PNG, JPEG or WebP image under 8 MB.")]},
        ) from None


def sniff_material(data):
    """Return (content type, extension) of an accepted material, read from its bytes."""
    refused = ValidationError(
        "material.file_invalid",
        fields={
            "file": [
                _l("Accepted files: PDF, PNG, JPEG or OpenDocument (ODT, ODS, ODP), under 10 MB.")
            ]
        },
    )
    if not data or len(data) > MATERIAL_MAX_BYTES:
        raise refused
    if data.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if data.startswith(b"PK\x03\x04"):
        # OpenDocument: a zip whose first member, "mimetype", names the format.
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                mimetype = archive.read("mimetype").strip()
        except (zipfile.BadZipFile, KeyError, OSError):
            raise refused from None
        if mimetype in OPENDOCUMENT:
            return OPENDOCUMENT[mimetype]
    raise refused


def store(kind, data, extension):
    """Write bytes under a random name; return the name."""
    os.makedirs(folder(kind), exist_ok=True)
    name = f"{uuid.uuid4().hex}.{extension}"
    with open(path_of(kind, name), "wb") as fh:
        fh.write(data)
    return name


def remove(kind, name):
    if name:
        path = path_of(kind, name)
        if os.path.exists(path):
            os.remove(path)
