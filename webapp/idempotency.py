"""Idempotent creation: a client sends one `Idempotency-Key` per submission and may retry it
after a lost answer; the retry gets the resource the first attempt created, never a second one.

The key is stored with a unique constraint per user in the same transaction as the resource,
so a key exists exactly when its resource does. Two attempts racing with one key are ordered
by the database: the second waits on the unique index (PostgreSQL) or the write lock
(SQLite), then finds the first one's key and answers with its resource.
"""

import hashlib
import json
from datetime import timedelta

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from webapp.db import unit_of_work, utcnow
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = 200
OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_LENGTH},
    "description": "One key per submission (a UUID): a retry with the same key and body "
    "gets the first answer's resource instead of a duplicate.",
}


def key_from_request():
    """The request's `Idempotency-Key` header, checked, or None when the client sent none."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationError(
            "idempotency.key_invalid",
            fields={
                HEADER: [
                    _l("The Idempotency-Key header must be 1 to 200 printable ASCII characters.")
                ]
            },
        )
    return key


def fingerprint(payload):
    """A stable digest of what was asked, to tell a true retry from a reused key."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_once(actor, key, scope, payload, create, load):
    """Run `create()` (a service returning a new object with an `id`) at most once per key.

    Returns `(obj, replayed)`. Without a key, simply runs `create()`. With a key seen before
    for the same scope and payload, returns `load(resource_id)` and runs nothing; with a key
    seen for another request, refuses it (422) and changes nothing.
    """
    if key is None:
        return create(), False
    digest = fingerprint(payload)
    replay = _replay(actor, key, scope, digest, load)
    if replay is not None:
        return replay, True
    try:
        with unit_of_work():
            row = IdempotencyKey(user_id=actor.id, key=key, scope=scope, fingerprint=digest)
            db.session.add(row)
            db.session.flush()  # claims the key first: a racing twin waits here
            obj = create()
            row.resource_id = obj.id
    except IntegrityError:
        replay = _replay(actor, key, scope, digest, load)
        if replay is None:
            raise
        return replay, True
    return obj, False


def _replay(actor, key, scope, digest, load):
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == actor.id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.scope != scope or row.fingerprint != digest:
        raise ValidationError(
            "idempotency.key_reused",
            fields={HEADER: [_l("This Idempotency-Key was already used for a different request.")]},
        )
    obj = load(row.resource_id) if row.resource_id is not None else None
    if obj is None:
        raise NotFound("idempotency.resource_gone")
    return obj


def purge(older_than=timedelta(days=7)):
    """Forget keys older than `older_than` (clients retry within minutes); returns the count."""
    with unit_of_work():
        result = db.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - older_than)
        )
    return result.rowcount
