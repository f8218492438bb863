"""Inventories, features, revisions, photos, parties and task cells as plain JSON-ready
dicts, for the API and the OGC collections. What a viewer sees follows `policies`: the
public geometry and values unless they are staff."""

from mapping import formschema, geo, policies
from mapping.inventory_templates import TEMPLATES
from mapping.services import inventories as inventory_services
from mapping.services import photos as photo_services
from mapping.services import tasks as task_services
from webapp.profiles import visibility as profile_visibility


def _shape_json(value):
    return geo.to_geojson(geo.from_db(value)) if value is not None else None


def licence_to_dict(code):
    return {
        "id": code,
        "label": inventory_services.LICENCE_LABELS.get(code, code),
        "url": inventory_services.LICENCE_URLS.get(code),
    }


def inventory_to_dict(inventory, feature_count=None, full=False):
    """An inventory's settings; `full` adds its area and form schema."""
    area = geo.from_db(inventory.area)
    body = {
        "id": inventory.id,
        "slug": inventory.slug,
        "title": inventory.title,
        "theme": inventory.theme,
        "theme_label": str(inventory_services.THEMES.get(inventory.theme, inventory.theme)),
        "description": inventory.description,
        "status": inventory.status,
        "moderation_mode": inventory.moderation_mode,
        "geometry_types": list(inventory.allowed_types),
        "licence": licence_to_dict(inventory.licence),
        "attribution": inventory.attribution,
        "department": inventory.department.slug if inventory.department else None,
        "bbox": list(area.bounds) if area is not None else None,
        "feature_count": feature_count,
    }
    if full:
        body["area"] = geo.to_geojson(area)
        body["generalise_m"] = inventory.generalise_m
        body["form_schema"] = inventory.form_schema
    return body


def inventory_settings(inventory):
    """The inventory's settings in the shape the create and update services read."""
    return {
        "title": inventory.title,
        "slug": inventory.slug,
        "theme": inventory.theme,
        "description": inventory.description,
        "geometry_types": list(inventory.allowed_types),
        "licence": inventory.licence,
        "moderation_mode": inventory.moderation_mode,
        "status": inventory.status,
        "attribution": inventory.attribution,
        "generalise_m": inventory.generalise_m,
        "department": inventory.department.slug if inventory.department else None,
        "area": _shape_json(inventory.area),
        "form_schema": inventory.form_schema,
    }


def template_to_dict(name):
    label, data = TEMPLATES[name]
    return {
        "name": name,
        "label": str(label),
        "theme": data.get("theme"),
        "geometry_types": data.get("geometry_types"),
        "licence": data.get("licence"),
        "form_schema": data.get("form_schema"),
    }


def photo_to_dict(photo):
    # Paths rather than url_for: the photo routes belong to the pages' blueprint.
    return {
        "id": photo.id,
        "field": photo.field_key,
        "url": f"/mapping/photos/{photo.id}",
        "thumbnail_url": f"/mapping/photos/{photo.id}/thumb",
        "width": photo.width,
        "height": photo.height,
    }


def hides_position(viewer, feature):
    return feature.is_sensitive and not policies.sees_exact(viewer)


def feature_to_geojson(feature, viewer, with_photos=True):
    """One feature as a GeoJSON Feature: exact for staff, public for everyone else."""
    exact = policies.sees_exact(viewer)
    geometry = feature.geom if exact else feature.public_geom
    values = feature.properties if exact else feature.public_properties
    photos = []
    if with_photos and not hides_position(viewer, feature):
        photos = [photo_to_dict(p) for p in photo_services.of_feature(feature)]
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": _shape_json(geometry),
        "properties": {
            **(values or {}),
            "_status": feature.status,
            "_sensitive": bool(feature.is_sensitive),
            "_confirmations": feature.confirmations,
        },
        "inventory": feature.inventory.slug,
        "revision": feature.revision,
        "party": feature.party_id,
        "created_at": feature.created_at,
        "updated_at": feature.updated_at,
        "photos": photos,
    }


def _actor(viewer, revision):
    if revision.actor is None:
        return None
    if policies.can_moderate(viewer):
        return {"id": revision.actor.id, "name": revision.actor.display_name}
    return {"id": None, "name": profile_visibility.display_name(viewer, revision.actor)}


def revision_to_dict(revision, feature, viewer):
    """One entry of a feature's history. For non-staff, a sensitive feature's entries (and
    any entry recorded while it was sensitive) carry no geometry and no locating values."""
    fields = feature.inventory.fields
    values = revision.properties or {}
    hidden = not policies.sees_exact(viewer) and (
        feature.is_sensitive or formschema.is_sensitive(fields, values)
    )
    if hidden:
        values = formschema.public_values(fields, values, True)
    return {
        "number": revision.number,
        "action": revision.action,
        "status": revision.status,
        "changed": list(revision.changed or []),
        "note": revision.note,
        "created_at": revision.created_at,
        "actor": _actor(viewer, revision),
        "by_you": viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and revision.actor_id == viewer.id,
        "geometry": None if hidden else _shape_json(revision.geom),
        "properties": values,
    }


def party_to_dict(party, viewer, full=False, now=None):
    """A mapping party: when, where, seats left, the inventories it maps."""
    event = party.registration_list
    body = {
        "id": party.id,
        "slug": party.slug,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "address": event.address,
        "meeting_point": (
            {"type": "Point", "coordinates": [event.lon, event.lat]}
            if event.location is not None
            else None
        ),
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "registration_open": event.is_open,
        "event_id": event.id,
        "inventories": [
            {"slug": i.slug, "title": i.title}
            for i in party.inventories
            if policies.can_view_inventory(viewer, i)
        ],
    }
    if full:
        body["area"] = _shape_json(party.area)
        body["claim_minutes"] = party.claim_minutes
        body["tasks"] = task_services.progress(party, now)
    return body


def task_to_geojson(task, viewer, now=None):
    """A task cell with its effective status (a claim past its time shows as open)."""
    status = task_services.effective_status(task, now)
    mine = viewer is not None and getattr(viewer, "is_authenticated", False)
    return {
        "type": "Feature",
        "id": task.id,
        "geometry": _shape_json(task.geom),
        "properties": {
            "number": task.number,
            "status": status,
            "claimed_until": task.claimed_until if status == "claimed" else None,
            "claimed_by_you": bool(
                mine and status == "claimed" and task.claimed_by_id == viewer.id
            ),
            "done_by_you": bool(mine and task.done_by_id == viewer.id),
        },
    }


def summary_to_dict(party, figures, viewer):
    """The page after a party: counts, contributors (names as their profiles allow), photos."""
    return {
        "party": party.slug,
        "total": figures["total"],
        "by_type": figures["by_type"],
        "by_status": figures["by_status"],
        "tasks": figures["tasks"],
        "contributors": [
            {"name": profile_visibility.display_name(viewer, user), "features": count}
            for user, count in figures["contributors"]
        ],
        "photos": [photo_to_dict(p) for p in figures["photos"]],
    }
