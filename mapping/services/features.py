"""Features: add, edit, remove, revert, confirm, report. Every change is a revision."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from mapping import formschema, geo, handoff, jobs, policies
from mapping.models import PENDING as FEATURE_PENDING
from mapping.models import (
    POST,
    PUBLISHED,
    REMOVED,
    Feature,
    FeatureConfirmation,
    FeatureRevision,
    Inventory,
    MappingParty,
)
from mapping.services import photos as photo_services
from mapping.services import visibility
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db

NOTE_MAX = 500


def title(feature):
    """A short name: the key attribute's value, else the kind of geometry and the id."""
    key = formschema.key_field(feature.inventory.fields)
    value = (feature.properties or {}).get(key) if key else None
    if value:
        field = next(f for f in feature.inventory.fields if f["key"] == key)
        return str(formschema.choice_label(field, value, "fr"))[:200]
    with force_locale("fr"):
        kind = str(geo.TYPE_LABELS.get(feature.geometry_type, feature.geometry_type))
    return f"{kind.capitalize()} #{feature.id}"


def summary(feature):
    """The attributes as one line of text, for the moderation inbox."""
    parts = []
    for field in feature.inventory.fields:
        value = (feature.properties or {}).get(field["key"])
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(formschema.choice_label(field, v, "fr")) for v in value)
        else:
            value = formschema.choice_label(field, value, "fr")
        parts.append(f"{formschema.label(field, 'fr')}: {value}")
    return " · ".join(parts)[:500]


def _inventory(inventory_id, lock=False):
    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFound("inventory.not_found")
    return inventory


def _clean(inventory, geometry, properties, photos, photos_held=()):
    """Check geometry, attributes and photos together, so every field's error shows at once."""
    errors, shape, values, cleaned_photos = {}, None, None, {}
    try:
        shape = geo.check(
            geo.parse_geojson(geometry),
            inventory.allowed_types,
            area=geo.area_from_db(inventory.area),
        )
        shape = geo.round_coords(shape)
    except ValidationError as error:
        errors.update(error.fields)
    photo_fields = {f["key"] for f in inventory.fields if f["type"] == formschema.PHOTO}
    for key, data in (photos or {}).items():
        if key not in photo_fields:
            errors[key] = [_l("This inventory has no photo field %(key)s.", key=key)]
            continue
        try:
            cleaned_photos[key] = photo_services.clean(data, field=key)
        except ValidationError as error:
            errors.update(error.fields)
    try:
        given = set(photos or {}) | set(photos_held)
        values = formschema.clean_values(inventory.fields, properties or {}, photos_given=given)
    except ValidationError as error:
        errors.update(error.fields)
    if errors:
        raise ValidationError("feature.invalid", fields=errors)
    return shape, values, cleaned_photos


def _party(party_id, inventory):
    if party_id is None:
        return None
    party = db.session.get(MappingParty, party_id)
    if party is None or inventory.id not in {i.id for i in party.inventories}:
        raise ValidationError(
            "feature.party_invalid",
            fields={"party": [_l("This mapping party does not use this inventory.")]},
        )
    return party


def create(actor, inventory_id, geometry, properties, photos=None, party_id=None, note=None):
    """A member adds a feature to an open inventory; it enters the moderation pipeline."""
    inventory = _inventory(inventory_id)
    if not policies.can_contribute(actor, inventory):
        raise PermissionDenied("feature.cannot_contribute")
    shape, values, cleaned_photos = _clean(inventory, geometry, properties, photos)
    party = _party(party_id, inventory)
    stored = []
    try:
        with unit_of_work():
            feature = Feature(
                inventory_id=inventory.id,
                inventory=inventory,
                status=PUBLISHED if inventory.moderation_mode == POST else FEATURE_PENDING,
                created_by_id=actor.id,
                updated_by_id=actor.id,
                party_id=party.id if party else None,
                revision=1,
            )
            visibility.apply(feature, inventory, shape, values)
            db.session.add(feature)
            db.session.flush()
            _record(feature, actor, "create", geo_changed=True, changed=sorted(values), note=note)
            for key, photo in cleaned_photos.items():
                stored.append(photo_services.store(feature, key, photo, actor))
            handoff.submit_new(feature, actor)
            jobs.enqueue_after_commit(jobs.find_duplicates, feature.id)
    except BaseException:
        photo_services.discard_files(stored)
        raise
    return feature


def _record(feature, actor, action, geo_changed=False, changed=(), note=None):
    changed = list(changed) + (["geometry"] if geo_changed else [])
    revision = FeatureRevision(
        feature_id=feature.id,
        number=feature.revision,
        action=action,
        actor_id=getattr(actor, "id", None),
        geom=feature.geom,
        properties=dict(feature.properties or {}),
        status=feature.status,
        changed=changed,
        note=(note or "").strip()[:NOTE_MAX] or None,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def _locked(feature_id):
    feature = db.session.scalar(
        select(Feature)
        .where(Feature.id == feature_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if feature is None:
        raise NotFound("feature.not_found")
    return feature


def _stale():
    return Conflict(
        "feature.stale",
        message=_l("Someone changed this feature meanwhile; reload it and try again."),
    )


def update(actor, feature_id, revision, geometry=None, properties=None, photos=None, note=None):
    """Edit a feature at a known revision; an author's edit of a published feature is
    applied at once and queued for review."""
    stored = []
    try:
        with unit_of_work():
            feature = _locked(feature_id)
            if not policies.can_edit_feature(actor, feature):
                raise PermissionDenied("feature.cannot_edit")
            if revision != feature.revision:
                raise _stale()
            inventory = feature.inventory
            current_shape = geo.from_db(feature.geom)
            held = photo_services.fields_with_photos(feature)
            shape, values, cleaned_photos = _clean(
                inventory,
                geo.to_geojson(current_shape) if geometry is None else geometry,
                feature.properties if properties is None else properties,
                photos,
                photos_held=held,
            )
            moved = not shape.equals_exact(current_shape, 1e-9)
            old = feature.properties or {}
            changed = sorted(k for k in set(old) | set(values) if old.get(k) != values.get(k))
            changed += sorted(cleaned_photos)
            if not moved and not changed:
                return feature
            visibility.apply(feature, inventory, shape, values)
            feature.revision += 1
            feature.updated_by_id, feature.updated_at = actor.id, utcnow()
            record = _record(feature, actor, "update", moved, changed, note)
            for key, photo in cleaned_photos.items():
                stored.append(photo_services.replace(feature, key, photo, actor))
            _queue_edit(feature, record, actor)
            jobs.enqueue_after_commit(jobs.find_duplicates, feature.id)
    except BaseException as error:
        # As in create: files of a change that did not commit are removed.
        photo_services.discard_files(stored)
        if isinstance(error, StaleDataError):
            raise _stale() from None
        raise
    return feature


def _queue_edit(feature, record, actor):
    if policies.can_moderate(actor) or feature.created_by_id != actor.id:
        return
    if feature.status == PUBLISHED:
        handoff.submit_edit(record, feature, actor)
    else:
        handoff.after_author_edit(feature, actor)
    submission = handoff.submission_of(feature)
    if submission is not None:
        submission.title = title(feature)


def remove(actor, feature_id, note=None):
    """Take a feature off the map; it stays in the history, accounted for."""
    with unit_of_work():
        feature = _locked(feature_id)
        if not policies.can_edit_feature(actor, feature):
            raise PermissionDenied("feature.cannot_edit")
        feature.status = REMOVED
        feature.revision += 1
        feature.updated_by_id, feature.updated_at = actor.id, utcnow()
        _record(feature, actor, "remove", note=note)
        handoff.withdraw(feature, actor)
    return feature


def restore(actor, feature, number, note=None):
    """Bring back a revision's geometry and attributes as a new revision (inside a unit)."""
    source = db.session.scalar(
        select(FeatureRevision).where(
            FeatureRevision.feature_id == feature.id, FeatureRevision.number == number
        )
    )
    if source is None:
        raise NotFound("feature.revision_not_found")
    shape = geo.from_db(source.geom)
    old = feature.properties or {}
    changed = sorted(
        k for k in set(old) | set(source.properties) if old.get(k) != source.properties.get(k)
    )
    moved = not shape.equals_exact(geo.from_db(feature.geom), 1e-9)
    visibility.apply(feature, feature.inventory, shape, dict(source.properties))
    if feature.status == REMOVED:
        feature.status = source.status if source.status != REMOVED else PUBLISHED
    feature.revision += 1
    feature.updated_by_id, feature.updated_at = getattr(actor, "id", None), utcnow()
    return _record(feature, actor, "revert", moved, changed, note or f"r{number}")


def revert(actor, feature_id, number, note=None):
    """A moderator or organiser puts a feature back as it was at a revision."""
    with unit_of_work():
        feature = _locked(feature_id)
        if not policies.can_moderate(actor):
            raise PermissionDenied("feature.cannot_revert")
        if number == feature.revision:
            raise Conflict(
                "feature.same_revision", message=_l("This is already the current revision.")
            )
        restore(actor, feature, number, note)
    return feature


def get_visible(viewer, feature_id):
    feature = db.session.get(Feature, feature_id)
    if feature is None or not policies.can_see_feature(viewer, feature):
        raise NotFound("feature.not_found")
    if not policies.can_view_inventory(viewer, feature.inventory):
        raise NotFound("feature.not_found")
    return feature


def history(viewer, feature_id):
    feature = get_visible(viewer, feature_id)
    revisions = db.session.scalars(
        select(FeatureRevision)
        .where(FeatureRevision.feature_id == feature.id)
        .order_by(FeatureRevision.number.desc())
    ).all()
    return feature, revisions


def confirm(actor, feature_id):
    """“I saw it too”: one confirmation per member, never on one's own feature."""
    feature = get_visible(actor, feature_id)
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("feature.login_required")
    if feature.status != PUBLISHED:
        raise Conflict(
            "feature.not_published", message=_l("Only published features can be confirmed.")
        )
    if feature.created_by_id == actor.id:
        raise Conflict("feature.own", message=_l("You cannot confirm your own contribution."))
    with unit_of_work():
        try:
            with db.session.begin_nested():
                db.session.add(FeatureConfirmation(feature_id=feature.id, user_id=actor.id))
        except IntegrityError:
            raise Conflict(
                "feature.already_confirmed", message=_l("You already confirmed it.")
            ) from None
        _bump_confirmations(feature.id, 1)
    db.session.refresh(feature)
    return feature


def unconfirm(actor, feature_id):
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("feature.login_required")
    with unit_of_work():
        row = db.session.scalar(
            select(FeatureConfirmation).where(
                FeatureConfirmation.feature_id == feature_id,
                FeatureConfirmation.user_id == actor.id,
            )
        )
        if row is None:
            raise NotFound("feature.confirmation_not_found")
        db.session.delete(row)
        db.session.flush()
        _bump_confirmations(feature_id, -1)
    feature = db.session.get(Feature, feature_id)
    db.session.refresh(feature)
    return feature


def _bump_confirmations(feature_id, delta):
    # A counter, not a versioned change: it must not make an editor's revision stale.
    db.session.execute(
        sql_update(Feature)
        .where(Feature.id == feature_id)
        .values(confirmations=Feature.confirmations + delta)
        .execution_options(synchronize_session=False)
    )


def report(actor, feature_id, reason, note=None):
    """Report a problem on a feature: a flag on its submission in the pipeline."""
    from crowdsourcing.services import moderation

    feature = get_visible(actor, feature_id)
    submission = handoff.submission_of(feature)
    if submission is None:
        raise Conflict("flag.not_published", message=_l("Only published items can be reported."))
    return moderation.flag(actor, submission.id, reason, note)
