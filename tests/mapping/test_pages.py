"""Inventory pages: the list, one inventory with its map and list, the organisers' form,
the map's data endpoint, and the moderation item's map preview."""

import io
import json
import re

from sqlalchemy import func, select

from mapping.models import Inventory
from tests import factories
from webapp.extensions import db

INLINE_SCRIPT_WITHOUT_NONCE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>")


def _login(client, roles=()):
    person = factories.user(roles=list(roles))
    factories.login(client, person.email)
    return person


def _inventory_form(**overrides):
    data = {
        "title": "Bancs publics",
        "slug": "",
        "theme": "amenities",
        "description": "Où s'asseoir en ville.",
        "area": json.dumps(factories.square(*factories.MONTPELLIER)),
        "geometry_types": ["Point"],
        "licence": "odbl",
        "attribution": "Ville",
        "moderation_mode": "post",
        "status": "open",
        "department": "",
        "generalise_m": "1000",
        "form_schema": json.dumps(
            {
                "fields": [
                    {"key": "seats", "type": "integer", "label_fr": "Places", "label_en": "Seats"}
                ]
            }
        ),
    }
    data.update(overrides)
    return data


def _count():
    return db.session.scalar(select(func.count(Inventory.id)))


def test_list_shows_open_inventories_and_hides_drafts_from_residents(client):
    organiser = factories.user(roles=["organiser"])
    shown = factories.inventory(organiser, title="Arbres des parcs")
    draft = factories.inventory(organiser, status="draft", title="Brouillon secret")
    page = client.get("/mapping/").get_data(as_text=True)
    assert shown.title in page and draft.title not in page
    assert "/mapping/inventories/new" not in page


def test_organiser_sees_drafts_and_the_new_inventory_button(client):
    organiser = _login(client, ["organiser"])
    draft = factories.inventory(organiser, status="draft", title="Brouillon à finir")
    page = client.get("/mapping/").get_data(as_text=True)
    assert draft.title in page and "/mapping/inventories/new" in page


def test_draft_inventory_is_not_found_for_residents(client):
    draft = factories.inventory(status="draft")
    _login(client)
    assert client.get(f"/mapping/inventories/{draft.slug}").status_code == 404
    assert client.get(f"/api/v1/inventories/{draft.slug}/map?bbox=3,43,4,44").status_code == 404


def test_inventory_page_has_map_list_and_no_embedded_features(client):
    inv = factories.inventory(moderation_mode="post")
    feature = factories.feature(inv, geometry=factories.point(3.8812345, 43.6054321))
    response = client.get(f"/mapping/inventories/{inv.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/api/v1/inventories/{inv.slug}/map" in page
    assert "3.8812345" not in page  # features come from the API, not the page
    assert f'href="/mapping/features/{feature.id}"' in page
    assert 'aria-live="polite"' in page and 'id="map-status"' in page
    assert "ODbL" in page and "opendatacommons.org" in page


def test_inventory_page_pages_its_list_of_features(client):
    inv = factories.inventory(moderation_mode="post")
    author = factories.user()
    for i in range(21):
        factories.feature(inv, author, geometry=factories.point(3.86 + i / 1000, 43.60))
    page = client.get(f"/mapping/inventories/{inv.slug}?page=2").get_data(as_text=True)
    assert "21" in page and "?page=1" in page
    assert page.count('href="/mapping/features/') == 1


def test_map_pages_load_no_cdn_allow_zoom_and_put_nonces_on_inline_scripts(client):
    inv = factories.inventory()
    _login(client, ["organiser"])
    for path in (
        f"/mapping/inventories/{inv.slug}",
        f"/mapping/inventories/{inv.slug}/contribute",
        "/mapping/inventories/new",
    ):
        page = client.get(path).get_data(as_text=True)
        assert "cdn" not in page.lower() and "user-scalable=no" not in page, path
        assert not INLINE_SCRIPT_WITHOUT_NONCE.search(page), path
        assert "/static/vendor/leaflet/leaflet.js" in page and "nonce=" in page, path


def test_contribute_button_shown_to_members_of_an_open_inventory_only(client):
    inv = factories.inventory()
    closed = factories.inventory(status="closed")
    assert "/contribute" in client.get(f"/mapping/inventories/{inv.slug}").get_data(as_text=True)
    _login(client)
    assert 'data-testid="contribute"' in client.get(f"/mapping/inventories/{inv.slug}").get_data(
        as_text=True
    )
    page = client.get(f"/mapping/inventories/{closed.slug}").get_data(as_text=True)
    assert 'data-testid="contribute"' not in page


def test_map_endpoint_returns_the_viewport_features(client):
    inv = factories.inventory(moderation_mode="post")
    factories.feature(inv)
    answer = client.get(f"/api/v1/inventories/{inv.slug}/map?bbox=3.85,43.58,3.92,43.63")
    assert answer.status_code == 200
    assert answer.json["type"] == "FeatureCollection" and len(answer.json["features"]) == 1
    assert client.get(f"/api/v1/inventories/{inv.slug}/map?bbox=nope").status_code == 422


def test_resident_may_not_open_the_organiser_pages(client):
    inv = factories.inventory()
    _login(client)
    assert client.get("/mapping/inventories/new").status_code == 403
    assert client.get(f"/mapping/inventories/{inv.slug}/edit").status_code == 403
    before = _count()
    assert client.post("/mapping/inventories/new", data=_inventory_form()).status_code == 403
    assert (
        client.post(f"/mapping/inventories/{inv.id}/status", data={"status": "closed"}).status_code
        == 403
    )
    assert _count() == before and inv.status == "open"


def test_new_inventory_form_starts_from_a_template(client):
    _login(client, ["organiser"])
    page = client.get("/mapping/inventories/new?template=trees").get_data(as_text=True)
    assert "circumference_cm" in page and 'id="schema-editor"' in page
    assert "vendor/geoman/leaflet-geoman.min.js" in page
    assert client.get("/mapping/inventories/new?template=nope").status_code == 404


def test_organiser_creates_an_inventory(client):
    _login(client, ["organiser"])
    response = client.post("/mapping/inventories/new", data=_inventory_form())
    assert response.status_code == 302
    created = db.session.scalar(select(Inventory).where(Inventory.slug == "bancs-publics"))
    assert created.form_schema["fields"][0]["key"] == "seats"
    assert response.headers["Location"].endswith("/mapping/inventories/bancs-publics")


def test_area_can_come_from_an_uploaded_geojson_file(client):
    _login(client, ["organiser"])
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": factories.square(3.8, 43.5, 3.9, 43.6),
            }
        ],
    }
    data = _inventory_form(area="", slug="depuis-un-fichier")
    data["area_file"] = (io.BytesIO(json.dumps(collection).encode()), "zone.geojson")
    response = client.post(
        "/mapping/inventories/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Inventory).where(Inventory.slug == "depuis-un-fichier"))


def test_form_errors_are_shown_per_field_and_nothing_is_stored(client):
    _login(client, ["organiser"])
    before = _count()
    bad_schema = json.dumps({"fields": [{"key": "Bad Key", "type": "text"}]})
    response = client.post(
        "/mapping/inventories/new",
        data=_inventory_form(title="ab", area="", form_schema=bad_schema),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count() == before
    assert 'id="error-summary"' in page
    assert (
        'href="#title"' in page
        and 'href="#area-section"' in page
        and 'href="#schema-section"' in page
    )
    assert (
        'id="title-errors"' in page
        and 'id="area-errors"' in page
        and 'id="form_schema-errors"' in page
    )
    assert "Bad Key" in page  # what was typed is kept


def test_unreadable_form_json_is_refused(client):
    _login(client, ["organiser"])
    before = _count()
    response = client.post("/mapping/inventories/new", data=_inventory_form(form_schema="{oops"))
    assert response.status_code == 422 and _count() == before
    assert 'id="form_schema-errors"' in response.get_data(as_text=True)


def test_organiser_edits_an_inventory_and_changes_its_status(client):
    organiser = _login(client, ["organiser"])
    inv = factories.inventory(organiser)
    page = client.get(f"/mapping/inventories/{inv.slug}/edit").get_data(as_text=True)
    assert inv.title in page and "scientific_name" in page
    form = _inventory_form(title="Nouveau titre", slug=inv.slug)
    assert client.post(f"/mapping/inventories/{inv.slug}/edit", data=form).status_code == 302
    db.session.refresh(inv)
    assert inv.title == "Nouveau titre"
    response = client.post(f"/mapping/inventories/{inv.id}/status", data={"status": "closed"})
    assert response.status_code == 302
    db.session.refresh(inv)
    assert inv.status == "closed"


def test_invalid_edit_changes_nothing(client):
    organiser = _login(client, ["organiser"])
    inv = factories.inventory(organiser)
    title = inv.title
    form = _inventory_form(title="Titre", slug=inv.slug, geometry_types=["Hexagon"])
    assert client.post(f"/mapping/inventories/{inv.slug}/edit", data=form).status_code == 422
    db.session.refresh(inv)
    assert inv.title == title


def test_moderation_item_of_a_feature_draws_a_small_map(client):
    inv = factories.inventory()
    feature = factories.feature(inv, geometry=factories.point(3.8801234, 43.6101234))
    from mapping import handoff

    submission = handoff.submission_of(feature)
    _login(client, ["moderator"])
    page = client.get(f"/moderation/{submission.id}").get_data(as_text=True)
    assert 'data-testid="preview-map"' in page and "3.8801234" in page
    assert "/static/js/maps.js" in page
    assert not INLINE_SCRIPT_WITHOUT_NONCE.search(page)
