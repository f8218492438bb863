"""Demo mapping parties for `flask seed-demo`: one coming up and one past, both split into
cells. Idempotent. Contributions are left to the inventories' demo data: a feature is a
submission, and the moderation pages link it to the feature pages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mapping.models import Inventory, MappingParty
from mapping.services import inventories, parties
from webapp.extensions import db

INVENTORY_SLUG = "arbres-de-l-ecusson"
UPCOMING_SLUG = "cartopartie-arbres-ecusson"
PAST_SLUG = "cartopartie-arbres-peyrou"
# Around the Écusson, Montpellier's old town, lon/lat.
AREA = {
    "type": "Polygon",
    "coordinates": [
        [[3.868, 43.605], [3.884, 43.605], [3.884, 43.615], [3.868, 43.615], [3.868, 43.605]]
    ],
}
PEYROU = {
    "type": "Polygon",
    "coordinates": [
        [[3.868, 43.609], [3.873, 43.609], [3.873, 43.613], [3.868, 43.613], [3.868, 43.609]]
    ],
}


def _inventory(organiser):
    found = db.session.scalar(select(Inventory).where(Inventory.slug == INVENTORY_SLUG))
    if found is not None:
        return found, []
    data = inventories.template_data("trees")
    data.update(
        slug=INVENTORY_SLUG,
        title="Arbres de l'Écusson",
        description="Les arbres des rues et places du centre historique de Montpellier.",
        area=AREA,
        status="open",
        moderation_mode="post",
    )
    return inventories.create(organiser, data), [f"inventory {INVENTORY_SLUG!r}: created"]


def _party(organiser, inventory, slug, title, starts, area):
    return parties.create(
        organiser,
        {
            "slug": slug,
            "title": title,
            "description": (
                "Venez recenser les arbres du centre historique avec nous : chaque équipe "
                "réserve un secteur sur la carte, l'arpente et saisit les arbres qu'elle voit."
            ),
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "capacity": 15,
            "address": "Place de la Comédie, 34000 Montpellier",
            "lon": 3.8797,
            "lat": 43.6086,
            "inventories": [inventory.id],
            "area": area,
            "claim_minutes": 90,
        },
    )


def seed(users):
    """Create the demo inventory and parties that are missing."""
    organiser = users["organisatrice@example.org"]
    inventory, report = _inventory(organiser)
    paris = ZoneInfo("Europe/Paris")
    today = datetime.now(paris).replace(hour=10, minute=0, second=0, microsecond=0)
    if db.session.scalar(select(MappingParty.id).where(MappingParty.slug == UPCOMING_SLUG)) is None:
        party = _party(
            organiser,
            inventory,
            UPCOMING_SLUG,
            "Cartopartie des arbres de l'Écusson",
            today + timedelta(days=10),
            AREA,
        )
        parties.split_grid(organiser, party.id, 250)
        report.append(f"mapping party {UPCOMING_SLUG!r}: created")
    if db.session.scalar(select(MappingParty.id).where(MappingParty.slug == PAST_SLUG)) is None:
        party = _party(
            organiser,
            inventory,
            PAST_SLUG,
            "Cartopartie des arbres du Peyrou",
            today - timedelta(days=20),
            PEYROU,
        )
        parties.split_grid(organiser, party.id, 200)
        report.append(f"mapping party {PAST_SLUG!r}: created")
    return report
