"""The map grid (counts of published features per cell, kept by database triggers) always
equals a count made feature by feature, whatever changes a feature; the zoomed-out map
reads its clusters from it, on both backends."""

import pytest
from sqlalchemy import delete, func, select, update

from crowdsourcing.services import moderation
from mapping import handoff
from mapping.models import GRID_LEVELS, PUBLISHED, Feature, MapCell
from mapping.services import features, listing, map_grid
from tests import factories
from tests.mapping.helpers import fresh, moderator
from webapp.extensions import db

pytestmark = pytest.mark.usefixtures("english")

CITY = (3.85, 43.58, 3.92, 43.63)


def brute_force(inventory_id):
    """Every level's cells counted from the features themselves."""
    cells = {}
    for level in GRID_LEVELS:
        cx = map_grid.cell_index(Feature.public_lon, 180, level)
        cy = map_grid.cell_index(Feature.public_lat, 90, level)
        rows = db.session.execute(
            select(
                cx,
                cy,
                func.count(),
                func.sum(Feature.public_lon),
                func.sum(Feature.public_lat),
            )
            .where(Feature.inventory_id == inventory_id, Feature.status == PUBLISHED)
            .group_by(cx, cy)
        ).all()
        for x, y, n, lon, lat in rows:
            cells[(level, x, y)] = (n, round(lon, 6), round(lat, 6))
    return cells


def stored(inventory_id):
    db.session.expire_all()
    rows = db.session.scalars(
        select(MapCell).where(MapCell.inventory_id == inventory_id, MapCell.n != 0)
    ).all()
    return {(c.level, c.cx, c.cy): (c.n, round(c.sum_lon, 6), round(c.sum_lat, 6)) for c in rows}


def assert_grid_matches(inventory):
    expected = brute_force(inventory.id)
    assert stored(inventory.id) == expected
    return expected


def decide(feature, action):
    submission = fresh(handoff.submission_of(feature))
    note = "Merci de préciser" if action == "reject" else None
    moderation.decide(moderator(), submission.id, submission.version, action, note=note)


def test_grid_follows_create_move_remove_approve_and_reject(session):
    post = factories.inventory(moderation_mode="post")
    pre = factories.inventory(moderation_mode="pre")
    author = factories.user()
    spots = [(3.8601, 43.5901), (3.8605, 43.5903), (3.9102, 43.6201), (3.8891, 43.6052)]
    published = [factories.feature(post, author, factories.point(*s)) for s in spots]
    assert sum(n for (level, *_), (n, *_r) in assert_grid_matches(post).items() if level == 15) == 4
    waiting = [factories.feature(pre, author, factories.point(*s)) for s in spots[:3]]
    assert assert_grid_matches(pre) == {}  # nothing published yet

    moved = fresh(published[0])
    features.update(author, moved.id, moved.revision, geometry=factories.point(3.9150, 43.6250))
    assert_grid_matches(post)
    removed = fresh(published[1])
    features.remove(author, removed.id)
    assert_grid_matches(post)

    decide(waiting[0], "approve")
    decide(waiting[1], "approve")
    decide(waiting[2], "reject")
    assert sum(n for (level, *_), (n, *_r) in assert_grid_matches(pre).items() if level == 18) == 2


def test_grid_follows_changes_made_in_sql_and_deletions(session):
    inventory = factories.inventory(moderation_mode="post")
    other = factories.inventory(moderation_mode="post")
    author = factories.user()
    made = [
        factories.feature(inventory, author, factories.point(3.851 + i * 0.007, 43.581 + i * 0.004))
        for i in range(6)
    ]
    ids = [f.id for f in made]
    db.session.execute(
        update(Feature).where(Feature.id == ids[0]).values(public_lon=3.9011, public_lat=43.6211)
    )
    db.session.execute(update(Feature).where(Feature.id == ids[1]).values(status="hidden"))
    db.session.execute(update(Feature).where(Feature.id == ids[2]).values(inventory_id=other.id))
    db.session.execute(delete(Feature).where(Feature.id == ids[3]))
    # A change that moves nothing and changes no status leaves the cells alone.
    db.session.execute(update(Feature).where(Feature.id == ids[4]).values(confirmations=3))
    db.session.flush()
    assert_grid_matches(inventory)
    assert_grid_matches(other)


def test_rebuild_recomputes_cells_lost_or_wrong(session):
    inventory = factories.inventory(moderation_mode="post")
    for i in range(5):
        factories.feature(inventory, None, factories.point(3.86 + i * 0.01, 43.59 + i * 0.005))
    expected = assert_grid_matches(inventory)
    mine = MapCell.inventory_id == inventory.id
    db.session.execute(update(MapCell).where(mine).values(n=MapCell.n + 7))
    db.session.execute(delete(MapCell).where(mine, MapCell.level == GRID_LEVELS[-1]))
    assert stored(inventory.id) != expected
    assert map_grid.rebuild(inventory.id) == len(expected)
    assert assert_grid_matches(inventory) == expected


def test_zoomed_out_map_reads_clusters_from_the_grid(session):
    inventory = factories.inventory(moderation_mode="post")
    author = factories.user()
    for i in range(12):
        factories.feature(
            inventory, author, factories.point(3.86 + (i % 4) * 0.015, 43.59 + (i // 4) * 0.012)
        )
    mine = factories.user()
    pre = fresh(inventory)
    pre.moderation_mode = "pre"
    db.session.commit()
    factories.feature(pre, mine, factories.point(3.905, 43.625))
    wide = (3.0, 43.0, 4.6, 44.2)  # level 15 cells, all inside the box
    assert map_grid.level_for((wide[2] - wide[0]) / 24) == 15
    data = listing.map_data(None, inventory, wide, limit=5)
    assert data["type"] == "Clusters"
    assert sum(c["count"] for c in data["clusters"]) == 12
    for cluster in data["clusters"]:
        assert CITY[0] <= cluster["lon"] <= CITY[2] and CITY[1] <= cluster["lat"] <= CITY[3]
    # The author's own waiting feature is counted for them alone.
    theirs = listing.map_data(mine, inventory, wide, limit=5)
    assert sum(c["count"] for c in theirs["clusters"]) == 13
    # Few features in the box: the features themselves.
    assert listing.map_data(None, inventory, wide)["type"] == "FeatureCollection"
    # A small box groups its features directly (no grid level is fine enough).
    small = (3.855, 43.585, 3.866, 43.592)
    assert map_grid.level_for((small[2] - small[0]) / 24) is None
    assert listing.map_data(None, inventory, small, limit=0)["type"] == "Clusters"


def test_sensitive_features_are_counted_at_their_public_place(session):
    inventory = factories.inventory(moderation_mode="post")
    organiser = factories.user(roles=["organiser"])
    feature = factories.feature(
        inventory,
        None,
        factories.point(3.8733, 43.6111),
        {"scientific_name": "Orchis", "observed_on": "2026-05-01", "protection": "protected"},
    )
    feature = fresh(feature)
    assert feature.is_sensitive
    cells = assert_grid_matches(inventory)
    (n, lon, lat) = cells[next(k for k in cells if k[0] == 18)]
    assert (lon, lat) == (round(feature.public_lon, 6), round(feature.public_lat, 6))
    assert (lon, lat) != (3.8733, 43.6111)
    data = listing.map_data(organiser, inventory, (3.0, 43.0, 4.6, 44.2), limit=0)
    assert [(round(c["lon"], 6), round(c["lat"], 6)) for c in data["clusters"]] == [(lon, lat)]


def test_inventory_page_total_comes_from_the_grid(session):
    from mapping.services import browse

    inventory = factories.inventory(moderation_mode="post")
    made = [
        factories.feature(inventory, None, factories.point(3.86 + i * 0.004, 43.59))
        for i in range(4)
    ]
    features.remove(factories.user(roles=["moderator"]), made[0].id)
    page = browse.latest(inventory)
    brute = db.session.scalar(
        select(func.count())
        .select_from(Feature)
        .where(Feature.inventory_id == inventory.id, Feature.status == PUBLISHED)
    )
    assert page["total"] == brute == 3
    assert [row["feature"].id for row in page["rows"]] == [f.id for f in reversed(made[1:])]
