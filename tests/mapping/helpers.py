"""Helpers shared by the mapping core tests: people, row counts, reloads and images."""

import io

from PIL import Image
from sqlalchemy import func, select

from tests import factories
from webapp.extensions import db


def organiser():
    return factories.user(roles=["organiser"])


def moderator():
    return factories.user(roles=["moderator"])


def admin():
    return factories.user(roles=["admin"])


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def fresh(obj):
    """The row as the database has it now (nothing cached in the session)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def messages(error, field):
    """The messages of one field of a ValidationError, as plain strings."""
    return [str(m) for m in error.fields[field]]


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 40, 40), mode="RGB", **save):
    """A small image encoded in `fmt`."""
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg(size=(64, 48), **save):
    return image_bytes("JPEG", size, **save)
