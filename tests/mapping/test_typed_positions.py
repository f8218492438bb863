"""Placing a feature without a pointer: typed latitude and longitude (decimal comma or
point), or a line or an area pasted as GeoJSON or WKT; each refusal is shown and stores
nothing."""

import json
import re

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from mapping.models import Feature, FeatureRevision
from tests import factories
from webapp.extensions import db


def _count():
    return db.session.scalar(select(func.count(Feature.id)))


def _post(client, inv, **fields):
    factories.login(client, factories.user().email)
    data = {
        "geometry": "",
        "field-scientific_name": "Quercus ilex",
        "field-observed_on": "2026-05-01",
        **fields,
    }
    return client.post(f"/mapping/inventories/{inv.slug}/contribute", data=data)


def _last_geometry():
    feature = db.session.scalars(select(Feature).order_by(Feature.id.desc())).first()
    return to_shape(feature.geom)


def test_the_form_offers_latitude_and_longitude_boxes(client):
    inv = factories.inventory()
    factories.login(client, factories.user().email)
    page = client.get(f"/mapping/inventories/{inv.slug}/contribute").get_data(as_text=True)
    assert '<label class="form-label" for="lat">Latitude</label>' in page
    assert 'name="lon" id="lon"' in page and 'inputmode="decimal"' in page


def test_typed_coordinates_with_a_decimal_comma_place_the_point(client):
    inv = factories.inventory()
    before = _count()
    response = _post(client, inv, lat=" 43,6108 ", lon="3,8767")
    assert response.status_code == 302 and _count() == before + 1
    stored = _last_geometry()
    assert (round(stored.x, 4), round(stored.y, 4)) == (3.8767, 43.6108)


def test_typed_coordinates_win_over_a_stale_drawn_point(client):
    inv = factories.inventory()
    drawn = json.dumps(factories.point(3.90, 43.60))
    response = _post(client, inv, geometry=drawn, lat="43.6108", lon="3.8767")
    assert response.status_code == 302
    assert round(_last_geometry().x, 4) == 3.8767


def test_unreadable_coordinates_are_refused_per_box_and_kept(client):
    inv = factories.inventory()
    before = _count()
    response = _post(client, inv, lat="quarante-trois", lon="200")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count() == before
    assert 'id="lat-errors"' in page and 'id="lon-errors"' in page
    assert "Tapez la latitude en degrés décimaux" in page
    assert 'value="quarante-trois"' in page and 'href="#lat"' in page


def test_coordinates_outside_the_area_are_refused_with_the_area_bounds(client):
    inv = factories.inventory()
    before = _count()
    response = _post(client, inv, lat="48,8566", lon="2,3522")  # Paris, not Montpellier
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count() == before
    assert "en dehors de la zone" in page and "43,58" in page and "3,92" in page
    assert 'value="48,8566"' in page


def test_a_line_pasted_as_wkt_or_geojson_is_stored(client):
    inv = factories.inventory(geometry_types=["Point", "LineString"])
    response = _post(client, inv, shape="LINESTRING (3.8767 43.6108, 3.8780 43.6112)")
    assert response.status_code == 302
    assert _last_geometry().geom_type == "LineString"
    line = {"type": "LineString", "coordinates": [[3.87, 43.61], [3.88, 43.62]]}
    response = _post(client, inv, shape=json.dumps({"type": "Feature", "geometry": line}))
    assert response.status_code == 302
    assert list(_last_geometry().coords) == [(3.87, 43.61), (3.88, 43.62)]


def test_pasted_text_that_is_no_shape_is_refused(client):
    inv = factories.inventory(geometry_types=["Point", "LineString"])
    before = _count()
    response = _post(client, inv, shape="du côté de la gare")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count() == before
    assert 'id="shape-errors"' in page and "du côté de la gare</textarea>" in page


def test_saving_an_edit_form_untouched_does_not_move_the_point(client):
    inv = factories.inventory()
    author = factories.user()
    feature = factories.feature(inv, author=author, geometry=factories.point(3.8812345, 43.6112345))
    factories.login(client, author.email)
    page = client.get(f"/mapping/features/{feature.id}/edit").get_data(as_text=True)
    lat = re.search(r'name="lat" id="lat" value="([^"]*)"', page).group(1)
    lon = re.search(r'name="lon" id="lon" value="([^"]*)"', page).group(1)
    assert (lat, lon) == ("43.6112345", "3.8812345")
    data = {
        "revision": str(feature.revision),
        "geometry": json.dumps(factories.point(3.8812345, 43.6112345)),
        "lat": lat,
        "lon": lon,
        "field-scientific_name": "Quercus pubescens",
        "field-observed_on": "2026-05-01",
    }
    response = client.post(f"/mapping/features/{feature.id}/edit", data=data)
    assert response.status_code == 302
    latest = db.session.scalars(
        select(FeatureRevision)
        .where(FeatureRevision.feature_id == feature.id)
        .order_by(FeatureRevision.number.desc())
    ).first()
    assert latest.number == 2 and "scientific_name" in latest.changed
    assert "geometry" not in latest.changed
