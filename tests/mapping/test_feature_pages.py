"""Feature pages: what each viewer sees (never a sensitive feature's real place unless
staff), confirmations and reports, edit with optimistic concurrency, removal, history,
and photos with their access rule."""

import io
import json

from PIL import Image
from sqlalchemy import select

from mapping.models import Photo
from mapping.services import features
from tests import factories
from webapp.extensions import db

LON, LAT = 3.8812345, 43.6054321
SECRET_NOTE = "Derrière le lavoir de la rue Mistral"


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 90, 40)).save(out, format="JPEG")
    return out.getvalue()


def _login(client, roles=(), person=None):
    """Log in as a new member with these roles (or as `person`), after logging out."""
    client.post("/logout")
    person = person or factories.user(roles=list(roles))
    factories.login(client, person.email)
    return person


def _status(client, path):
    """The status of a GET, closing the (file-streaming) response."""
    response = client.get(path)
    response.close()
    return response.status_code


def _published(inv=None, author=None, **properties):
    inv = inv or factories.inventory(moderation_mode="post")
    values = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01", **properties}
    return factories.feature(inv, author, geometry=factories.point(LON, LAT), properties=values)


def _sensitive(author=None):
    inv = factories.inventory(moderation_mode="post")
    values = {"protection": "protected", "notes": SECRET_NOTE}
    return _published(inv, author, **values)


def test_feature_page_shows_labels_and_choice_labels(client):
    feature = _published(protection="none", confidence="probable")
    page = client.get(f"/mapping/features/{feature.id}").get_data(as_text=True)
    assert "Statut de protection" in page and "Non protégée" in page and "Probable" in page
    assert f"/mapping/features/{feature.id}/history" in page
    assert str(LON) in page  # not sensitive: the real place is fine


def test_pending_feature_is_seen_by_its_author_and_moderators_only(client):
    inv = factories.inventory()
    author = factories.user()
    feature = factories.feature(inv, author)
    assert client.get(f"/mapping/features/{feature.id}").status_code == 404
    _login(client, person=author)
    page = client.get(f"/mapping/features/{feature.id}").get_data(as_text=True)
    assert 'data-testid="feature-status"' in page


def test_sensitive_feature_shows_no_exact_place_nor_locating_field_to_a_resident(client):
    feature = _sensitive()
    _login(client)
    for path in (f"/mapping/features/{feature.id}", f"/mapping/features/{feature.id}/history"):
        page = client.get(path).get_data(as_text=True)
        assert "3.881234" not in page and "43.605432" not in page, path
        assert SECRET_NOTE not in page, path
    page = client.get(f"/mapping/features/{feature.id}").get_data(as_text=True)
    assert 'data-testid="generalised"' in page and 'data-testid="withheld"' in page


def test_staff_see_the_exact_place_of_a_sensitive_feature(client):
    feature = _sensitive()
    _login(client, ["moderator"])
    page = client.get(f"/mapping/features/{feature.id}").get_data(as_text=True)
    assert str(LON) in page and SECRET_NOTE in page
    assert 'data-testid="generalised"' not in page


def test_photos_follow_the_access_rule(client):
    inv = factories.inventory(moderation_mode="post")
    point = factories.point(LON, LAT)
    values = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
    public = features.create(factories.user(), inv.id, point, values, photos={"photo": jpeg()})
    values["protection"] = "protected"
    hidden = features.create(factories.user(), inv.id, point, values, photos={"photo": jpeg()})
    public_photo, hidden_photo = (
        db.session.scalar(select(Photo).where(Photo.feature_id == f.id)) for f in (public, hidden)
    )
    answer = client.get(f"/mapping/photos/{public_photo.id}")
    answer.close()
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert _status(client, f"/mapping/photos/{public_photo.id}/thumb") == 200
    assert "/mapping/photos/" in client.get(f"/mapping/features/{public.id}").get_data(as_text=True)
    _login(client)
    assert _status(client, f"/mapping/photos/{hidden_photo.id}") == 404
    assert _status(client, f"/mapping/photos/{hidden_photo.id}/thumb") == 404
    assert "/mapping/photos/" not in client.get(f"/mapping/features/{hidden.id}").get_data(
        as_text=True
    )
    assert _status(client, "/mapping/photos/999999") == 404
    _login(client, ["moderator"])
    assert _status(client, f"/mapping/photos/{hidden_photo.id}") == 200


def test_thumbnail_falls_back_to_the_photo_until_made(client):
    inv = factories.inventory(moderation_mode="post")
    values = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
    feature = features.create(
        factories.user(), inv.id, factories.point(), values, {"photo": jpeg()}
    )
    photo = db.session.scalar(select(Photo).where(Photo.feature_id == feature.id))
    photo.thumb_path = None
    db.session.flush()
    assert _status(client, f"/mapping/photos/{photo.id}/thumb") == 200


def test_author_deletes_a_photo(client):
    inv = factories.inventory(moderation_mode="post")
    author = factories.user()
    values = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
    feature = features.create(author, inv.id, factories.point(), values, {"photo": jpeg()})
    photo = db.session.scalar(select(Photo).where(Photo.feature_id == feature.id))
    _login(client)
    assert client.post(f"/mapping/photos/{photo.id}/delete").status_code == 403
    _login(client, person=author)
    assert client.post(f"/mapping/photos/{photo.id}/delete").status_code == 302
    assert db.session.get(Photo, photo.id) is None


def test_members_confirm_and_withdraw_and_report(client):
    feature = _published()
    member = _login(client)
    page = client.get(f"/mapping/features/{feature.id}").get_data(as_text=True)
    assert f"/mapping/features/{feature.id}/confirm" in page and 'name="reason"' in page
    assert client.post(f"/mapping/features/{feature.id}/confirm").status_code == 302
    db.session.refresh(feature)
    assert feature.confirmations == 1
    page = client.get(f"/mapping/features/{feature.id}").get_data(as_text=True)
    assert f"/mapping/features/{feature.id}/unconfirm" in page
    assert client.post(f"/mapping/features/{feature.id}/unconfirm").status_code == 302
    db.session.refresh(feature)
    assert feature.confirmations == 0
    answer = client.post(f"/mapping/features/{feature.id}/report", data={"reason": "wrong"})
    assert answer.status_code == 302
    from crowdsourcing.models import Flag

    assert db.session.scalar(select(Flag).where(Flag.user_id == member.id)).reason == "wrong"


def test_author_edits_and_a_stale_edit_shows_the_conflict(client):
    author = factories.user()
    feature = _published(author=author)
    _login(client, person=author)
    page = client.get(f"/mapping/features/{feature.id}/edit").get_data(as_text=True)
    assert 'name="revision" value="1"' in page and 'value="Quercus ilex"' in page
    form = {
        "revision": "1",
        "geometry": json.dumps(factories.point(LON, LAT)),
        "field-scientific_name": "Quercus pubescens",
        "field-observed_on": "2026-05-01",
    }
    assert client.post(f"/mapping/features/{feature.id}/edit", data=form).status_code == 302
    db.session.refresh(feature)
    assert feature.revision == 2 and feature.properties["scientific_name"] == "Quercus pubescens"
    form["field-scientific_name"] = "Quercus suber"
    stale = client.post(f"/mapping/features/{feature.id}/edit", data=form)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and 'data-testid="conflict"' in page
    assert 'value="Quercus suber"' in page
    db.session.refresh(feature)
    assert feature.properties["scientific_name"] == "Quercus pubescens"


def test_author_edit_of_a_sensitive_feature_keeps_its_place_and_withheld_fields(client):
    author = factories.user()
    feature = _sensitive(author)
    _login(client, person=author)
    page = client.get(f"/mapping/features/{feature.id}/edit").get_data(as_text=True)
    assert "3.881234" not in page and SECRET_NOTE not in page
    form = {
        "revision": "1",
        "field-scientific_name": "Quercus suber",
        "field-observed_on": "2026-05-01",
        "field-protection": "protected",
    }
    assert client.post(f"/mapping/features/{feature.id}/edit", data=form).status_code == 302
    db.session.refresh(feature)
    assert feature.properties["notes"] == SECRET_NOTE
    assert feature.properties["scientific_name"] == "Quercus suber"


def test_others_may_not_edit_or_remove(client):
    feature = _published()
    _login(client)
    assert client.get(f"/mapping/features/{feature.id}/edit").status_code == 403
    assert client.get(f"/mapping/features/{feature.id}/remove").status_code == 403
    assert client.post(f"/mapping/features/{feature.id}/remove").status_code == 403


def test_author_removes_after_confirming(client):
    author = factories.user()
    feature = _published(author=author)
    _login(client, person=author)
    page = client.get(f"/mapping/features/{feature.id}/remove").get_data(as_text=True)
    assert 'method="post"' in page
    response = client.post(f"/mapping/features/{feature.id}/remove", data={"note": "doublon"})
    assert response.status_code == 302
    db.session.refresh(feature)
    assert feature.status == "removed"


def test_history_lists_revisions_and_moderators_revert(client):
    author = factories.user()
    feature = _published(author=author)
    features.update(
        author, feature.id, 1, properties={**feature.properties, "common_name": "Yeuse"}
    )
    _login(client)
    page = client.get(f"/mapping/features/{feature.id}/history").get_data(as_text=True)
    assert "Nom commun" in page and "/revert/" not in page
    assert client.post(f"/mapping/features/{feature.id}/revert/1").status_code == 403
    _login(client, ["moderator"])
    page = client.get(f"/mapping/features/{feature.id}/history").get_data(as_text=True)
    assert f"/mapping/features/{feature.id}/revert/1" in page
    assert client.post(f"/mapping/features/{feature.id}/revert/1").status_code == 302
    db.session.refresh(feature)
    assert feature.revision == 3 and "common_name" not in feature.properties


def test_a_locating_key_attribute_is_not_the_title_of_a_sensitive_feature(client):
    schema = {
        "fields": [
            {
                "key": "site",
                "type": "text",
                "label_fr": "Lieu-dit",
                "label_en": "Place name",
                "locating": True,
                "key_attribute": True,
            },
            {
                "key": "rarity",
                "type": "choice",
                "label_fr": "Rareté",
                "label_en": "Rarity",
                "choices": [
                    {"value": "rare", "label_fr": "Rare", "label_en": "Rare", "sensitive": True}
                ],
            },
        ]
    }
    inv = factories.inventory(moderation_mode="post", form_schema=schema)
    properties = {"site": "Combe du Renard", "rarity": "rare"}
    feature = factories.feature(inv, geometry=factories.point(LON, LAT), properties=properties)
    _login(client)
    for path in (
        f"/mapping/features/{feature.id}",
        f"/mapping/features/{feature.id}/history",
        f"/mapping/inventories/{inv.slug}",
    ):
        assert "Combe du Renard" not in client.get(path).get_data(as_text=True), path
