"""What non-staff see of sensitive features, and the spatial queries every list, map and
export uses: a small box around a sensitive feature's real place must not find it."""

import json

import pytest
from flask_login import AnonymousUserMixin
from shapely.geometry import Point

from mapping import geo, policies, queries
from mapping.models import PENDING, PUBLISHED
from mapping.services import features
from tests import factories
from tests.mapping.helpers import fresh, organiser
from webapp.extensions import db

OWL_AT = (3.8812, 43.6071)
OWL = {
    "scientific_name": "Bubo bubo",
    "observed_on": "2026-05-01",
    "protection": "protected",
    "notes": "Dans le grand pin derrière le gymnase",
}
OAK = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01", "protection": "none"}


@pytest.fixture
def inventory(session):
    return factories.inventory(moderation_mode="post", generalise_m=1000)


def owl(inventory):
    return factories.feature(inventory, geometry=factories.point(*OWL_AT), properties=OWL)


def around(lon, lat, pad=0.0002):
    return (lon - pad, lat - pad, lon + pad, lat + pad)


def ids(inventory_id, exact=False, **kwargs):
    conditions = queries.feature_filters(inventory_id, exact=exact, **kwargs)
    return [row.id for row in db.session.execute(queries.feature_rows(conditions, exact=exact))]


# --- what is stored ------------------------------------------------------------------------------


def test_a_sensitive_feature_shows_the_centre_of_its_grid_cell_without_locating_fields(inventory):
    feature = fresh(owl(inventory))
    public = geo.from_db(feature.public_geom)
    expected = geo.generalise(Point(*OWL_AT), 1000)
    assert feature.is_sensitive
    assert public.equals_exact(expected, 1e-7)
    assert (feature.public_lon, feature.public_lat) == pytest.approx((expected.x, expected.y))
    assert public.distance(Point(*OWL_AT)) * geo.METRES_PER_DEGREE > 50
    assert geo.from_db(feature.geom).equals(Point(*OWL_AT))
    assert feature.public_properties == {k: v for k, v in OWL.items() if k != "notes"}
    assert feature.properties == OWL


def test_a_plain_feature_shows_its_real_place_and_every_attribute(inventory):
    feature = fresh(factories.feature(inventory, properties={**OAK, "notes": "Près du banc"}))
    assert not feature.is_sensitive
    assert geo.from_db(feature.public_geom).equals(geo.from_db(feature.geom))
    assert feature.public_properties == feature.properties


def test_a_sensitive_area_is_shown_as_a_point(session):
    inventory = factories.inventory(template="heritage", moderation_mode="post")
    site = factories.square(3.8700, 43.6000, 3.8710, 43.6008)
    feature = fresh(
        factories.feature(
            inventory,
            geometry=site,
            properties={"heritage_type": "archaeological_site", "name": "Villa"},
        )
    )
    assert feature.geometry_type == "Polygon"
    public = geo.from_db(feature.public_geom)
    assert public.geom_type == "Point"
    assert public.equals_exact(geo.generalise(geo.parse_geojson(site), 1000), 1e-7)
    assert "name" not in feature.public_properties


def test_an_edit_making_a_feature_sensitive_or_not_moves_its_public_place(inventory):
    author = factories.user()
    feature = factories.feature(
        inventory, author, geometry=factories.point(*OWL_AT), properties=OAK
    )
    features.update(author, feature.id, 1, properties=OWL)
    assert fresh(feature).is_sensitive
    features.update(author, feature.id, 2, properties=OAK)
    feature = fresh(feature)
    assert not feature.is_sensitive
    assert geo.from_db(feature.public_geom).equals(Point(*OWL_AT))


@pytest.mark.parametrize(
    ("roles", "exact"),
    [
        ((), False),
        (("organiser",), True),
        (("moderator",), True),
        (("data_steward",), True),
        (("admin",), True),
    ],
)
def test_staff_see_exact_positions_and_residents_do_not(session, roles, exact):
    department = factories.department().slug if "data_steward" in roles else None
    person = factories.user(roles=list(roles), department_slug=department)
    assert policies.sees_exact(person) is exact


def test_visitors_never_see_exact_positions(session):
    assert not policies.sees_exact(None)
    assert not policies.sees_exact(AnonymousUserMixin())


# --- queries -------------------------------------------------------------------------------------


def test_a_small_box_around_the_real_place_finds_a_sensitive_feature_for_staff_only(inventory):
    feature = owl(inventory)
    box = around(*OWL_AT)
    assert ids(inventory.id, bbox=box) == []
    assert ids(inventory.id, exact=True, bbox=box) == [feature.id]


def test_a_box_around_the_public_point_returns_the_public_geometry_and_attributes(inventory):
    feature = fresh(owl(inventory))
    box = around(feature.public_lon, feature.public_lat)
    conditions = queries.feature_filters(inventory.id, bbox=box)
    [row] = db.session.execute(queries.feature_rows(conditions)).all()
    assert row.id == feature.id and row.is_sensitive
    lon, lat = json.loads(row.geometry)["coordinates"]
    assert (lon, lat) == pytest.approx((feature.public_lon, feature.public_lat), abs=1e-7)
    assert "notes" not in row.properties
    [staff_row] = db.session.execute(
        queries.feature_rows(queries.feature_filters(inventory.id, exact=True), exact=True)
    ).all()
    assert json.loads(staff_row.geometry)["coordinates"] == pytest.approx(list(OWL_AT))
    assert staff_row.properties["notes"] == OWL["notes"]


def test_a_box_elsewhere_finds_nothing_and_a_plain_feature_is_found_where_it_is(inventory):
    oak = factories.feature(inventory, geometry=factories.point(3.87, 43.60), properties=OAK)
    assert ids(inventory.id, bbox=around(3.87, 43.60)) == [oak.id]
    assert ids(inventory.id, bbox=around(3.90, 43.62)) == []


def test_attribute_filters_read_public_attributes_unless_exact(inventory):
    hidden = owl(inventory)
    oak = factories.feature(inventory, geometry=factories.point(3.87, 43.60), properties=OAK)
    assert ids(inventory.id, attrs={"protection": "none"}) == [oak.id]
    assert ids(inventory.id, attrs={"protection": "protected"}) == [hidden.id]
    assert ids(inventory.id, attrs={"notes": OWL["notes"]}) == []
    assert ids(inventory.id, exact=True, attrs={"notes": OWL["notes"]}) == [hidden.id]


def test_status_filter_lists_published_features_unless_told_otherwise(session):
    staff = organiser()
    pre = factories.inventory(staff)
    pending = factories.feature(pre, properties=OAK)
    assert ids(pre.id) == []
    assert ids(pre.id, statuses=(PENDING,)) == [pending.id]
    assert ids(pre.id, statuses=(PENDING, PUBLISHED)) == [pending.id]
    count = db.session.scalar(queries.count(queries.feature_filters(pre.id, statuses=(PENDING,))))
    assert count == 1


def test_features_of_other_inventories_are_never_listed(inventory):
    other = factories.inventory(moderation_mode="post")
    factories.feature(other, properties=OAK)
    assert ids(inventory.id) == []


def test_clusters_count_features_per_cell_of_the_box(inventory):
    for lon, lat in [(3.861, 43.581), (3.862, 43.582), (3.915, 43.625)]:
        factories.feature(inventory, geometry=factories.point(lon, lat), properties=OAK)
    bbox = (3.85, 43.58, 3.92, 43.63)
    conditions = queries.feature_filters(inventory.id, bbox=bbox)
    cells = db.session.execute(queries.clusters(conditions, bbox, cells=(7, 5))).all()
    found = sorted((int(c.col), int(c.row), c.n) for c in cells)
    assert found == [(1, 0, 2), (6, 4, 1)]
    pair = next(c for c in cells if c.n == 2)
    assert (pair.lon, pair.lat) == pytest.approx((3.8615, 43.5815))


def test_clusters_place_a_sensitive_feature_at_its_public_point(inventory):
    feature = fresh(owl(inventory))
    bbox = (3.85, 43.58, 3.92, 43.63)
    [cell] = db.session.execute(
        queries.clusters(queries.feature_filters(inventory.id, bbox=bbox), bbox)
    ).all()
    assert (cell.lon, cell.lat) == pytest.approx((feature.public_lon, feature.public_lat))


def test_attribute_filters_match_numbers_and_booleans_given_as_text(session):
    inventory = factories.inventory(template="heritage", moderation_mode="post")
    cross = factories.feature(
        inventory, properties={"heritage_type": "wayside_cross", "fragile": False}
    )
    tree_inventory = factories.inventory(template="trees", moderation_mode="post")
    plane = factories.feature(
        tree_inventory,
        properties={"species": "Platanus", "circumference_cm": 240, "height_m": "12,5"},
    )
    assert ids(inventory.id, attrs={"fragile": "false"}) == [cross.id]
    assert ids(tree_inventory.id, attrs={"circumference_cm": "240"}) == [plane.id]
    assert ids(tree_inventory.id, attrs={"height_m": "12.5"}) == [plane.id]
    assert ids(tree_inventory.id, attrs={"species": "Platanus"}) == [plane.id]
