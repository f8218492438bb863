"""Demo data of inventories: three inventories over central Montpellier and a few features."""

from sqlalchemy import select

from mapping.models import Inventory
from mapping.services import features, inventories
from webapp.extensions import db

# Central Montpellier, lon/lat.
AREA = {
    "type": "Polygon",
    "coordinates": [
        [[3.85, 43.58], [3.92, 43.58], [3.92, 43.63], [3.85, 43.63], [3.85, 43.58]],
    ],
}

INVENTORIES = [
    # (slug, template, title, moderation, description, department)
    (
        "biodiversite-des-parcs",
        "biodiversity",
        "Biodiversité des parcs",
        "pre",
        "Notez les espèces que vous observez dans les parcs et jardins de la ville. "
        "Les espèces protégées ne sont montrées précisément qu'aux agents.",
        "espaces-verts",
    ),
    (
        "petit-patrimoine",
        "heritage",
        "Petit patrimoine",
        "post",
        "Croix, fontaines, lavoirs, bornes : recensons le petit patrimoine des quartiers.",
        "patrimoine",
    ),
    (
        "arbres-remarquables",
        "trees",
        "Arbres remarquables",
        "pre",
        "Les arbres les plus beaux ou les plus anciens de la ville.",
        "espaces-verts",
    ),
]

FEATURES = {
    "petit-patrimoine": [
        ((3.8797, 43.6086), {"name": "Fontaine des Trois Grâces", "heritage_type": "fountain"}),
        ((3.8730, 43.6115), {"name": "Arc de triomphe", "heritage_type": "memorial"}),
        ((3.8702, 43.6117), {"name": "Château d'eau du Peyrou", "heritage_type": "fountain"}),
    ],
    "biodiversite-des-parcs": [
        (
            (3.8743, 43.6143),
            {"scientific_name": "Platanus x hispanica", "observed_on": "2026-04-12"},
        ),
    ],
}


def seed(users):
    """Create the demo inventories (and their first features) when missing."""
    report = []
    organiser = users["organisatrice@example.org"]
    resident = users["habitante@example.org"]
    for slug, template, title, mode, description, department in INVENTORIES:
        if db_has(slug):
            report.append(f"inventory {slug}: already there")
            continue
        data = inventories.template_data(template)
        data.update(
            slug=slug,
            title=title,
            area=AREA,
            status="open",
            moderation_mode=mode,
            description=description,
            department=department,
            attribution="Contributeurs et contributrices de Fabrique",
        )
        inventory = inventories.create(organiser, data)
        for (lon, lat), properties in FEATURES.get(slug, []):
            point = {"type": "Point", "coordinates": [lon, lat]}
            features.create(resident, inventory.id, point, properties)
        report.append(f"inventory {slug}: created")
    return report


def db_has(slug):
    return db.session.scalar(select(Inventory.id).where(Inventory.slug == slug)) is not None
