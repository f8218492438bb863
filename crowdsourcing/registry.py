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
    - load_many(object_ids): {object_id: object} in one go (defaults to `load` one by one)
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
    load_objects: Callable[[list[int]], dict[int, Any]] | None = None

    def load_many(self, object_ids):
        if self.load_objects is not None:
            return self.load_objects(object_ids)
        loaded = {object_id: self.load(object_id) for object_id in object_ids}
        return {k: v for k, v in loaded.items() if v is not None}

    def shown_while_pending(self, obj):
        if callable(self.post_moderated):
            return obj is not None and bool(self.post_moderated(obj))
        return bool(self.post_moderated)


def by_ids(model):
    """A `load_objects` for a kind whose objects are rows of `model` keyed by `id`: one
    query for a whole inbox page instead of one per row."""

    def load_objects(object_ids):
        from sqlalchemy import select

        from webapp.extensions import db

        if not object_ids:
            return {}
        rows = db.session.scalars(select(model).where(model.id.in_(set(object_ids))))
        return {row.id: row for row in rows}

    return load_objects


KINDS: dict[str, SubmissionKind] = {}
# Functions returning (context, label) pairs — an inventory, an event… — for the inbox filter.
CONTEXT_PROVIDERS: list[Callable[[], list[tuple[str, str]]]] = []


def register_kind(kind):
    """Declare a kind; the same name twice is a programming error (unless it is the same kind)."""
    existing = KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"submission kind {kind.name!r} is already registered")
    KINDS[kind.name] = kind
    return kind


def register_context_provider(provider):
    """Let the inbox filter on what submissions belong to (e.g. "inventory:3")."""
    if provider not in CONTEXT_PROVIDERS:
        CONTEXT_PROVIDERS.append(provider)
    return provider


def contexts():
    return [pair for provider in CONTEXT_PROVIDERS for pair in provider()]


def get_kind(name):
    return KINDS[name]
