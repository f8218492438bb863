"""A contribution sent again with its Idempotency-Key after a lost answer gets the same
feature back, never a second one; a key reused for another body is refused and changes
nothing. On both backends."""

import io
import json
import re

import pytest
from sqlalchemy import func, select

from mapping.models import Feature
from tests import backends, concurrency, factories
from tests.conftest import BACKENDS
from tests.mapping.api_support import as_user, error_of, jpeg, photo_inventory
from webapp import idempotency
from webapp.accounts.models import User
from webapp.extensions import db
from webapp.models import IdempotencyKey


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def inventory(organiser):
    return factories.inventory(organiser, moderation_mode="post")


def _count(inventory):
    return db.session.scalar(
        select(func.count(Feature.id)).where(Feature.inventory_id == inventory.id)
    )


def _data(lon=3.88, name="Quercus ilex"):
    return {
        "type": "Feature",
        "geometry": factories.point(lon, 43.61),
        "properties": {"scientific_name": name, "observed_on": "2026-05-02"},
    }


def test_a_retry_with_the_same_key_returns_the_same_feature(client, inventory):
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    key = {"Idempotency-Key": "3f0c5a8e-6d0b-4a4e-9f51-0d2c1f3b7a10"}
    first = author.post(url, json=_data(), headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = author.post(url, json=_data(), headers=key)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(inventory) == 1
    # Another submission (another key) is another feature; no key at all, too.
    assert author.post(url, json=_data(3.881), headers={"Idempotency-Key": "k2"}).status_code == 201
    assert author.post(url, json=_data(3.882)).status_code == 201
    assert _count(inventory) == 3


def test_keys_belong_to_one_person(client, inventory):
    url = f"/api/v1/inventories/{inventory.slug}/features"
    alice, bob = as_user(client, factories.user()), as_user(client, factories.user())
    key = {"Idempotency-Key": "same-key"}
    a = alice.post(url, json=_data(), headers=key)
    b = bob.post(url, json=_data(), headers=key)
    assert a.status_code == b.status_code == 201
    assert a.json["id"] != b.json["id"]
    assert _count(inventory) == 2


def test_a_key_reused_for_another_body_is_refused_and_changes_nothing(client, inventory):
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    key = {"Idempotency-Key": "reused"}
    assert author.post(url, json=_data(), headers=key).status_code == 201
    error = error_of(
        author.post(url, json=_data(name="Tilia cordata"), headers=key),
        422,
        "idempotency.key_reused",
    )
    assert "Idempotency-Key" in error["fields"]
    assert _count(inventory) == 1


def test_an_invalid_key_is_refused_in_french_and_changes_nothing(client, inventory):
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    for bad in ("x" * 201, "clé-accentuée", "   "):
        error = error_of(
            author.post(
                url,
                json=_data(),
                headers={
                    "Idempotency-Key": bad.encode("utf-8").decode("latin-1"),
                    "Accept-Language": "fr",
                },
            ),
            422,
            "idempotency.key_invalid",
        )
        assert "Idempotency-Key" in error["fields"]
    assert "caractères" in error["fields"]["Idempotency-Key"][0]
    assert _count(inventory) == 0
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 0


def test_a_refused_submission_keeps_its_key_free_for_the_corrected_one(client, inventory):
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    key = {"Idempotency-Key": "fix-and-retry"}
    outside = {**_data(), "geometry": factories.point(2.35, 48.85)}
    error_of(author.post(url, json=outside, headers=key), 422, "feature.invalid")
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 0
    # The app resends the corrected submission under the same key: it is accepted once.
    assert author.post(url, json=_data(), headers=key).status_code == 201
    assert author.post(url, json=_data(), headers=key).headers["Idempotent-Replayed"] == "true"
    assert _count(inventory) == 1


def test_a_multipart_retry_with_the_same_photo_is_one_feature(client, organiser):
    inventory = photo_inventory(organiser)
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    feature = json.dumps({"geometry": factories.point(), "properties": {"name": "Lavoir"}})
    key = {"Idempotency-Key": "photo-1"}
    picture = jpeg()

    def send(data):
        return author.post(
            url,
            data={"feature": feature, "picture": (io.BytesIO(data), "lavoir.jpg")},
            content_type="multipart/form-data",
            headers=key,
        )

    first, again = send(picture), send(picture)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json["id"] == first.json["id"]
    error_of(send(jpeg(41, 30)), 422, "idempotency.key_reused")
    assert _count(inventory) == 1


def test_the_openapi_document_describes_the_header(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/inventories/{slug}/features"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in post.get("parameters", [])}


# --- the contribution page: one key per page, sent back with the form ------------------------


def _form(lon=3.88):
    return {
        "geometry": json.dumps(factories.point(lon, 43.61)),
        "field-scientific_name": "Quercus ilex",
        "field-observed_on": "2026-05-01",
        "field-count": "3",
        "field-protection": "none",
    }


def test_the_contribution_form_sent_twice_adds_one_feature(client, inventory):
    author = factories.user()
    factories.login(client, author.email)
    url = f"/mapping/inventories/{inventory.slug}/contribute"
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)
    assert key not in client.get(url).get_data(as_text=True)  # a new page, a new key
    first = client.post(url, data={**_form(), "submission_key": key})
    again = client.post(url, data={**_form(), "submission_key": key})
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert _count(inventory) == 1


def test_a_refused_form_keeps_its_key_and_a_changed_resend_is_a_new_contribution(client, inventory):
    author = factories.user()
    factories.login(client, author.email)
    url = f"/mapping/inventories/{inventory.slug}/contribute"
    refused = client.post(url, data={**_form(2.35), "submission_key": "k" * 32})
    assert refused.status_code == 422
    assert 'name="submission_key" value="' + "k" * 32 in refused.get_data(as_text=True)
    assert client.post(url, data={**_form(), "submission_key": "k" * 32}).status_code == 302
    # Back button, another position, sent again with the old page's key: a second feature.
    assert client.post(url, data={**_form(3.881), "submission_key": "k" * 32}).status_code == 302
    assert _count(inventory) == 2


# --- the same key sent by several attempts at once: the database orders them ---------------


@pytest.fixture(
    scope="module",
    params=[pytest.param(b, marks=pytest.mark.xdist_group(f"idem-{b}")) for b in BACKENDS],
)
def committing(request, tmp_root):
    backends.require(request.param)
    yield from concurrency.committing_app(request.param, "idemconc", tmp_root)


def test_attempts_racing_with_one_key_create_one_feature(committing):
    from mapping.services import features

    with committing.app_context():
        author_id = factories.user().id
        inventory_id = factories.inventory(moderation_mode="post").id
        db.session.remove()
    payload = _data()

    def attempt(_n):
        author = db.session.get(User, author_id)
        feature, replayed = idempotency.run_once(
            author,
            "raced-key",
            f"feature:{inventory_id}",
            payload,
            lambda: features.create(
                author, inventory_id, payload["geometry"], payload["properties"]
            ),
            lambda feature_id: db.session.get(Feature, feature_id),
        )
        result = (feature.id, replayed)
        db.session.remove()
        return result

    results, errors = concurrency.all_at_once(committing, attempt, list(range(4)))
    assert errors == []
    assert len({fid for fid, _replayed in results.values()}) == 1
    assert sorted(replayed for _fid, replayed in results.values()) == [False, True, True, True]
    with committing.app_context():
        count = select(func.count(Feature.id)).where(Feature.inventory_id == inventory_id)
        assert db.session.scalar(count) == 1
        db.session.remove()
