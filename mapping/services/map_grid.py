"""The map grid: counts of published features per cell at a few zoom levels, so that a
map zoomed out over a city reads a few hundred cells instead of a million features.

Database triggers (migration 0012_map_grid) keep `mapping_map_cell` in step with every
insert, delete and change of status or public position of a feature, in the same
transaction. Cells use public positions only, so clusters never tell where a sensitive
feature really is. `rebuild` recomputes an inventory's cells from its features: run it
after loading rows with the triggers off (`flask --app webapp map-grid-rebuild`).
"""

from sqlalchemy import Integer, cast, delete, func, insert, literal, select

from mapping.models import GRID_LEVELS, PUBLISHED, Feature, MapCell
from webapp.db import is_sqlite, unit_of_work
from webapp.extensions import db


def cell_size(level):
    return 360.0 / 2**level


def cell_index(value, offset, level):
    """The cell number of a longitude (offset 180) or latitude (offset 90) column, as the
    triggers compute it; both operands are positive, so truncation is the floor."""
    ratio = (value + float(offset)) / cell_size(level)
    return cast(ratio if is_sqlite() else func.floor(ratio), Integer)


def level_for(step):
    """The coarsest level whose cells are at most twice `step` degrees wide, or None when
    even the finest is coarser (the box is small: count its features directly)."""
    for level in GRID_LEVELS:
        if cell_size(level) <= 2 * step:
            return level
    return None


def published_count(inventory_id):
    """How many features of the inventory are published: each is in exactly one cell of
    every level, so the coarsest level's cells add up to it."""
    total = select(func.coalesce(func.sum(MapCell.n), 0)).where(
        MapCell.inventory_id == inventory_id, MapCell.level == GRID_LEVELS[0]
    )
    return int(db.session.scalar(total))


def rebuild(inventory_id=None):
    """Recompute the cells of one inventory (or of all) from the features; returns the
    number of cells written."""
    with unit_of_work():
        removal = delete(MapCell)
        if inventory_id is not None:
            removal = removal.where(MapCell.inventory_id == inventory_id)
        db.session.execute(removal)
        for level in GRID_LEVELS:
            cx = cell_index(Feature.public_lon, 180, level)
            cy = cell_index(Feature.public_lat, 90, level)
            rows = select(
                Feature.inventory_id,
                literal(level),
                cx,
                cy,
                func.count(),
                func.sum(Feature.public_lon),
                func.sum(Feature.public_lat),
            ).where(Feature.status == PUBLISHED)
            if inventory_id is not None:
                rows = rows.where(Feature.inventory_id == inventory_id)
            rows = rows.group_by(Feature.inventory_id, cx, cy)
            db.session.execute(
                insert(MapCell).from_select(
                    ["inventory_id", "level", "cx", "cy", "n", "sum_lon", "sum_lat"], rows
                )
            )
        written = select(func.count()).select_from(MapCell)
        if inventory_id is not None:
            written = written.where(MapCell.inventory_id == inventory_id)
        return db.session.scalar(written)
