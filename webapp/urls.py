"""Redirect targets: only paths on this site."""

from urllib.parse import urlsplit


def is_local(target):
    """Say whether `target` is a path on this site (never another host, even disguised)."""
    if not target or not target.startswith("/") or "\\" in target:
        return False
    if any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
