"""The registry through which each domain package teaches the pipeline its kinds of submission.

A package registers its kinds in its init_app; the pipeline never imports the package.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SubmissionKind:
    """How the pipeline shows and settles one kind of submission.

    - label: lazily translated name of the kind
    - load(object_id): the object, or None if it is gone
    - preview(obj): a short plain text (the pitch, the attributes) for the inbox
    - url(obj): where the object's page is, or None
    - on_approve / on_reject / on_hide(obj, submission): what the domain does then
    - post_moderated: shown while pending, so members may report it before a decision;
      True, False, or a function of the object (a map feature follows its inventory's mode)
    - preview_geojson(obj): optional; a GeoJSON geometry the item page draws on a small map
      (moderators are staff: the exact geometry)
    """

    name: str
    label: Any
    load: Callable[[int], Any]
    preview: Callable[[Any], str]
    url: Callable[[Any], str | None] = lambda obj: None
    on_approve: Callable[[Any, Any], None] = lambda obj, submission: None
    on_reject: Callable[[Any, Any], None] = lambda obj, submission: None
    on_hide: Callable[[Any, Any], None] = lambda obj, submission: None
    post_moderated: bool | Callable[[Any], bool] = False
    preview_geojson: Callable[[Any], dict | None] | None = None

    def shown_while_pending(self, obj):
        if callable(self.post_moderated):
            return obj is not None and bool(self.post_moderated(obj))
        return bool(self.post_moderated)


KINDS: dict[str, SubmissionKind] = {}


def register_kind(kind):
    """Declare a kind; the same name twice is a programming error (unless it is the same kind)."""
    existing = KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"submission kind {kind.name!r} is already registered")
    KINDS[kind.name] = kind
    return kind


def get_kind(name):
    return KINDS[name]
