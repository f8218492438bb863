"""Inventories and features through the JSON API: who may do what, GeoJSON pages and their
links, contributions (JSON and multipart with photos), edits at a revision, history,
revert, confirmations, reports, photos; one error shape throughout."""

import io
import json

import pytest
from openapi_spec_validator import validate

from mapping.models import PENDING, PUBLISHED, REMOVED
from tests import factories
from tests.mapping.api_support import as_user, error_of, jpeg, photo_inventory

PATHS = {
    "/api/v1/inventories": {"get", "post"},
    "/api/v1/inventories/{slug}": {"get", "patch"},
    "/api/v1/inventory-templates": {"get"},
    "/api/v1/inventories/{slug}/features": {"get", "post"},
    "/api/v1/inventories/{slug}/map": {"get"},
    "/api/v1/features/{feature_id}": {"get", "patch", "delete"},
    "/api/v1/features/{feature_id}/history": {"get"},
    "/api/v1/features/{feature_id}/revert": {"post"},
    "/api/v1/features/{feature_id}/confirmation": {"post", "delete"},
    "/api/v1/features/{feature_id}/reports": {"post"},
    "/api/v1/features/{feature_id}/photos": {"post"},
    "/api/v1/photos/{photo_id}": {"delete"},
    "/api/v1/parties": {"get"},
    "/api/v1/parties/{slug}": {"get"},
    "/api/v1/parties/{slug}/tasks": {"get"},
    "/api/v1/parties/{slug}/features": {"get"},
    "/api/v1/parties/{slug}/summary": {"get"},
    "/api/v1/tasks/{task_id}/claim": {"post"},
    "/api/v1/tasks/{task_id}/validate": {"post"},
}


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def inventory(organiser):
    return factories.inventory(organiser, moderation_mode="post")


def test_the_openapi_document_has_the_mapping_paths_and_stays_valid(client):
    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    for path, methods in PATHS.items():
        assert methods <= set(spec["paths"][path]), path
    post = spec["paths"]["/api/v1/inventories/{slug}/features"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(post["requestBody"]["content"])
    get = spec["paths"]["/api/v1/inventories/{slug}/features"]["get"]
    assert "application/geo+json" in get["responses"]["200"]["content"]


# --- inventories ---------------------------------------------------------------------------------


def test_inventories_list_hides_drafts_except_from_organisers_and_counts_published(
    client, organiser, inventory
):
    draft = factories.inventory(organiser, status="draft")
    factories.feature(inventory)
    listed = {i["slug"]: i for i in client.get("/api/v1/inventories").json}
    assert draft.slug not in listed
    assert listed[inventory.slug]["feature_count"] == 1
    assert listed[inventory.slug]["licence"]["url"].startswith("https://")
    staff = as_user(client, organiser)
    assert draft.slug in {i["slug"] for i in staff.get("/api/v1/inventories").json}
    error_of(client.get(f"/api/v1/inventories/{draft.slug}"), 404, "inventory.not_found")


def test_inventory_detail_has_area_licence_types_and_form(client, inventory):
    body = client.get(f"/api/v1/inventories/{inventory.slug}").json
    assert body["area"]["type"] == "MultiPolygon"
    assert body["geometry_types"] == ["Point"]
    assert body["licence"] == {
        "id": "odbl",
        "label": "ODbL 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }
    assert body["moderation_mode"] == "post" and body["status"] == "open"
    assert "scientific_name" in {f["key"] for f in body["form_schema"]["fields"]}


def test_creating_an_inventory_needs_an_organiser(client, session):
    data = {
        "template": "trees",
        "title": "Arbres du quartier",
        "area": factories.square(3.8, 43.5, 3.9, 43.6),
    }
    error_of(client.post("/api/v1/inventories", json=data), 401)
    resident = as_user(client, factories.user())
    error_of(resident.post("/api/v1/inventories", json=data), 403)
    staff = as_user(client, factories.user(roles=["organiser"]))
    created = staff.post("/api/v1/inventories", json=data)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/api/v1/inventories/arbres-du-quartier"
    assert created.json["theme"] == "trees" and created.json["status"] == "draft"


def test_creating_an_inventory_reports_every_invalid_field(client, organiser):
    staff = as_user(client, organiser)
    error = error_of(staff.post("/api/v1/inventories", json={"title": "x", "licence": "mine"}), 422)
    assert {"title", "area", "licence"} <= set(error["fields"])
    error = error_of(staff.post("/api/v1/inventories", json={"titel": "Arbres"}), 422)
    assert "titel" in error["fields"]


def test_patching_an_inventory_changes_only_what_is_sent(client, organiser, inventory):
    staff = as_user(client, organiser)
    url = f"/api/v1/inventories/{inventory.slug}"
    changed = staff.patch(url, json={"title": "Faune du Lez", "status": "closed"})
    assert changed.status_code == 200, changed.text
    assert changed.json["title"] == "Faune du Lez" and changed.json["status"] == "closed"
    assert changed.json["form_schema"] == inventory.form_schema
    error = error_of(staff.patch(url, json={"generalise_m": 5}), 422)
    assert "generalise_m" in error["fields"]
    error_of(as_user(client, factories.user()).patch(url, json={"title": "Mine"}), 403)
    error_of(staff.patch("/api/v1/inventories/nope", json={"title": "Nope"}), 404)


def test_templates_are_listed_with_their_forms(client):
    templates = {t["name"]: t for t in client.get("/api/v1/inventory-templates").json}
    assert {"biodiversity", "heritage", "trees"} <= set(templates)
    assert templates["trees"]["form_schema"]["fields"]


# --- features: pages ----------------------------------------------------------------------------


def test_feature_pages_have_counts_and_next_and_prev_links(client, inventory):
    for n in range(5):
        factories.feature(inventory, geometry=factories.point(3.87 + n / 1000, 43.61))
    url = f"/api/v1/inventories/{inventory.slug}/features?limit=2"
    first = client.get(url)
    assert first.content_type == "application/geo+json"
    body = first.json
    assert body["numberMatched"] == 5 and body["numberReturned"] == 2
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert "prev" not in links and "offset=2" in links["next"]
    seen = [f["id"] for f in body["features"]]
    while "next" in links:
        body = client.get(links["next"]).json
        links = {link["rel"]: link["href"] for link in body["links"]}
        seen += [f["id"] for f in body["features"]]
    assert len(seen) == len(set(seen)) == 5
    assert "offset=2" in links["prev"] and "limit=2" in links["prev"]


def test_feature_pages_filter_by_box_status_and_attribute(client, organiser, inventory):
    near = factories.feature(inventory, geometry=factories.point(3.87, 43.61))
    factories.feature(
        inventory,
        geometry=factories.point(3.91, 43.62),
        properties={"scientific_name": "Pinus pinea", "observed_on": "2026-05-01"},
    )
    base = f"/api/v1/inventories/{inventory.slug}/features"
    boxed = client.get(f"{base}?bbox=3.86,43.60,3.88,43.615").json
    assert [f["id"] for f in boxed["features"]] == [near.id]
    by_attr = client.get(f"{base}?attr=scientific_name:Pinus pinea").json
    assert [f["properties"]["scientific_name"] for f in by_attr["features"]] == ["Pinus pinea"]
    assert "bbox" in error_of(client.get(f"{base}?bbox=3.9,43.6,3.8"), 422)["fields"]
    assert "bbox" in error_of(client.get(f"{base}?bbox=3.9,43.6,3.8,43.7"), 422)["fields"]
    assert "limit" in error_of(client.get(f"{base}?limit=10001"), 422)["fields"]
    assert "attr" in error_of(client.get(f"{base}?attr=colour:red"), 422)["fields"]
    assert "attr" in error_of(client.get(f"{base}?attr=nocolon"), 422)["fields"]
    error_of(client.get(f"{base}?status=pending"), 403, "feature.status_forbidden")
    moderator = as_user(client, factories.user(roles=["moderator"]))
    assert moderator.get(f"{base}?status=pending&status=published").status_code == 200
    error_of(client.get("/api/v1/inventories/nope/features"), 404)


def test_map_data_answers_features_for_a_viewport_and_needs_a_box(client, inventory):
    feature = factories.feature(inventory)
    url = f"/api/v1/inventories/{inventory.slug}/map"
    body = client.get(f"{url}?bbox=3.85,43.58,3.92,43.63").json
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [feature.id]
    assert "bbox" in error_of(client.get(url), 422)["fields"]


# --- features: contributions ----------------------------------------------------------------------


def test_a_member_adds_a_feature_that_waits_for_review(client, organiser):
    inventory = factories.inventory(organiser)
    url = f"/api/v1/inventories/{inventory.slug}/features"
    data = {
        "type": "Feature",
        "geometry": factories.point(3.88, 43.61),
        "properties": {"scientific_name": "Quercus ilex", "observed_on": "2026-05-02"},
    }
    error_of(client.post(url, json=data), 401)
    author = as_user(client, factories.user())
    created = author.post(url, json=data)
    assert created.status_code == 201, created.text
    assert created.content_type == "application/geo+json"
    assert created.headers["Location"] == f"/api/v1/features/{created.json['id']}"
    assert created.json["properties"]["_status"] == PENDING
    assert author.get(created.headers["Location"]).status_code == 200
    error_of(client.get(created.headers["Location"]), 404)


def test_an_invalid_feature_gets_field_errors_and_changes_nothing(client, inventory):
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    outside = {"geometry": factories.point(2.35, 48.85), "properties": {"count": "many"}}
    error = error_of(author.post(url, json=outside), 422, "feature.invalid")
    assert {"geometry", "scientific_name", "count"} <= set(error["fields"])
    assert "geometry" in error_of(author.post(url, json={"properties": {}}), 422)["fields"]
    error_of(author.post(url, data="x", content_type="text/plain"), 415)
    error_of(author.post(url, data="{", content_type="application/json"), 400)
    assert client.get(url).json["numberMatched"] == 0


def test_nobody_adds_to_a_closed_inventory(client, organiser):
    closed = factories.inventory(organiser, status="closed")
    author = as_user(client, factories.user())
    data = {"geometry": factories.point(), "properties": {"scientific_name": "Quercus ilex"}}
    error_of(author.post(f"/api/v1/inventories/{closed.slug}/features", json=data), 403)


def test_a_required_photo_can_come_with_the_feature_in_multipart(client, organiser):
    inventory = photo_inventory(organiser)
    author = as_user(client, factories.user())
    url = f"/api/v1/inventories/{inventory.slug}/features"
    feature = json.dumps({"geometry": factories.point(), "properties": {"name": "Lavoir"}})
    missing = author.post(url, data={"feature": feature}, content_type="multipart/form-data")
    assert "picture" in error_of(missing, 422)["fields"]
    error_of(author.post(url, data={"x": "1"}, content_type="multipart/form-data"), 422)
    created = author.post(
        url,
        data={"feature": feature, "picture": (io.BytesIO(jpeg()), "lavoir.jpg")},
        content_type="multipart/form-data",
    )
    assert created.status_code == 201, created.text
    (photo,) = created.json["photos"]
    assert photo["field"] == "picture" and photo["url"] == f"/mapping/photos/{photo['id']}"


# --- features: one feature ----------------------------------------------------------------------


def test_pending_features_are_found_only_by_their_author_and_moderators(client, organiser):
    inventory = factories.inventory(organiser)
    author = factories.user()
    feature = factories.feature(inventory, author)
    url = f"/api/v1/features/{feature.id}"
    error_of(client.get(url), 404)
    stranger = as_user(client, factories.user())
    error_of(stranger.get(url), 404)
    error_of(stranger.patch(url, json={"revision": 1}), 404)
    error_of(stranger.delete(url), 404)
    error_of(stranger.get(f"{url}/history"), 404)
    assert as_user(client, author).get(url).json["revision"] == 1
    assert as_user(client, organiser).get(url).status_code == 200
    error_of(client.get("/api/v1/features/99999999999"), 404)
    error_of(client.delete("/api/v1/photos/99999999999"), 404)


def test_an_edit_at_a_stale_revision_is_refused(client, inventory):
    author = factories.user()
    feature = factories.feature(inventory, author)
    editor = as_user(client, author)
    url = f"/api/v1/features/{feature.id}"
    edited = editor.patch(url, json={"revision": 1, "properties": {"count": 3}})
    assert edited.status_code == 200, edited.text
    assert edited.json["revision"] == 2
    assert edited.json["properties"]["scientific_name"] == "Quercus ilex"
    assert edited.json["properties"]["count"] == 3
    error_of(
        editor.patch(url, json={"revision": 1, "properties": {"count": 4}}), 409, "feature.stale"
    )
    assert "revision" in error_of(editor.patch(url, json={"properties": {}}), 422)["fields"]
    other = as_user(client, factories.user())
    error_of(other.patch(url, json={"revision": 2, "properties": {"count": 9}}), 403)


def test_removing_takes_a_feature_off_the_map_but_keeps_its_history(client, organiser, inventory):
    author = factories.user()
    feature = factories.feature(inventory, author)
    url = f"/api/v1/features/{feature.id}"
    error_of(as_user(client, factories.user()).delete(url), 403)
    assert as_user(client, author).delete(f"{url}?note=doublon").status_code == 204
    error_of(client.get(url), 404)
    staff = as_user(client, organiser)
    history = staff.get(f"{url}/history").json["revisions"]
    assert [r["action"] for r in history] == ["remove", "create"]
    assert history[0]["status"] == REMOVED and history[0]["note"] == "doublon"


def test_moderators_revert_a_feature_to_an_earlier_revision(client, inventory):
    author = factories.user()
    feature = factories.feature(inventory, author)
    as_user(client, author).patch(
        f"/api/v1/features/{feature.id}", json={"revision": 1, "properties": {"count": 7}}
    )
    url = f"/api/v1/features/{feature.id}/revert"
    error_of(client.post(url, json={"revision": 1}), 401)
    error_of(as_user(client, author).post(url, json={"revision": 1}), 403)
    moderator = as_user(client, factories.user(roles=["moderator"]))
    reverted = moderator.post(url, json={"revision": 1, "note": "vandalisme"})
    assert reverted.status_code == 200, reverted.text
    assert "count" not in reverted.json["properties"] and reverted.json["revision"] == 3
    error_of(moderator.post(url, json={"revision": 3}), 409, "feature.same_revision")
    error_of(moderator.post(url, json={"revision": 42}), 404)
    assert "revision" in error_of(moderator.post(url, json={}), 422)["fields"]


def test_members_confirm_once_and_never_their_own_feature(client, inventory):
    author = factories.user()
    feature = factories.feature(inventory, author)
    url = f"/api/v1/features/{feature.id}/confirmation"
    error_of(client.post(url), 401)
    witness = as_user(client, factories.user())
    assert witness.post(url).json == {"feature": feature.id, "confirmations": 1}
    error_of(witness.post(url), 409, "feature.already_confirmed")
    error_of(as_user(client, author).post(url), 409, "feature.own")
    assert witness.delete(url).json["confirmations"] == 0
    error_of(witness.delete(url), 404)


def test_members_report_a_published_feature(client, organiser, inventory):
    feature = factories.feature(inventory)
    url = f"/api/v1/features/{feature.id}/reports"
    error_of(client.post(url, json={"reason": "wrong"}), 401)
    reporter = as_user(client, factories.user())
    assert "reason" in error_of(reporter.post(url, json={"reason": "ugly"}), 422)["fields"]
    reported = reporter.post(url, json={"reason": "wrong", "note": "C'est un pin"})
    assert reported.status_code == 201 and reported.json["reason"] == "wrong"
    error_of(reporter.post(url, json={"reason": "spam"}), 409)
    pending = factories.feature(factories.inventory(organiser))
    error_of(reporter.post(f"/api/v1/features/{pending.id}/reports", json={"reason": "wrong"}), 404)


def test_photos_are_added_and_removed_but_never_the_last_required_one(client, organiser):
    inventory = photo_inventory(organiser)
    author = factories.user()
    feature = factories.feature(
        inventory, author, properties={"name": "Croix"}, photos={"picture": jpeg()}
    )
    assert feature.status == PUBLISHED
    owner = as_user(client, author)
    url = f"/api/v1/features/{feature.id}/photos"
    added = owner.post(
        url, data={"picture": (io.BytesIO(jpeg()), "croix.jpg")}, content_type="multipart/form-data"
    )
    assert added.status_code == 201, added.text
    first, second = (p["id"] for p in added.json["photos"])
    assert added.json["revision"] == 2
    error_of(owner.post(url, json={}), 415)
    error_of(owner.post(url, data={"note": "x"}, content_type="multipart/form-data"), 422)
    error_of(as_user(client, factories.user()).delete(f"/api/v1/photos/{first}"), 403)
    assert owner.delete(f"/api/v1/photos/{first}").status_code == 204
    error_of(owner.delete(f"/api/v1/photos/{second}"), 422, "photo.required")
    error_of(owner.delete(f"/api/v1/photos/{first}"), 404)
