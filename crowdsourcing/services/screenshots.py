"""Screenshots of app proposals: checked from their bytes with Pillow, re-encoded from the
pixels (which drops EXIF and any other metadata), stored under UPLOAD_DIR."""

import contextlib
import os
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l

from crowdsourcing.hackathon_models import Screenshot
from webapp import images
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.text import one_line

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400
MAX_PER_PROPOSAL = 6
REFUSALS = {
    images.EMPTY: _l("The image file is empty."),
    images.TOO_BIG: _l("An image must be under 5 MB."),
    images.FORMAT: _l("The image must be a PNG, JPEG or WebP file."),
    images.PIXELS: _l("The image has too many pixels (at most 40 megapixels)."),
    images.UNREADABLE: _l("This file is not a readable image."),
}


def _refuse(message):
    return ValidationError("screenshot.invalid", fields={"screenshot": [message]})


def clean(data):
    """Return (bytes, media type, width, height) of a safe re-encoded image, or refuse it."""
    try:
        picture = images.reencode(data, MAX_BYTES, MAX_SIDE, MAX_PIXELS, keep_png=True)
    except images.Refused as refused:
        raise _refuse(REFUSALS[refused.reason]) from None
    return picture.data, picture.media_type, picture.width, picture.height


def folder():
    return os.path.join(current_app.config["UPLOAD_DIR"], "crowdsourcing", "screenshots")


def store(proposal, data, caption, actor):
    """Check, write the file and add its row (inside the caller's unit of work)."""
    if len(proposal.screenshots) >= MAX_PER_PROPOSAL:
        raise _refuse(_l("At most %(n)d images per proposal.", n=MAX_PER_PROPOSAL))
    caption = one_line(caption) or None
    if caption and len(caption) > 200:
        raise ValidationError(
            "screenshot.invalid", fields={"caption": [_l("At most %(n)d characters.", n=200)]}
        )
    content, media_type, width, height = clean(data)
    extension = "png" if media_type == "image/png" else "jpg"
    relative = os.path.join(str(proposal.id), f"{uuid.uuid4().hex}.{extension}")
    path = os.path.join(folder(), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
    row = Screenshot(
        proposal_id=proposal.id,
        path=relative,
        media_type=media_type,
        width=width,
        height=height,
        size=len(content),
        caption=caption,
        uploader_id=getattr(actor, "id", None),
    )
    proposal.screenshots.append(row)
    db.session.flush()
    return row


def remove_file(relative):
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(folder(), relative))
