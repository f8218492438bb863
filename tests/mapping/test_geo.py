"""Geometry in one place: GeoJSON parsing, checks, generalisation of sensitive positions,
task grids and bounding boxes. Pure functions: only the translated messages need the app."""

import json
import math
import random
import warnings

import pytest
import shapely
from flask_babel import force_locale
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from mapping import geo
from tests.factories import MONTPELLIER
from tests.mapping.helpers import messages
from webapp.errors import ValidationError

AREA = box(*MONTPELLIER)
CELL_M = 1000


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def refused(call, *args, field="geometry", **kwargs):
    """Call and return the messages of the refused field (English)."""
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == "geometry.invalid"
    assert list(caught.value.fields) == [field]
    return " ".join(messages(caught.value, field))


# --- parsing -------------------------------------------------------------------------------------


def test_parse_geojson_reads_text_and_dict_alike():
    as_dict = {"type": "Point", "coordinates": [3.8767, 43.6108]}
    assert geo.parse_geojson(as_dict) == Point(3.8767, 43.6108)
    assert geo.parse_geojson(json.dumps(as_dict)) == Point(3.8767, 43.6108)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{not json", "not valid GeoJSON"),
        ("[3.87, 43.61]", "with a type and coordinates"),
        ({"coordinates": [3.87, 43.61]}, "with a type and coordinates"),
        (42, "with a type and coordinates"),
        ({"type": "Point", "coordinates": "here"}, "cannot be read"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "cannot be read"),
        ({"type": "Circle", "coordinates": [3.87, 43.61]}, "cannot be read"),
    ],
)
def test_parse_geojson_refuses_malformed_input_with_a_precise_message(ctx, value, expected):
    assert expected in refused(geo.parse_geojson, value)


def test_parse_geojson_refuses_geometry_collections(ctx):
    collection = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [3.87, 43.61]}],
    }
    assert "collections are not accepted" in refused(geo.parse_geojson, collection)


def test_parse_geojson_reports_under_the_given_field_name(ctx):
    refused(geo.parse_geojson, "{", "area", field="area")


def test_parse_geojson_drops_altitude_to_keep_positions_2d():
    line = geo.parse_geojson(
        {"type": "LineString", "coordinates": [[3.87, 43.61, 52.0], [3.88, 43.62, 60.5]]}
    )
    assert not line.has_z
    assert list(line.coords) == [(3.87, 43.61), (3.88, 43.62)]


# --- checks --------------------------------------------------------------------------------------


def test_check_accepts_a_valid_geometry_inside_the_area_and_returns_it():
    point = Point(3.8767, 43.6108)
    assert geo.check(point, ("Point",), area=AREA) is point


def test_check_refuses_an_empty_geometry(ctx):
    empty = geo.parse_geojson({"type": "Point", "coordinates": []})
    assert "empty" in refused(geo.check, empty, ("Point",))


def test_check_refuses_a_type_the_inventory_does_not_accept_listing_allowed_ones(ctx):
    line = LineString([(3.87, 43.61), (3.88, 43.62)])
    assert refused(geo.check, line, ("Point", "Polygon")) == "This inventory accepts: point, area."


def test_check_lists_allowed_types_in_the_reader_s_language(app):
    line = LineString([(3.87, 43.61), (3.88, 43.62)])
    with app.app_context(), force_locale("fr"):
        message = refused(geo.check, line, ("Point", "Polygon"))
    assert message == "Cet inventaire accepte : point, zone."


def test_check_refuses_a_multi_geometry_even_of_an_allowed_kind(ctx):
    multi = shapely.MultiPoint([(3.87, 43.61), (3.88, 43.62)])
    assert "accepts: point" in refused(geo.check, multi, ("Point",))


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_check_refuses_coordinates_that_are_not_finite(ctx, bad):
    # As text they are not JSON at all (Python's json would read them): refused on reading.
    text = f'{{"type": "Point", "coordinates": [{bad}, 43.6]}}'
    assert "not valid GeoJSON" in refused(geo.parse_geojson, text)
    # From elsewhere (a CSV import, say) they reach the check, which refuses them.
    point = shapely.Point(float(bad), 43.6)
    assert "finite" in refused(geo.check, point, ("Point",))
    with warnings.catch_warnings():
        # Shapely warns about NaN in a line; production keeps going, as here.
        warnings.simplefilter("ignore", RuntimeWarning)
        line = shapely.LineString([(3.8, 43.6), (3.9, float(bad))])
    assert "finite" in refused(geo.check, line, ("LineString",))


@pytest.mark.parametrize(
    ("lon", "lat"), [(180.5, 43.6), (-181, 43.6), (3.87, 90.01), (3.87, -91), (43.6, 3.87 + 90)]
)
def test_check_refuses_longitude_or_latitude_out_of_range(ctx, lon, lat):
    assert "between -180 and 180" in refused(geo.check, Point(lon, lat), ("Point",))


def test_check_accepts_the_extreme_valid_coordinates():
    assert geo.check(LineString([(-180, -90), (180, 90)]), ("LineString",))


def test_check_refuses_more_vertices_than_the_limit(ctx):
    line = LineString([(3.85 + i * 1e-4, 43.6) for i in range(11)])
    assert geo.check(line, ("LineString",), max_vertices=11) is line
    assert "at most 10" in refused(geo.check, line, ("LineString",), max_vertices=10)


def test_check_default_vertex_limit_refuses_a_huge_line(ctx):
    line = LineString([(3.85 + i * 1e-6, 43.6) for i in range(geo.MAX_VERTICES + 1)])
    assert f"at most {geo.MAX_VERTICES}" in refused(geo.check, line, ("LineString",))


def test_check_refuses_a_self_intersecting_polygon_saying_why(ctx):
    bowtie = Polygon([(3.86, 43.60), (3.87, 43.61), (3.87, 43.60), (3.86, 43.61), (3.86, 43.60)])
    message = refused(geo.check, bowtie, ("Polygon",))
    assert message.startswith("The geometry is not valid: Self-intersection")


def test_check_refuses_a_geometry_outside_or_across_the_area_edge(ctx):
    outside = Point(2.35, 48.85)
    across = LineString([(3.90, 43.60), (3.95, 43.60)])
    assert "inside the inventory's area" in refused(geo.check, outside, ("Point",), area=AREA)
    assert "inside" in refused(geo.check, across, ("LineString",), area=AREA)


def test_check_accepts_a_point_on_the_area_boundary():
    assert geo.check(Point(MONTPELLIER[0], 43.6), ("Point",), area=AREA)


def test_to_area_makes_a_polygon_a_rounded_multipolygon(ctx):
    area = geo.to_area(box(3.85, 43.58, 3.92123456789, 43.63))
    assert isinstance(area, MultiPolygon) and len(area.geoms) == 1
    assert area.bounds == pytest.approx((3.85, 43.58, 3.9212346, 43.63), abs=1e-12)


def test_to_area_refuses_other_types_naming_areas_once(ctx):
    message = refused(geo.to_area, Point(3.87, 43.6), field="area")
    assert message == "This inventory accepts: area."


def test_to_area_refuses_a_self_intersecting_polygon_instead_of_failing_to_round_it(ctx):
    bowtie = Polygon([(3.86, 43.60), (3.87, 43.61), (3.87, 43.60), (3.86, 43.61), (3.86, 43.60)])
    assert "Self-intersection" in refused(geo.to_area, bowtie, field="area")


def test_round_coords_keeps_seven_decimals():
    rounded = geo.round_coords(Point(3.876712345678, 43.610898765432))
    assert (rounded.x, rounded.y) == pytest.approx((3.8767123, 43.6108988), abs=1e-12)


# --- generalisation ------------------------------------------------------------------------------


def _steps(lat, cell_m=CELL_M):
    step_lat = cell_m / geo.METRES_PER_DEGREE
    return cell_m / (geo.METRES_PER_DEGREE * math.cos(math.radians(lat))), step_lat


def _random_points(n=300, seed=7):
    rng = random.Random(seed)
    return [Point(rng.uniform(3.85, 3.92), rng.uniform(43.58, 43.63)) for _ in range(n)]


def test_generalise_gives_two_points_in_one_cell_the_same_public_point():
    public = geo.generalise(Point(3.8767, 43.6108), CELL_M)
    step_lon, step_lat = _steps(public.y)
    neighbour = Point(public.x + step_lon / 3, public.y - step_lat / 3)
    assert geo.generalise(neighbour, CELL_M) == public


def test_generalise_keeps_the_public_point_within_one_cell_of_the_real_one():
    for real in _random_points():
        public = geo.generalise(real, CELL_M)
        step_lon, step_lat = _steps(public.y)
        assert abs(public.x - real.x) <= step_lon / 2 + 1e-7
        assert abs(public.y - real.y) <= step_lat / 2 + 1e-7


def test_generalise_moves_points_away_from_their_real_place_in_general():
    distances = sorted(
        real.distance(geo.generalise(real, CELL_M)) * geo.METRES_PER_DEGREE
        for real in _random_points()
    )
    # Uniformly placed points land on average a few hundred metres from their cell centre.
    assert distances[len(distances) // 2] > 150
    assert sum(d < 20 for d in distances) <= 3


def test_generalise_is_deterministic_and_shows_fewer_places_than_points():
    points = _random_points()
    first = [geo.generalise(p, CELL_M) for p in points]
    assert first == [geo.generalise(p, CELL_M) for p in points]
    assert len({(p.x, p.y) for p in first}) < len(points) / 3


def test_generalise_uses_the_centre_of_a_line_or_area():
    square = box(3.8760, 43.6100, 3.8770, 43.6110)
    assert geo.generalise(square, CELL_M) == geo.generalise(square.centroid, CELL_M)


def test_generalise_with_bigger_cells_moves_points_further():
    real = Point(3.8767, 43.6108)
    fine = geo.generalise(real, 100)
    coarse = geo.generalise(real, 10_000)
    assert real.distance(fine) * geo.METRES_PER_DEGREE <= 75
    assert real.distance(coarse) * geo.METRES_PER_DEGREE <= 7_500


# --- grid ----------------------------------------------------------------------------------------


def test_grid_covers_a_rectangle_with_the_expected_number_of_cells():
    area = box(3.87, 43.60, 3.89, 43.615)
    cells = geo.grid(area, 500)
    step_lon, step_lat = _steps(43.60, 500)
    columns = math.ceil(0.02 / step_lon)
    rows = math.ceil(0.015 / step_lat)
    assert len(cells) == columns * rows
    assert all(isinstance(c, Polygon) for c in cells)
    assert shapely.union_all(cells).area == pytest.approx(area.area, rel=1e-6)


def test_grid_clips_cells_to_the_area():
    triangle = Polygon([(3.87, 43.60), (3.89, 43.60), (3.87, 43.615), (3.87, 43.60)])
    cells = geo.grid(triangle, 500)
    assert cells
    tolerance = triangle.buffer(1e-7)
    assert all(tolerance.covers(c) for c in cells)
    assert len(cells) < len(geo.grid(box(*triangle.bounds), 500))


def test_grid_refuses_to_make_more_cells_than_the_limit(ctx):
    message = refused(geo.grid, AREA, 100, limit=50, field="cell_m")
    assert "more than 50 cells" in message


# --- bounding boxes ------------------------------------------------------------------------------


def test_parse_bbox_reads_four_numbers_longitude_first():
    assert geo.parse_bbox("3.85,43.58,3.92,43.63") == MONTPELLIER
    assert geo.parse_bbox(" 3.85, 43.58 ,3.92,43.63 ") == MONTPELLIER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.85,43.58,3.92", "min longitude"),
        ("3.85,43.58,3.92,43.63,1", "min longitude"),
        ("a,b,c,d", "min longitude"),
        ("", "min longitude"),
        ("nan,43.58,3.92,43.63", "min longitude"),
        ("3.85,43.58,inf,43.63", "min longitude"),
        ("3.92,43.58,3.85,43.63", "swapped"),
        ("3.85,43.63,3.92,43.58", "swapped"),
        ("-181,43.58,3.92,43.63", "out of range"),
        ("43.58,3.85,43.63,93.92", "out of range"),
    ],
)
def test_parse_bbox_refuses_malformed_or_swapped_boxes(ctx, text, expected):
    assert expected in refused(geo.parse_bbox, text, field="bbox")


def test_area_from_db_is_prepared_once_per_value_and_follows_edits():
    from geoalchemy2.shape import from_shape

    first = from_shape(MultiPolygon([AREA]), srid=4326)
    again = from_shape(MultiPolygon([AREA]), srid=4326)
    edited = from_shape(MultiPolygon([box(3.80, 43.50, 3.86, 43.56)]), srid=4326)
    area = geo.area_from_db(first)
    assert shapely.is_prepared(area)
    assert geo.area_from_db(again) is area  # same bytes: the cached shape
    moved = geo.area_from_db(edited)
    assert moved is not area
    assert area.covers(Point(3.87, 43.60)) and not moved.covers(Point(3.87, 43.60))
    assert moved.covers(Point(3.83, 43.53))
    assert geo.area_from_db(None) is None
