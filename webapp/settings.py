"""The institution's settings (name, logo, contact, map defaults), edited by admins."""

import os
import uuid

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from webapp import images
from webapp.accounts import policies
from webapp.db import unit_of_work
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import InstitutionSettings
from webapp.text import one_line

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000


def current():
    """Return the settings row (a default one if none was saved), cached per request."""
    if "institution" not in g:
        try:
            row = db.session.get(InstitutionSettings, 1)
        except SQLAlchemyError:
            # Error pages still render when the database is down.
            db.session.rollback()
            row = None
        g.institution = row or InstitutionSettings(id=1, name="Fabrique")
    return g.institution


LOGO_REFUSALS = {
    images.EMPTY: _l("The logo file is empty."),
    images.TOO_BIG: _l("The logo must be under 2 MB."),
    images.FORMAT: _l("The logo must be a PNG, JPEG or WebP image."),
    images.PIXELS: _l("The logo has too many pixels (at most 16 megapixels)."),
    images.UNREADABLE: _l("This file is not a readable image."),
}


def _clean_logo(data):
    """The checked picture (webapp.images), without metadata, within 600 × 200 px, as PNG."""
    try:
        return images.reencode(
            data, LOGO_MAX_BYTES, 600, LOGO_MAX_PIXELS, box=(600, 200), always_png=True
        ).data
    except images.Refused as refused:
        code = (
            "settings.logo_too_large"
            if refused.reason == images.TOO_BIG
            else "settings.logo_invalid"
        )
        raise ValidationError(code, fields={"logo": [LOGO_REFUSALS[refused.reason]]}) from None


def update(
    actor,
    name,
    contact_email,
    map_center_lon,
    map_center_lat,
    map_zoom,
    tile_attribution,
    logo_bytes=None,
):
    """Save the institution's settings; a logo is checked, shrunk and stored as PNG."""
    policies.require(actor, "settings.manage")
    errors = {}
    name = one_line(name)
    if not 1 <= len(name) <= 200:
        errors["name"] = [_l("Between 1 and 200 characters.")]
    if not (-180 <= map_center_lon <= 180):
        errors["map_center_lon"] = [_l("Longitude must be between -180 and 180.")]
    if not (-90 <= map_center_lat <= 90):
        errors["map_center_lat"] = [_l("Latitude must be between -90 and 90.")]
    if not (1 <= map_zoom <= 19):
        errors["map_zoom"] = [_l("Zoom must be between 1 and 19.")]
    if contact_email:
        from webapp.accounts.services import normalise_email

        try:
            contact_email = normalise_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_l("Enter a valid e-mail address.")]
    if errors:
        raise ValidationError("settings.invalid", fields=errors)
    # An empty file that was chosen is refused, not mistaken for no file.
    png = _clean_logo(logo_bytes) if logo_bytes is not None else None
    with unit_of_work():
        row = db.session.get(InstitutionSettings, 1) or InstitutionSettings(id=1)
        db.session.add(row)
        row.name, row.contact_email = name, contact_email or None
        row.map_center_lon, row.map_center_lat, row.map_zoom = (
            map_center_lon,
            map_center_lat,
            map_zoom,
        )
        row.tile_attribution = (tile_attribution or "").strip()[:300]
        if png:
            row.logo_path = _store_logo(png)
    g.pop("institution", None)
    return row


def _store_logo(png):
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "institution")
    os.makedirs(folder, exist_ok=True)
    name = f"logo-{uuid.uuid4().hex[:12]}.png"
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(png)
    return f"institution/{name}"
