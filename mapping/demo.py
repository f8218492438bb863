"""Demo data of the mapping package: a tree inventory and a small-heritage inventory loaded
from Montpellier's open data, a biodiversity inventory, an upcoming and a past mapping
party with task cells, and contributions in every status."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import shape
from sqlalchemy import select

from crowdsourcing.services import moderation
from mapping import formschema, geo, handoff
from mapping.models import PUBLISHED, Feature, FeatureRevision, Inventory, MappingParty
from mapping.services import features, inventories, parties, tasks, visibility
from webapp.db import unit_of_work
from webapp.extensions import db
from webapp.registrations import services as registrations

DATA = Path(__file__).parent / "data"
ATTRIBUTION = "Ville de Montpellier – Licence Ouverte (Etalab v1)"
PARIS = ZoneInfo("Europe/Paris")


def _read(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _city_area():
    """The union of Montpellier's seven districts."""
    parts = [shape(f["geometry"]) for f in _read("mtp_quartiers.geojson")["features"]]
    area = geo.round_coords(shapely.union_all(parts).buffer(0.0005).simplify(0.0002))
    return geo.to_geojson(area)


def _inventory(organiser, slug, template, **overrides):
    existing = db.session.scalar(select(Inventory).where(Inventory.slug == slug))
    if existing is not None:
        return existing, False
    data = inventories.template_data(template)
    data.update(slug=slug, status="open", area=_city_area(), **overrides)
    return inventories.create(organiser, data), True


def _load(inventory, organiser, rows):
    """Add published features as the organiser's import of the open data (no review)."""
    area = geo.from_db(inventory.area)
    loaded = skipped = 0
    with unit_of_work():
        for ref, geometry, values in rows:
            point = geo.round_coords(shapely.force_2d(shape(geometry)))
            if not area.covers(point):
                skipped += 1
                continue
            values = formschema.clean_values(inventory.fields, values)
            feature = Feature(
                inventory_id=inventory.id,
                inventory=inventory,
                status=PUBLISHED,
                created_by_id=organiser.id,
                updated_by_id=organiser.id,
                source_ref=ref,
                revision=1,
            )
            visibility.apply(feature, inventory, point, values)
            db.session.add(feature)
            db.session.flush()
            db.session.add(
                FeatureRevision(
                    feature_id=feature.id,
                    number=1,
                    action="import",
                    actor_id=organiser.id,
                    geom=feature.geom,
                    properties=values,
                    status=PUBLISHED,
                    changed=sorted(values),
                    note=ATTRIBUTION,
                )
            )
            loaded += 1
    return loaded, skipped


def _trees():
    for f in _read("mtp_arbres_remarquables.geojson")["features"]:
        p = f["properties"]
        values = {
            "species": p["NOM_LATIN"].strip(),
            "common_name": (p.get("NOM_USUEL") or "").strip(),
        }
        yield f"ArbresRemarq:{p['SUJET']}", f["geometry"], values


def _heritage():
    for f in _read("mtp_fontaines.geojson")["features"]:
        p = f["properties"]
        condition = "good" if (p.get("ETAT") or "").startswith("en fonction") else "fair"
        values = {"name": f"Fontaine {p['NOM']}".strip(), "heritage_type": "fountain"}
        values.update(condition=condition, description=p.get("LOCALIS") or None)
        yield f"FontainesPublic:{p['ID']}", f["geometry"], values
    for f in _read("mtp_monuments_espaces_verts.geojson")["features"]:
        p = f["properties"]
        name = (p.get("NOM") or "").strip()
        lowered = name.lower()
        kind = "fountain" if ("bassin" in lowered or "fontaine" in lowered) else "memorial"
        yield (
            f"Monuments:{int(p['MONUMENT'])}",
            f["geometry"],
            {"name": name, "heritage_type": kind},
        )


def seed(users):
    report = []
    organiser = users["organisatrice@example.org"]
    trees, new = _inventory(
        organiser,
        "arbres-remarquables",
        "trees",
        title="Arbres remarquables de Montpellier",
        description="Les arbres remarquables recensés par la Ville, à compléter et à photographier.",
        attribution=ATTRIBUTION,
        department="espaces-verts",
        moderation_mode="pre",
    )
    if new:
        loaded, skipped = _load(trees, organiser, _trees())
        report.append(f"Inventory {trees.slug}: {loaded} trees ({skipped} outside the city)")
    heritage, new = _inventory(
        organiser,
        "petit-patrimoine",
        "heritage",
        title="Petit patrimoine de Montpellier",
        description="Fontaines, statues, stèles et lavoirs : le patrimoine du quotidien.",
        attribution=ATTRIBUTION,
        department="patrimoine",
        moderation_mode="post",
    )
    if new:
        loaded, skipped = _load(heritage, organiser, _heritage())
        report.append(f"Inventory {heritage.slug}: {loaded} features ({skipped} outside the city)")
    nature, new = _inventory(
        organiser,
        "biodiversite-des-parcs",
        "biodiversity",
        title="Biodiversité en ville",
        description="Observations de faune et de flore ; les espèces protégées sont floutées.",
        department="espaces-verts",
        moderation_mode="pre",
    )
    if new:
        _contributions(users, nature, heritage)
        report.append(f"Inventory {nature.slug}: contributions in every status")
    report.extend(_parties(users, trees, nature))
    return report


def _contributions(users, nature, heritage):
    """Observations by residents, then decided by the moderator so every status shows."""
    nour, jeanne = users["habitant@example.org"], users["habitante@example.org"]
    moderator = users["moderateur@example.org"]
    today = datetime.now(PARIS).date().isoformat()
    made = []
    for author, (lon, lat), values in [
        (
            nour,
            (3.8794, 43.6111),
            {
                "scientific_name": "Passer domesticus",
                "common_name": "Moineau domestique",
                "count": 6,
            },
        ),
        (
            jeanne,
            (3.8702, 43.6142),
            {
                "scientific_name": "Platanus x hispanica",
                "common_name": "Platane",
                "confidence": "certain",
            },
        ),
        (
            nour,
            (3.8823, 43.6049),
            {
                "scientific_name": "Bufo spinosus",
                "common_name": "Crapaud épineux",
                "protection": "protected",
                "notes": "Sous le pont, près du bassin.",
            },
        ),
        (
            jeanne,
            (3.8651, 43.6190),
            {
                "scientific_name": "Pipistrellus",
                "common_name": "Pipistrelle",
                "confidence": "probable",
            },
        ),
        (nour, (3.8900, 43.6000), {"scientific_name": "Hedera helix", "common_name": "Lierre"}),
        (
            jeanne,
            (3.8755, 43.6080),
            {"scientific_name": "Columba livia", "common_name": "Pigeon biset"},
        ),
    ]:
        values.setdefault("observed_on", today)
        made.append(
            features.create(author, nature.id, geo.to_geojson(shapely.Point(lon, lat)), values)
        )
    decisions = ["approve", "approve", "approve", "request_changes", "reject", None]
    for feature, action in zip(made, decisions, strict=True):
        submission = handoff.submission_of(feature)
        if action is not None:
            moderation.decide(
                moderator,
                submission.id,
                submission.version,
                action,
                note=(
                    "Pouvez-vous préciser l'espèce ?"
                    if action == "request_changes"
                    else "Espèce trop courante pour cet inventaire."
                    if action == "reject"
                    else None
                ),
            )
    # A contribution its author took back: removed, still in the history.
    mistaken = features.create(
        jeanne,
        nature.id,
        geo.to_geojson(shapely.Point(3.8740, 43.6110)),
        {"scientific_name": "Columba palumbus", "observed_on": today},
    )
    features.remove(jeanne, mistaken.id, note="Doublon de mon observation précédente.")
    # A post-moderated contribution, public at once and still waiting for review.
    features.create(
        jeanne,
        heritage.id,
        geo.to_geojson(shapely.Point(3.8771, 43.6098)),
        {
            "name": "Croix de la rue de l'Aiguillerie",
            "heritage_type": "wayside_cross",
            "condition": "fair",
        },
    )


def _parties(users, trees, nature):
    if db.session.scalar(select(MappingParty.id).limit(1)) is not None:
        return []
    organiser = users["organisatrice@example.org"]
    nour, jeanne = users["habitant@example.org"], users["habitante@example.org"]
    start = datetime.now(PARIS).replace(hour=9, minute=30, second=0, microsecond=0)
    area = geo.to_geojson(shapely.box(3.8700, 43.6050, 3.8860, 43.6140))
    upcoming = parties.create(
        organiser,
        {
            "title": "Cartopartie des arbres de l'Écusson",
            "slug": "cartopartie-arbres-ecusson",
            "description": "Deux heures pour recenser et photographier les arbres du centre historique. Venez avec un téléphone chargé !",
            "starts_at": start + timedelta(days=10),
            "ends_at": start + timedelta(days=10, hours=3),
            "capacity": 12,
            "address": "Place de la Comédie, 34000 Montpellier",
            "lon": 3.8797,
            "lat": 43.6086,
            "inventories": [trees.id, nature.id],
            "area": area,
            "claim_minutes": 45,
        },
    )
    parties.split_grid(organiser, upcoming.id, 400)
    registrations.register(jeanne, upcoming.registration_list_id)
    past = parties.create(
        organiser,
        {
            "title": "Cartopartie biodiversité du Jardin des plantes",
            "slug": "cartopartie-arbres-peyrou",
            "description": "Inventaire de la faune et de la flore autour du Jardin des plantes.",
            "starts_at": start + timedelta(days=1),
            "ends_at": start + timedelta(days=1, hours=3),
            "capacity": 15,
            "address": "Boulevard Henri IV, 34000 Montpellier",
            "lon": 3.8715,
            "lat": 43.6149,
            "inventories": [nature.id],
            "area": geo.to_geojson(shapely.box(3.8660, 43.6120, 3.8760, 43.6180)),
        },
    )
    parties.split_grid(organiser, past.id, 300)
    for person in (nour, jeanne):
        registrations.register(person, past.registration_list_id)
    cells = tasks.of_party(past)
    for person, cell in zip((nour, jeanne), cells[:2], strict=False):
        tasks.claim(person, cell.id)
        tasks.mark_done(person, cell.id)
    tasks.validate(organiser, cells[0].id)
    for author, (lon, lat), name in [
        (nour, (3.8702, 43.6151), ("Quercus ilex", "Chêne vert")),
        (jeanne, (3.8721, 43.6160), ("Celtis australis", "Micocoulier")),
    ]:
        features.create(
            author,
            nature.id,
            geo.to_geojson(shapely.Point(lon, lat)),
            {
                "scientific_name": name[0],
                "common_name": name[1],
                "observed_on": (start - timedelta(days=30)).date().isoformat(),
            },
            party_id=past.id,
        )
    # The party took place last month: move it (and what was mapped) into the past.
    with unit_of_work():
        shift = timedelta(days=31)
        past.registration_list.starts_at -= shift
        past.registration_list.ends_at -= shift
        for registration in _registrations(past):
            registration.attended = True
    return [f"Mapping parties: {upcoming.slug} (upcoming), {past.slug} (past)"]


def _registrations(party):
    from webapp.registrations.models import Registration

    return db.session.scalars(
        select(Registration).where(Registration.list_id == party.registration_list_id)
    ).all()
