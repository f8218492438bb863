"""What the mapping package puts in the one search box: inventories that are not drafts."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mapping.models import DRAFT, Inventory
from webapp import search
from webapp.extensions import db


def _inventory(inventory_id):
    from mapping.services.inventories import THEMES

    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None or inventory.status == DRAFT:
        return None
    theme = THEMES.get(inventory.theme)
    return search.Document(
        title=inventory.title,
        body="\n".join(str(p) for p in (inventory.description, theme, inventory.attribution) if p),
        url=f"/mapping/inventories/{inventory.slug}",
    )


SOURCE = search.Source(
    "inventory",
    _l("Map inventory"),
    _inventory,
    lambda: list(db.session.scalars(select(Inventory.id).order_by(Inventory.id))),
)


def register():
    search.register_source(SOURCE)
