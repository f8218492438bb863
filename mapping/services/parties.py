"""Mapping parties: the event (on the shared registrations), its inventories and area,
its task grid, and the summary afterwards."""

from flask_babel import lazy_gettext as _l
from shapely.ops import unary_union
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from mapping import geo, policies
from mapping.models import (
    TASK_OPEN,
    Feature,
    Inventory,
    MappingParty,
    PartyInventory,
    PartyValidator,
    Photo,
    Task,
)
from mapping.services import inventories as inventory_services
from webapp import urls
from webapp.accounts.models import User
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.text import one_line

MAX_CELLS = 400


def _inventories(ids, errors):
    ids = [int(i) for i in ids or [] if str(i).isdigit()]
    found = db.session.scalars(select(Inventory).where(Inventory.id.in_(ids))).all() if ids else []
    if not found:
        errors["inventories"] = [_l("Choose at least one inventory.")]
    return found


def _clean(data, errors, current=None):
    cleaned = {}
    slug = (data.get("slug") or "").strip() or urls.slugify(data.get("title"))
    if not inventory_services.SLUG_RE.match(slug or "-") or len(slug) > 80:
        errors["slug"] = [_l("Lower-case letters, digits and hyphens only.")]
    elif db.session.scalar(
        select(MappingParty.id).where(
            MappingParty.slug == slug, MappingParty.id != getattr(current, "id", None)
        )
    ):
        errors["slug"] = [_l("Another mapping party already uses this address.")]
    cleaned["slug"] = slug
    cleaned["inventories"] = _inventories(data.get("inventories"), errors)
    area = data.get("area")
    cleaned["area"] = None
    if data.get("area_from_inventories") and cleaned["inventories"]:
        # The inventories' areas together: a party often maps where its inventories are.
        area = geo.to_geojson(unary_union([geo.from_db(i.area) for i in cleaned["inventories"]]))
    if area not in (None, "", {}):
        try:
            cleaned["area"] = geo.to_area(geo.parse_geojson(area, "area"))
        except ValidationError as error:
            errors.update(error.fields)
    try:
        cleaned["claim_minutes"] = int(data.get("claim_minutes") or 60)
        if not 5 <= cleaned["claim_minutes"] <= 24 * 60:
            raise ValueError
    except (TypeError, ValueError):
        errors["claim_minutes"] = [_l("Between 5 minutes and 24 hours.")]
    return cleaned


def create(actor, data):
    """Create a party and its registration list; the actor organises it."""
    if not policies.can_organise(actor):
        raise PermissionDenied("party.cannot_organise")
    errors = {}
    cleaned = _clean(data, errors)
    if errors:
        raise ValidationError("party.invalid", fields=errors)
    with unit_of_work():
        registration_list = registrations.create_list(
            actor,
            title=data.get("title"),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            capacity=data.get("capacity"),
            kind="mapping_party",
            description=data.get("description"),
            address=data.get("address"),
            lon=data.get("lon"),
            lat=data.get("lat"),
            page_url=f"/mapping/parties/{cleaned['slug']}",
            managers=data.get("organisers") or (),
        )
        party = MappingParty(
            slug=cleaned["slug"],
            registration_list=registration_list,
            area=geo.to_db(cleaned["area"]) if cleaned["area"] is not None else None,
            claim_minutes=cleaned["claim_minutes"],
            created_by_id=actor.id,
        )
        db.session.add(party)
        db.session.flush()
        for inventory in cleaned["inventories"]:
            db.session.add(PartyInventory(party_id=party.id, inventory_id=inventory.id))
    return party


EVENT_FIELDS = ("title", "description", "starts_at", "ends_at", "address", "lon", "lat")


def _clean_event(data, registration_list, errors):
    """Check the event fields given (title, dates, place); the others keep their value."""
    given = {k: data[k] for k in EVENT_FIELDS if k in data}
    if not given:
        return {}
    current = {k: getattr(registration_list, k) for k in EVENT_FIELDS}
    merged = {**current, **given}
    merged["title"] = one_line(merged["title"])
    if not 1 <= len(merged["title"]) <= 200:
        errors["title"] = [_l("Between 1 and 200 characters.")]
    starts, ends = merged["starts_at"], merged["ends_at"]
    if starts is None or ends is None or ends <= starts:
        errors["ends_at"] = [_l("The end must come after the start.")]
    lon, lat = merged["lon"], merged["lat"]
    if (lon is None) != (lat is None) or (
        lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        errors["location"] = [
            _l("Give a longitude between -180 and 180 and a latitude between -90 and 90.")
        ]
    merged["description"] = (merged["description"] or "").strip() or None
    merged["address"] = (merged["address"] or "").strip()[:300] or None
    return merged


def _apply_event(registration_list, event):
    for name in ("title", "description", "starts_at", "ends_at", "address"):
        setattr(registration_list, name, event[name])
    registration_list.set_location(event["lon"], event["lat"])


def update(actor, party_id, data):
    """Edit the party: its event (title, description, dates, place, capacity through the
    shared registrations), inventories, area and claim length."""
    party = get(party_id)
    if not policies.can_manage_party(actor, party):
        raise PermissionDenied("party.cannot_manage")
    errors = {}
    cleaned = _clean({"slug": party.slug, **data}, errors, current=party)
    event = _clean_event(data, party.registration_list, errors)
    if errors:
        raise ValidationError("party.invalid", fields=errors)
    with unit_of_work():
        capacity = data.get("capacity")
        if capacity is not None and capacity != party.registration_list.capacity:
            # First, as it reloads the locked list: the event's new values come after.
            registrations.set_capacity(actor, party.registration_list_id, capacity)
        if event:
            _apply_event(party.registration_list, event)
        party.area = geo.to_db(cleaned["area"]) if cleaned["area"] is not None else None
        party.claim_minutes = cleaned["claim_minutes"]
        db.session.execute(delete(PartyInventory).where(PartyInventory.party_id == party.id))
        for inventory in cleaned["inventories"]:
            db.session.add(PartyInventory(party_id=party.id, inventory_id=inventory.id))
    db.session.expire(party)
    return party


def get(party_id):
    party = db.session.get(MappingParty, party_id)
    if party is None:
        raise NotFound("party.not_found")
    return party


def by_slug(slug):
    party = db.session.scalar(select(MappingParty).where(MappingParty.slug == slug))
    if party is None:
        raise NotFound("party.not_found")
    return party


def _tasks_started(party):
    return db.session.scalar(
        select(func.count(Task.id)).where(Task.party_id == party.id, Task.status != TASK_OPEN)
    )


def split_grid(actor, party_id, cell_m):
    """Cover the party's area with cells of about `cell_m` metres (replacing untouched cells)."""
    party = get(party_id)
    if not policies.can_manage_party(actor, party):
        raise PermissionDenied("party.cannot_manage")
    if party.area is None:
        raise ValidationError(
            "party.no_area", fields={"area": [_l("Give the party an area first.")]}
        )
    try:
        cell_m = int(cell_m)
        if not 50 <= cell_m <= 5000:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError(
            "party.cell_size", fields={"cell_m": [_l("Between 50 and 5,000 metres.")]}
        ) from None
    cells = geo.grid(geo.from_db(party.area), cell_m, limit=MAX_CELLS)
    return _replace_tasks(actor, party, cells)


def add_tasks(actor, party_id, geometries):
    """Organiser-drawn polygons as task cells (added after the existing ones)."""
    party = get(party_id)
    if not policies.can_manage_party(actor, party):
        raise PermissionDenied("party.cannot_manage")
    area = geo.from_db(party.area) if party.area is not None else None
    shapes = [
        geo.round_coords(geo.check(geo.parse_geojson(g, "tasks"), ("Polygon",), "tasks", area=area))
        for g in geometries
    ]
    if not shapes:
        raise ValidationError("party.no_tasks", fields={"tasks": [_l("Draw at least one cell.")]})
    with unit_of_work():
        last = (
            db.session.scalar(select(func.max(Task.number)).where(Task.party_id == party.id)) or 0
        )
        for offset, shape in enumerate(shapes, start=1):
            db.session.add(Task(party_id=party.id, number=last + offset, geom=geo.to_db(shape)))
    return shapes


def _replace_tasks(actor, party, cells):
    with unit_of_work():
        if _tasks_started(party):
            raise Conflict(
                "party.tasks_started",
                message=_l("Some cells are already claimed or done; the grid cannot be replaced."),
            )
        db.session.execute(delete(Task).where(Task.party_id == party.id))
        for number, cell in enumerate(cells, start=1):
            db.session.add(Task(party_id=party.id, number=number, geom=geo.to_db(cell)))
    return cells


def set_validators(actor, party_id, user_ids):
    """Name the experienced participants who may validate or reopen cells."""
    party = get(party_id)
    if not policies.can_manage_party(actor, party):
        raise PermissionDenied("party.cannot_manage")
    wanted = set(db.session.scalars(select(User.id).where(User.id.in_(user_ids or []))))
    with unit_of_work():
        # Keep the rows of validators named again: replacing them would insert the new
        # row before deleting the old one, against the (party, user) unique constraint.
        kept = [v for v in party.validators if v.user_id in wanted]
        added = wanted - {v.user_id for v in kept}
        party.validators = kept + [PartyValidator(user_id=uid) for uid in sorted(added)]
    return party


def listed(upcoming=True, now=None):
    """Parties still to come (soonest first) or past ones (latest first)."""
    from webapp.registrations.models import RegistrationList

    now = now or utcnow()
    query = (
        select(MappingParty)
        .join(MappingParty.registration_list)
        .options(selectinload(MappingParty.inventories))
    )
    if upcoming:
        query = query.where(RegistrationList.ends_at >= now).order_by(RegistrationList.starts_at)
    else:
        query = query.where(RegistrationList.ends_at < now).order_by(
            RegistrationList.starts_at.desc()
        )
    return db.session.scalars(query).all()


def is_past(party, now=None):
    return party.registration_list.ends_at < (now or utcnow())


def summary(party):
    """Contributors, features by type and status, cells done, photos: the page after."""
    features = select(Feature).where(Feature.party_id == party.id).subquery()
    by_type = dict(
        db.session.execute(
            select(features.c.geometry_type, func.count()).group_by(features.c.geometry_type)
        ).all()
    )
    by_status = dict(
        db.session.execute(
            select(features.c.status, func.count()).group_by(features.c.status)
        ).all()
    )
    contributors = db.session.execute(
        select(User, func.count(Feature.id))
        .join(Feature, Feature.created_by_id == User.id)
        .where(Feature.party_id == party.id)
        .group_by(User.id)
        .order_by(func.count(Feature.id).desc(), User.id)
    ).all()
    tasks = dict(
        db.session.execute(
            select(Task.status, func.count()).where(Task.party_id == party.id).group_by(Task.status)
        ).all()
    )
    photos = db.session.scalars(
        select(Photo)
        .join(Feature, Feature.id == Photo.feature_id)
        .where(
            Feature.party_id == party.id,
            Feature.status == "published",
            Feature.is_sensitive.is_(False),
        )
        .order_by(Photo.id)
        .limit(48)
    ).all()
    return {
        "by_type": by_type,
        "by_status": by_status,
        "contributors": contributors,
        "tasks": tasks,
        "photos": photos,
        "total": sum(by_status.values()),
    }
