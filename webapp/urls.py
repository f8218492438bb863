"""URLs: safe redirect targets (only paths on this site), slugs for readable addresses, and
the converters of every route."""

import re
import unicodedata
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

# Ids and counts are SQL INTEGER columns: 32-bit signed on PostgreSQL.
SQL_INTEGER_MAX = 2**31 - 1


def is_local(target):
    """Say whether `target` is a path on this site (never another host, even disguised)."""
    if not target or not target.startswith("/") or "\\" in target:
        return False
    if any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def slugify(text, limit=80):
    """ASCII, lower case, hyphens: "Îlots de fraîcheur" -> "ilots-de-fraicheur"."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


class IdConverter(IntegerConverter):
    """`<int:…>` bounded to what an id column holds: a larger number is a 404, not a
    database overflow (and the OpenAPI document says so with its `maximum`)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=SQL_INTEGER_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """`<slug>` and `<string:…>` without a NUL character: such a path is a 404, not a query
    PostgreSQL refuses."""

    def to_python(self, value):
        if "\x00" in value:
            raise ValidationError()
        return value
