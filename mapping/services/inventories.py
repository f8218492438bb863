"""Inventories: create from scratch or a template, edit, open and close."""

import json
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mapping import formschema, geo, jobs, policies
from mapping.inventory_templates import TEMPLATES
from mapping.models import (
    GEOMETRY_TYPES,
    INVENTORY_STATUSES,
    LICENCES,
    PRE,
    Feature,
    Inventory,
)
from webapp import search
from webapp.accounts.models import Department
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.inputs import loads as strict_json
from webapp.text import one_line
from webapp.urls import slugify

THEMES = {
    "biodiversity": _l("Biodiversity"),
    "trees": _l("Trees"),
    "heritage": _l("Heritage"),
    "amenities": _l("Amenities"),
    "accessibility": _l("Accessibility"),
    "other": _l("Other"),
}
LICENCE_LABELS = {
    "odbl": "ODbL 1.0",
    "lo-2.0": "Licence Ouverte / Etalab 2.0",
    "cc-by-4.0": "CC-BY 4.0",
}
LICENCE_URLS = {
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "lo-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _area(value, errors):
    if value in (None, ""):
        errors["area"] = [_l("Draw or upload the area of interest.")]
        return None
    if isinstance(value, str):
        try:
            value = strict_json(value)
        except ValueError:
            errors["area"] = [_l("The area is not valid GeoJSON.")]
            return None
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        shapes = value.get("features")
        one = isinstance(shapes, list) and len(shapes) == 1 and isinstance(shapes[0], dict)
        value = shapes[0].get("geometry") if one else None
        if value is None:
            errors["area"] = [_l("Upload a GeoJSON with exactly one polygon or multipolygon.")]
            return None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    try:
        return geo.to_area(geo.parse_geojson(value, "area"))
    except ValidationError as error:
        errors.update(error.fields)
        return None


def _clean(data, current=None):
    """Check an inventory's settings; `current` is the inventory being edited."""
    errors, cleaned = {}, {}
    title = one_line(data.get("title"))
    if not 3 <= len(title) <= 200:
        errors["title"] = [_l("Between %(low)d and %(high)d characters.", low=3, high=200)]
    cleaned["title"] = title
    slug = (data.get("slug") or "").strip() or slugify(title)
    if not SLUG_RE.match(slug) or len(slug) > 80:
        errors["slug"] = [_l("Lower-case letters, digits and hyphens only.")]
    elif db.session.scalar(
        select(Inventory.id).where(
            Inventory.slug == slug, Inventory.id != getattr(current, "id", None)
        )
    ):
        errors["slug"] = [_l("Another inventory already uses this address.")]
    cleaned["slug"] = slug
    cleaned["theme"] = data.get("theme") or "other"
    if cleaned["theme"] not in THEMES:
        errors["theme"] = [_l("Choose a theme from the list.")]
    cleaned["description"] = (data.get("description") or "").strip()[:10000] or None
    types = data.get("geometry_types") or ["Point"]
    if isinstance(types, str):
        types = [t for t in types.split(",") if t]
    if not types or not set(types) <= set(GEOMETRY_TYPES):
        errors["geometry_types"] = [_l("Choose points, lines or areas.")]
    cleaned["geometry_types"] = ",".join(t for t in GEOMETRY_TYPES if t in types)
    for name, allowed in (("licence", LICENCES), ("moderation_mode", ("pre", "post"))):
        value = data.get(name) or {"licence": "odbl", "moderation_mode": PRE}[name]
        if value not in allowed:
            errors[name] = [_l("Choose a value from the list.")]
        cleaned[name] = value
    status = data.get("status") or getattr(current, "status", "draft")
    if status not in INVENTORY_STATUSES:
        errors["status"] = [_l("Choose a value from the list.")]
    cleaned["status"] = status
    cleaned["attribution"] = one_line(data.get("attribution"))[:300] or None
    try:
        cleaned["generalise_m"] = int(data.get("generalise_m") or 1000)
        if not 100 <= cleaned["generalise_m"] <= 50000:
            raise ValueError
    except (TypeError, ValueError):
        errors["generalise_m"] = [_l("Between 100 and 50,000 metres.")]
    cleaned["department"] = _department(data.get("department"), errors)
    area = _area(data.get("area"), errors)
    try:
        cleaned["form_schema"] = formschema.clean_schema(data.get("form_schema") or {"fields": []})
    except ValidationError as error:
        errors.update(error.fields)
    if errors:
        raise ValidationError("inventory.invalid", fields=errors)
    cleaned["area"] = geo.to_db(area)
    return cleaned


def _department(slug, errors):
    if not slug:
        return None
    department = db.session.scalar(select(Department).where(Department.slug == slug))
    if department is None:
        errors["department"] = [_l("This department does not exist.")]
    return department


def template_data(name):
    """The settings a template starts an inventory with (a copy the organiser can edit)."""
    if name not in TEMPLATES:
        raise NotFound("inventory.template_not_found")
    return json.loads(json.dumps(TEMPLATES[name][1]))


def create(actor, data):
    if not policies.can_organise(actor):
        raise PermissionDenied("inventory.cannot_organise")
    cleaned = _clean(data)
    with unit_of_work():
        inventory = Inventory(created_by_id=actor.id, **cleaned)
        db.session.add(inventory)
        db.session.flush()
        search.refresh("inventory", inventory.id)
    return inventory


def update(actor, inventory_id, data):
    """Edit settings; changing the form or the grid re-computes what non-staff see."""
    if not policies.can_organise(actor):
        raise PermissionDenied("inventory.cannot_organise")
    with unit_of_work():
        inventory = get(inventory_id)
        cleaned = _clean(data, current=inventory)
        visibility_changed = (
            cleaned["form_schema"] != inventory.form_schema
            or cleaned["generalise_m"] != inventory.generalise_m
        )
        for key, value in cleaned.items():
            setattr(inventory, key, value)
        if visibility_changed:
            jobs.enqueue_after_commit(jobs.recompute_visibility, inventory.id, actor=actor)
        search.refresh("inventory", inventory.id)
    return inventory


def set_status(actor, inventory_id, status):
    if not policies.can_organise(actor):
        raise PermissionDenied("inventory.cannot_organise")
    if status not in INVENTORY_STATUSES:
        raise ValidationError(
            "inventory.invalid", fields={"status": [_l("Choose a value from the list.")]}
        )
    with unit_of_work():
        inventory = get(inventory_id)
        inventory.status = status
        search.refresh("inventory", inventory.id)
    return inventory


def get(inventory_id):
    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFound("inventory.not_found")
    return inventory


def get_visible(viewer, slug_or_id):
    """An inventory the viewer may see (drafts only for organisers), by slug or id."""
    column = Inventory.id if isinstance(slug_or_id, int) else Inventory.slug
    inventory = db.session.scalar(select(Inventory).where(column == slug_or_id))
    if inventory is None or not policies.can_view_inventory(viewer, inventory):
        raise NotFound("inventory.not_found")
    return inventory


def listed(viewer, statuses=None):
    """Inventories the viewer may see, open ones first, with their count of public features."""
    counts = (
        select(Feature.inventory_id, func.count(Feature.id).label("n"))
        .where(Feature.status == "published")
        .group_by(Feature.inventory_id)
        .subquery()
    )
    query = select(Inventory, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.inventory_id == Inventory.id
    )
    if not policies.can_organise(viewer):
        query = query.where(Inventory.status != "draft")
    if statuses:
        query = query.where(Inventory.status.in_(statuses))
    order = db.case((Inventory.status == "open", 0), else_=1)
    return db.session.execute(query.order_by(order, Inventory.title)).all()


def propose_as_dataset(actor, inventory_id):
    """An organiser offers the inventory as a candidate open dataset (once)."""
    from mapping import handoff

    if not (policies.can_organise(actor) or policies.can_moderate(actor)):
        raise PermissionDenied("inventory.cannot_propose")
    with unit_of_work():
        inventory = get(inventory_id)
        if inventory.status == "draft":
            raise Conflict(
                "inventory.draft",
                message=_l("Open the inventory before offering it as a dataset."),
            )
        if handoff.inventory_submission(inventory) is not None:
            raise Conflict(
                "inventory.already_proposed",
                message=_l("This inventory was already offered as a dataset."),
            )
        return handoff.submit_inventory(inventory, actor)
