"""Helpers shared by the workshops tests: workshops, sessions and ideas through their services."""

import io
import itertools
from datetime import timedelta

from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape
from PIL import Image

from tests import factories
from webapp.accounts.models import User
from webapp.db import utcnow
from webapp.extensions import db
from workshops.services import ideas, sessions
from workshops.services import workshops as workshop_services

_seq = itertools.count(1)


def workshop_data(**changes):
    n = next(_seq)
    return {
        "title": f"Îlots de fraîcheur {n}",
        "question": "Comment trouver un lieu frais pendant les canicules ?",
        "description": "Une carte des lieux frais.",
        "dots_per_participant": 5,
        **changes,
    }


def workshop(organiser=None, status="open", **changes):
    """A workshop created by an organiser, moved to `status` (draft, open, closed…)."""
    organiser = organiser or factories.user(roles=["organiser"])
    row = workshop_services.create(organiser, workshop_data(**changes))
    path = {"draft": [], "open": ["open"], "closed": ["open", "closed"]}
    path["archived"] = [*path["closed"], "archived"]
    for step in path[status]:
        workshop_services.set_status(organiser, row.id, step)
    return row


def session_data(starts_in=timedelta(days=7), hours=2, **changes):
    starts = utcnow() + starts_in
    return {
        "title": f"Séance {next(_seq)}",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=hours),
        "capacity": 3,
        "address": "Maison de la démocratie, Montpellier",
        "lon": 3.8793,
        "lat": 43.6047,
        "agenda": "Accueil\nIdées",
        **changes,
    }


def add_session(row, actor=None, **changes):
    actor = actor or creator(row)
    return sessions.create(actor, row.id, session_data(**changes))


def creator(row):
    return db.session.get(User, row.created_by_id)


def idea(row, author=None, **changes):
    author = author or factories.user()
    data = {"category": "idea", "text": "Une carte des fontaines à boire.", **changes}
    return ideas.post(author, row.id, data)


def image_bytes(fmt="JPEG", size=(40, 30), exif_gps=False):
    """A small image; with exif_gps, a JPEG carrying a GPS position in its EXIF."""
    img = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"
        exif[0x8825] = {1: "N", 2: (43.0, 36.0, 0.0), 3: "E", 4: (3.0, 52.0, 0.0)}
        img.save(out, format=fmt, exif=exif)
    else:
        img.save(out, format=fmt)
    return out.getvalue()


def fr(msgid, plural=None, count=None, escaped=False, **params):
    """A message as the French pages show it: as written by the template's _(), or escaped
    when the page shows it as a variable (flashed messages, error pages)."""
    with force_locale("fr"):
        text = ngettext(msgid, plural, count, **params) if plural else gettext(msgid, **params)
    return str(escape(text)) if escaped else str(text)


def assert_error(response, status, code):
    """The API's one error shape."""
    assert response.status_code == status, response.text[:500]
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]
