"""The contribution page: who may open it, the form built from the schema, and what a
submission stores (or, when refused, does not)."""

import io
import json

from PIL import Image
from sqlalchemy import func, select

from mapping.models import Feature, Photo
from tests import factories
from webapp.extensions import db


def jpeg(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 90)).save(out, format="JPEG")
    return out.getvalue()


def _member(client, roles=()):
    person = factories.user(roles=list(roles))
    factories.login(client, person.email)
    return person


def _count():
    return db.session.scalar(select(func.count(Feature.id)))


def _form(**overrides):
    data = {
        "geometry": json.dumps(factories.point(3.88, 43.61)),
        "field-scientific_name": "Quercus ilex",
        "field-observed_on": "2026-05-01",
        "field-count": "3",
        "field-protection": "none",
    }
    data.update(overrides)
    return data


def test_anonymous_visitor_is_sent_to_log_in(client):
    inv = factories.inventory()
    response = client.get(f"/mapping/inventories/{inv.slug}/contribute")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_closed_or_draft_inventory_refuses_contributions(client):
    closed = factories.inventory(status="closed")
    draft = factories.inventory(status="draft")
    _member(client)
    assert client.get(f"/mapping/inventories/{closed.slug}/contribute").status_code == 403
    assert client.get(f"/mapping/inventories/{draft.slug}/contribute").status_code == 404


def test_form_follows_the_schema(client):
    inv = factories.inventory()
    _member(client)
    page = client.get(f"/mapping/inventories/{inv.slug}/contribute").get_data(as_text=True)
    assert 'type="date" name="field-observed_on"' in page
    assert 'accept="image/*" capture="environment"' in page
    assert 'type="number" inputmode="numeric"' in page
    assert "<legend" in page and 'type="radio" name="field-protection"' in page
    assert "Nom scientifique" in page and "Genre et espèce" in page
    assert 'aria-required="true"' in page and "(obligatoire)" in page
    assert "vendor/geoman/leaflet-geoman.min.js" in page
    assert 'data-draw-action="locate"' in page and 'name="geometry"' in page


def test_form_speaks_english_to_english_speakers(client):
    inv = factories.inventory()
    person = factories.user(locale="en")
    factories.login(client, person.email)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get(f"/mapping/inventories/{inv.slug}/contribute").get_data(as_text=True)
    assert "Scientific name" in page and "Genus and species" in page


def test_a_contribution_with_a_photo_waits_for_review(client):
    inv = factories.inventory()
    author = _member(client)
    data = _form()
    data["field-photo"] = (io.BytesIO(jpeg()), "arbre.jpg")
    response = client.post(
        f"/mapping/inventories/{inv.slug}/contribute", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    feature = db.session.scalar(select(Feature).where(Feature.created_by_id == author.id))
    assert response.headers["Location"].endswith(f"/mapping/features/{feature.id}")
    assert feature.status == "pending" and feature.properties["count"] == 3
    assert (
        db.session.scalar(select(func.count(Photo.id)).where(Photo.feature_id == feature.id)) == 1
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "attend" in page.lower()  # the flash says it waits for a moderator


def test_a_contribution_to_a_post_moderated_inventory_is_public_at_once(client):
    inv = factories.inventory(moderation_mode="post")
    _member(client)
    response = client.post(f"/mapping/inventories/{inv.slug}/contribute", data=_form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sur la carte" in page


def test_errors_are_shown_per_field_with_the_input_kept_and_nothing_stored(client):
    inv = factories.inventory()
    _member(client)
    before = _count()
    data = _form(geometry="", **{"field-scientific_name": "", "field-count": "beaucoup"})
    data["field-common_name"] = "Chêne vert du square"
    response = client.post(f"/mapping/inventories/{inv.slug}/contribute", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count() == before
    assert 'id="error-summary"' in page
    assert 'href="#map-section"' in page and 'href="#field-scientific_name-input"' in page
    assert 'id="field-count-errors"' in page and 'aria-invalid="true"' in page
    assert 'value="Chêne vert du square"' in page and 'value="beaucoup"' in page
    assert "Placez un point" in page


def test_a_position_outside_the_area_is_refused(client):
    inv = factories.inventory()
    _member(client)
    before = _count()
    data = _form(geometry=json.dumps(factories.point(2.35, 48.85)))
    response = client.post(f"/mapping/inventories/{inv.slug}/contribute", data=data)
    assert response.status_code == 422 and _count() == before
    assert 'id="geometry-errors"' in response.get_data(as_text=True)
    assert "2.35" in response.get_data(as_text=True)  # the drawn point is kept for correction


def test_a_bad_photo_is_refused_and_nothing_is_stored(client):
    inv = factories.inventory()
    _member(client)
    before = _count()
    data = _form()
    data["field-photo"] = (io.BytesIO(b"not an image"), "x.jpg")
    response = client.post(
        f"/mapping/inventories/{inv.slug}/contribute", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and _count() == before
    assert 'id="field-photo-errors"' in response.get_data(as_text=True)


def test_a_party_contribution_is_linked_to_its_party(client):
    inv = factories.inventory()
    party = factories.party(inventories=[inv])
    _member(client)
    page = client.get(f"/mapping/inventories/{inv.slug}/contribute?party={party.id}")
    assert f'name="party" value="{party.id}"' in page.get_data(as_text=True)
    data = _form(party=str(party.id))
    assert client.post(f"/mapping/inventories/{inv.slug}/contribute", data=data).status_code == 302
    assert db.session.scalar(select(Feature).order_by(Feature.id.desc())).party_id == party.id
    other = factories.party()
    before = _count()
    bad = client.post(
        f"/mapping/inventories/{inv.slug}/contribute", data=_form(party=str(other.id))
    )
    assert bad.status_code == 422 and _count() == before
