"""Screenshots of app proposals: checked from their bytes with Pillow, re-encoded from the
pixels (which drops EXIF and any other metadata), stored under UPLOAD_DIR."""

import contextlib
import io
import os
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from crowdsourcing.hackathon_models import Screenshot
from webapp.errors import ValidationError
from webapp.extensions import db

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400
MAX_PER_PROPOSAL = 6
FORMATS = ("JPEG", "PNG", "WEBP")


def _refuse(message):
    return ValidationError("screenshot.invalid", fields={"screenshot": [message]})


def clean(data):
    """Return (bytes, media type, width, height) of a safe re-encoded image, or refuse it."""
    if not data:
        raise _refuse(_l("The image file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_l("An image must be under 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in FORMATS:
                raise _refuse(_l("The image must be a PNG, JPEG or WebP file."))
            if img.width * img.height > MAX_PIXELS:
                raise _refuse(_l("The image has too many pixels (at most 40 megapixels)."))
            img.load()
            source_format = img.format
            picture = ImageOps.exif_transpose(img)
            picture = picture.convert("RGBA" if source_format == "PNG" else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _refuse(_l("This file is not a readable image.")) from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if source_format == "PNG":
        picture.save(out, format="PNG", optimize=True)
        media_type = "image/png"
    else:
        picture.save(out, format="JPEG", quality=85)
        media_type = "image/jpeg"
    return out.getvalue(), media_type, picture.width, picture.height


def folder():
    return os.path.join(current_app.config["UPLOAD_DIR"], "crowdsourcing", "screenshots")


def store(proposal, data, caption, actor):
    """Check, write the file and add its row (inside the caller's unit of work)."""
    if len(proposal.screenshots) >= MAX_PER_PROPOSAL:
        raise _refuse(_l("At most %(n)d images per proposal.", n=MAX_PER_PROPOSAL))
    caption = " ".join((caption or "").split()) or None
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
