"""Photos of features: checked from their bytes, EXIF (GPS included) stripped, resized,
stored under UPLOAD_DIR/mapping/photos; thumbnails are made by a job."""

import contextlib
import os
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import select

from mapping import jobs
from mapping.models import Photo
from webapp import images
from webapp.db import unit_of_work
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMB_SIDE = 320
MAX_PER_FIELD = 5
REFUSALS = {
    images.EMPTY: _l("The photo file is empty."),
    images.TOO_BIG: _l("The photo must be under 10 MB."),
    images.FORMAT: _l("The photo must be a JPEG, PNG or WebP image."),
    images.PIXELS: _l("The photo has too many pixels (at most 40 megapixels)."),
    images.UNREADABLE: _l("This file is not a readable image."),
}


def clean(data, field="photo"):
    """Check that the bytes are a photo of a known format and size, and re-encode it."""
    try:
        return images.reencode(data, MAX_BYTES, MAX_SIDE, MAX_PIXELS)
    except images.Refused as refused:
        raise ValidationError("photo.invalid", fields={field: [REFUSALS[refused.reason]]}) from None


def folder():
    return os.path.join(current_app.config["UPLOAD_DIR"], "mapping", "photos")


def store(feature, field_key, photo, actor):
    """Write the file and its row (inside the caller's unit of work); queue the thumbnail."""
    count = db.session.scalar(
        select(db.func.count(Photo.id)).where(
            Photo.feature_id == feature.id, Photo.field_key == field_key
        )
    )
    if count >= MAX_PER_FIELD:
        raise ValidationError(
            "photo.too_many",
            fields={field_key: [_l("At most %(max)d photos per field.", max=MAX_PER_FIELD)]},
        )
    relative = os.path.join(str(feature.id), f"{uuid.uuid4().hex}.jpg")
    path = os.path.join(folder(), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(photo.data)
    row = Photo(
        feature_id=feature.id,
        field_key=field_key,
        uploader_id=getattr(actor, "id", None),
        path=relative,
        width=photo.width,
        height=photo.height,
        size=len(photo.data),
    )
    db.session.add(row)
    db.session.flush()
    jobs.enqueue_after_commit(jobs.make_thumbnail, row.id)
    return row


# A new photo adds to the field (up to MAX_PER_FIELD); earlier ones stay until removed.
replace = store


def discard_files(photos):
    """Remove the files of photos whose transaction did not commit."""
    for photo in photos:
        for relative in (photo.path, photo.thumb_path):
            if relative:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder(), relative))


def fields_with_photos(feature):
    return set(
        db.session.scalars(select(Photo.field_key).where(Photo.feature_id == feature.id).distinct())
    )


def of_feature(feature):
    return db.session.scalars(
        select(Photo).where(Photo.feature_id == feature.id).order_by(Photo.id)
    ).all()


def delete(actor, photo_id):
    """The feature's author or a moderator removes a photo (unless the form requires one)."""
    from mapping import policies

    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise NotFound("photo.not_found")
    from mapping.models import Feature

    feature = db.session.get(Feature, photo.feature_id)
    if not policies.can_edit_feature(actor, feature):
        raise PermissionDenied("photo.cannot_delete")
    field = next((f for f in feature.inventory.fields if f["key"] == photo.field_key), None)
    remaining = db.session.scalar(
        select(db.func.count(Photo.id)).where(
            Photo.feature_id == feature.id, Photo.field_key == photo.field_key
        )
    )
    if field and field.get("required") and remaining <= 1:
        raise ValidationError(
            "photo.required",
            fields={photo.field_key: [_l("This photo is required; add another one first.")]},
        )
    with unit_of_work():
        db.session.delete(photo)
    discard_files([photo])


def make_thumbnail(photo_id):
    """Write the thumbnail of a stored photo; nothing to do if it is gone or already made."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.thumb_path:
        return None
    source = os.path.join(folder(), photo.path)
    if not os.path.exists(source):
        return None
    relative = photo.path[: -len(".jpg")] + "-thumb.jpg"
    with Image.open(source) as img:
        img.thumbnail((THUMB_SIDE, THUMB_SIDE))
        img.save(os.path.join(folder(), relative), format="JPEG", quality=80)
    with unit_of_work():
        photo.thumb_path = relative
    return relative
