"""Sessions of a workshop: each has a registration list (time, place, capacity, waitlist),
an agenda, materials and, afterwards, minutes."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.db import unit_of_work
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.text import one_line
from workshops import files, policies
from workshops.models import DRAFT, OPEN, Material, Workshop, WorkshopSession
from workshops.services import workshops as workshop_services

KIND = "workshop_session"
TEXT_MAX = {"agenda": 8000, "minutes": 20000}


def page_path(session_id):
    return f"/workshops/sessions/{session_id}"


def _is_url(value):
    return bool(re.match(r"^https?://[^\s]+$", value)) and len(value) <= 500


def _clean(data):
    errors = {}
    title = one_line(data.get("title"))
    if not 1 <= len(title) <= 120:
        errors["title"] = [_l("Between %(low)d and %(high)d characters.", low=1, high=120)]
    address = one_line(data.get("address")) or None
    online_url = (data.get("online_url") or "").strip() or None
    if address and len(address) > 300:
        errors["address"] = [_l("At most %(n)d characters.", n=300)]
    if online_url and not _is_url(online_url):
        errors["online_url"] = [_l("Give a web address starting with http:// or https://.")]
    if not address and not online_url:
        errors["address"] = [_l("Give an address or an online link.")]
    agenda = (data.get("agenda") or "").strip() or None
    if agenda and len(agenda) > TEXT_MAX["agenda"]:
        errors["agenda"] = [_l("At most %(n)d characters.", n=TEXT_MAX["agenda"])]
    if errors:
        raise ValidationError("workshop_session.invalid", fields=errors)
    return {
        "title": title,
        "address": address,
        "online_url": online_url,
        "agenda": agenda,
        "starts_at": data.get("starts_at"),
        "ends_at": data.get("ends_at"),
        "capacity": data.get("capacity"),
        "lon": data.get("lon"),
        "lat": data.get("lat"),
    }


def _managed_workshop(actor, workshop_id):
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("workshop.not_found")
    if not policies.can_manage(actor, workshop):
        raise PermissionDenied("workshop.manage_denied")
    return workshop


def create(actor, workshop_id, data):
    """Add a session and its registration list (listed and open as the workshop is)."""
    cleaned = _clean(data)
    with unit_of_work():
        workshop = _managed_workshop(actor, workshop_id)
        registration_list = registrations.create_list(
            actor,
            workshop_services.list_title(workshop, cleaned["title"]),
            cleaned["starts_at"],
            cleaned["ends_at"],
            cleaned["capacity"],
            kind=KIND,
            description=workshop.question,
            address=cleaned["address"],
            lon=cleaned["lon"],
            lat=cleaned["lat"],
            online_url=cleaned["online_url"],
            managers=workshop_services.managers_of(workshop),
            is_open=workshop.status == OPEN,
            listed=workshop.status != DRAFT,
        )
        db.session.flush()
        row = WorkshopSession(
            workshop_id=workshop.id,
            registration_list_id=registration_list.id,
            title=cleaned["title"],
            agenda=cleaned["agenda"],
        )
        db.session.add(row)
        db.session.flush()
        registrations.update_list(actor, registration_list.id, page_url=page_path(row.id))
    return row


def update(actor, session_id, data):
    """Edit a session; confirmed participants are told when its time or place changes."""
    cleaned = _clean(data)
    with unit_of_work():
        row = _get(session_id)
        workshop = _managed_workshop(actor, row.workshop_id)
        registrations.update_list(
            actor,
            row.registration_list_id,
            title=workshop_services.list_title(workshop, cleaned["title"]),
            **{
                k: cleaned[k]
                for k in ("starts_at", "ends_at", "capacity", "address", "online_url", "lon", "lat")
            },
        )
        row.title, row.agenda = cleaned["title"], cleaned["agenda"]
    return row


def _get(session_id):
    row = db.session.get(WorkshopSession, session_id)
    if row is None:
        raise NotFound("workshop_session.not_found")
    return row


def _facilitated(actor, session_id):
    row = _get(session_id)
    if not policies.can_facilitate(actor, row.workshop):
        raise PermissionDenied("workshop.facilitate_denied")
    return row


def set_minutes(actor, session_id, minutes):
    """Facilitators write what was said and decided; shown on the session page."""
    minutes = (minutes or "").strip() or None
    if minutes and len(minutes) > TEXT_MAX["minutes"]:
        raise ValidationError(
            "workshop_session.minutes_too_long",
            fields={"minutes": [_l("At most %(n)d characters.", n=TEXT_MAX["minutes"])]},
        )
    with unit_of_work():
        row = _facilitated(actor, session_id)
        row.minutes = minutes
    return row


def _material_title(title):
    title = one_line(title)
    if not 1 <= len(title) <= 200:
        raise ValidationError(
            "material.invalid",
            fields={"title": [_l("Between %(low)d and %(high)d characters.", low=1, high=200)]},
        )
    return title


def add_link(actor, session_id, title, url):
    title = _material_title(title)
    url = (url or "").strip()
    if not _is_url(url):
        raise ValidationError(
            "material.invalid",
            fields={"url": [_l("Give a web address starting with http:// or https://.")]},
        )
    with unit_of_work():
        _facilitated(actor, session_id)
        material = Material(session_id=session_id, title=title, url=url)
        db.session.add(material)
    return material


def add_file(actor, session_id, title, data):
    """Attach a file whose type is read from its bytes (PDF, PNG, JPEG, OpenDocument)."""
    title = _material_title(title)
    content_type, extension = files.sniff_material(data)
    _facilitated(actor, session_id)
    name = files.store("materials", data, extension)
    try:
        with unit_of_work():
            material = Material(
                session_id=session_id,
                title=title,
                file_name=name,
                content_type=content_type,
                size=len(data),
            )
            db.session.add(material)
    except Exception:
        files.remove("materials", name)
        raise
    return material


def remove_material(actor, material_id):
    with unit_of_work():
        material = db.session.get(Material, material_id)
        if material is None:
            raise NotFound("material.not_found")
        _facilitated(actor, material.session_id)
        name = material.file_name
        db.session.delete(material)
    files.remove("materials", name)


def material_of(viewer, session_id, material_id):
    """A material as `viewer` may download it."""
    row = db.session.scalar(
        select(Material).where(Material.id == material_id, Material.session_id == session_id)
    )
    session = db.session.get(WorkshopSession, session_id)
    if row is None or session is None or not policies.can_view(viewer, session.workshop):
        raise NotFound("material.not_found")
    return row
