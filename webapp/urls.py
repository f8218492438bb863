"""URLs: safe redirect targets (only paths on this site), and slugs for readable addresses."""

import re
import unicodedata
from urllib.parse import urlsplit


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
