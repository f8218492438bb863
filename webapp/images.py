"""Uploaded pictures: checked from their bytes (format, size, pixels, decompression bombs)
and re-encoded from their pixels, so no metadata (EXIF, with any GPS position) survives."""

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

# MPO is how Pillow names a JPEG holding several pictures, as many phones write them.
FORMATS = ("JPEG", "MPO", "PNG", "WEBP")
EMPTY, TOO_BIG, FORMAT, PIXELS, UNREADABLE = "empty", "too_big", "format", "pixels", "unreadable"


class Refused(Exception):
    """Why a picture was refused: one of EMPTY, TOO_BIG, FORMAT, PIXELS, UNREADABLE.
    Callers turn it into their own, translated message."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Picture:
    def __init__(self, data, width, height, media_type):
        self.data, self.width, self.height, self.media_type = data, width, height, media_type


def reencode(
    data,
    max_bytes,
    max_side,
    max_pixels=40_000_000,
    keep_png=False,
    quality=85,
    box=None,
    always_png=False,
):
    """A checked picture turned upright, fitted in `max_side` (or in a `box` of width and
    height), as JPEG; as PNG when asked (`keep_png` for PNG input, `always_png` for any)."""
    if not data:
        raise Refused(EMPTY)
    if len(data) > max_bytes:
        raise Refused(TOO_BIG)
    try:
        with warnings.catch_warnings():
            # Our pixel limit is far below Pillow's warning threshold: its warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        with img:
            if img.format not in FORMATS:
                raise Refused(FORMAT)
            if img.width * img.height > max_pixels:
                raise Refused(PIXELS)
            img.load()
            png = always_png or (keep_png and img.format == "PNG")
            picture = ImageOps.exif_transpose(img).convert("RGBA" if png else "RGB")
    except Image.DecompressionBombError:
        raise Refused(PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise Refused(UNREADABLE) from None
    picture.thumbnail(box or (max_side, max_side))
    out = io.BytesIO()
    if png:
        picture.save(out, format="PNG", optimize=True)
    else:
        picture.save(out, format="JPEG", quality=quality)
    return Picture(
        out.getvalue(), picture.width, picture.height, "image/png" if png else "image/jpeg"
    )
