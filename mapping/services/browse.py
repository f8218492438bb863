"""What the HTML pages read: an inventory's latest features, one feature as its viewer may
see it, its history, and its photos. Non-staff get the public geometry and values only."""

import os
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mapping import formschema, geo, policies
from mapping.models import PUBLISHED, Feature, FeatureConfirmation, FeatureRevision, Photo
from mapping.services import features as feature_services
from mapping.services import inventories, map_grid
from mapping.services import photos as photo_services
from webapp.errors import NotFound
from webapp.extensions import db

PER_PAGE = 20


@dataclass
class FeatureView:
    """A feature prepared for its page: what this viewer may see and do."""

    feature: object
    title: str
    geometry: dict
    exact: bool
    attributes: list
    withheld: bool
    photos: list = field(default_factory=list)
    confirmed: bool = False
    can_edit: bool = False
    can_moderate: bool = False


def _member(viewer):
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def shown_exact(viewer, feature):
    """Whether this viewer sees the feature's real place and every value."""
    return not feature.is_sensitive or policies.sees_exact(viewer)


def display_value(field_spec, value, locale):
    """One attribute as text in the viewer's language (choice labels, yes or no)."""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, list):
        return ", ".join(str(formschema.choice_label(field_spec, v, locale)) for v in value)
    if field_spec["type"] in (formschema.CHOICE, formschema.MULTI_CHOICE):
        return str(formschema.choice_label(field_spec, value, locale))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def attributes(inventory, values, locale):
    """The filled-in fields, in the form's order, as label and text."""
    rows = []
    for spec in inventory.fields:
        value = (values or {}).get(spec["key"])
        if spec["type"] == formschema.PHOTO or value in (None, "", []):
            continue
        rows.append(
            {
                "key": spec["key"],
                "label": formschema.label(spec, locale),
                "text": display_value(spec, value, locale),
                "long": spec["type"] == formschema.LONG_TEXT,
            }
        )
    return rows


def public_title(feature, exact=False):
    """The feature's title, unless its key attribute is withheld from this viewer."""
    key = formschema.key_field(feature.inventory.fields)
    hidden = key in (feature.properties or {}) and key not in (feature.public_properties or {})
    if exact or not hidden:
        return feature_services.title(feature)
    return f"{str(geo.TYPE_LABELS.get(feature.geometry_type, '')).capitalize()} #{feature.id}"


def feature_page(viewer, feature_id, locale):
    feature = feature_services.get_visible(viewer, feature_id)
    exact = shown_exact(viewer, feature)
    values = feature.properties if exact else feature.public_properties
    withheld = not exact and set(feature.properties or {}) != set(values or {})
    confirmed = _member(viewer) and bool(
        db.session.scalar(
            select(FeatureConfirmation.id).where(
                FeatureConfirmation.feature_id == feature.id,
                FeatureConfirmation.user_id == viewer.id,
            )
        )
    )
    return FeatureView(
        feature=feature,
        title=public_title(feature, exact),
        geometry=geo.to_geojson(geo.from_db(feature.geom if exact else feature.public_geom)),
        exact=exact,
        attributes=attributes(feature.inventory, values, locale),
        withheld=withheld,
        photos=photo_services.of_feature(feature) if exact else [],
        confirmed=confirmed,
        can_edit=policies.can_edit_feature(viewer, feature),
        can_moderate=policies.can_moderate(viewer),
    )


def latest(inventory, page=1, per_page=PER_PAGE):
    """The inventory's published features, newest first, a page at a time, with the total."""
    page = max(1, page)
    where = (Feature.inventory_id == inventory.id, Feature.status == PUBLISHED)
    # Counted from the map grid (one row per cell, kept by triggers), not feature by feature.
    total = map_grid.published_count(inventory.id)
    rows = db.session.scalars(
        select(Feature)
        .where(*where)
        .order_by(Feature.created_at.desc(), Feature.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [{"feature": f, "title": public_title(f)} for f in rows]
    pages = max(1, -(-total // per_page))
    return {"rows": items, "total": total, "page": page, "pages": pages}


def history_page(viewer, feature_id, locale):
    """A feature's revisions, newest first, with their authors loaded and changed fields named."""
    feature = feature_services.get_visible(viewer, feature_id)
    revisions = db.session.scalars(
        select(FeatureRevision)
        .where(FeatureRevision.feature_id == feature.id)
        .options(selectinload(FeatureRevision.actor))
        .order_by(FeatureRevision.number.desc())
    ).all()
    labels = {f["key"]: formschema.label(f, locale) for f in feature.inventory.fields}
    labels["geometry"] = str(_l("position"))
    rows = [
        {"revision": r, "changed": [labels.get(k, k) for k in (r.changed or [])]} for r in revisions
    ]
    return feature, public_title(feature, shown_exact(viewer, feature)), rows


def edit_values(viewer, feature):
    """What the edit form starts from: the values and geometry this viewer may see.

    A non-staff author of a sensitive feature gets neither its exact position nor its
    withheld fields; they are kept as they are unless given again (see `merged`).
    """
    if shown_exact(viewer, feature):
        return dict(feature.properties or {}), geo.to_geojson(geo.from_db(feature.geom))
    return dict(feature.public_properties or {}), None


def withheld_keys(viewer, feature):
    if shown_exact(viewer, feature):
        return set()
    return set(feature.properties or {}) - set(feature.public_properties or {})


def merged(viewer, feature, submitted):
    """The submitted values plus those withheld from this viewer, which stay unchanged."""
    kept = {k: feature.properties[k] for k in withheld_keys(viewer, feature)}
    return {**kept, **submitted}


def photo_file(viewer, photo_id, thumb=False):
    """The folder and file name of a photo the viewer may see (its thumbnail if made)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise NotFound("photo.not_found")
    feature = feature_services.get_visible(viewer, photo.feature_id)
    if not shown_exact(viewer, feature):
        raise NotFound("photo.not_found")
    relative = photo.thumb_path if thumb and photo.thumb_path else photo.path
    return photo_services.folder(), relative.replace(os.sep, "/")


def inventory_page(viewer, slug, page=1):
    """An inventory the viewer may see, its latest public features, and what they may do."""
    inventory = inventories.get_visible(viewer, slug)
    return {
        "inventory": inventory,
        "latest": latest(inventory, page),
        "can_contribute": policies.can_contribute(viewer, inventory),
        "can_organise": policies.can_organise(viewer),
    }


def inventory_settings(inventory):
    """An inventory's settings as the form takes them."""
    return {
        "title": inventory.title,
        "slug": inventory.slug,
        "theme": inventory.theme,
        "description": inventory.description,
        "area": geo.to_geojson(geo.from_db(inventory.area)),
        "geometry_types": list(inventory.allowed_types),
        "licence": inventory.licence,
        "attribution": inventory.attribution,
        "moderation_mode": inventory.moderation_mode,
        "status": inventory.status,
        "department": inventory.department.slug if inventory.department else "",
        "generalise_m": inventory.generalise_m,
        "form_schema": inventory.form_schema,
    }
