"""Inventories: creation from templates, validation of every setting, who may organise,
who sees drafts, and how editing the form re-computes what non-staff see."""

import json

import pytest
from flask_login import AnonymousUserMixin
from shapely.geometry import MultiPolygon, box

from mapping import geo
from mapping.inventory_templates import TEMPLATES
from mapping.models import CLOSED, DRAFT, OPEN, Feature, Inventory
from mapping.services import inventories
from tests import factories
from tests.factories import MONTPELLIER, square
from tests.mapping.helpers import count, fresh, messages, organiser
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.models import Job

NEAR_CENTRE = factories.point(3.8767, 43.6108)
pytestmark = pytest.mark.usefixtures("english")


def settings(template="biodiversity", **overrides):
    data = inventories.template_data(template)
    data.update(title="Oiseaux des parcs", area=square(*MONTPELLIER))
    data.update(overrides)
    return data


def data_of(inventory, **changes):
    """The settings of an inventory as its edit form would send them back."""
    data = {
        "title": inventory.title,
        "slug": inventory.slug,
        "theme": inventory.theme,
        "geometry_types": inventory.allowed_types,
        "licence": inventory.licence,
        "moderation_mode": inventory.moderation_mode,
        "status": inventory.status,
        "generalise_m": inventory.generalise_m,
        "area": geo.to_geojson(geo.from_db(inventory.area)),
        "form_schema": json.loads(json.dumps(inventory.form_schema)),
    }
    data.update(changes)
    return data


def invalid(actor, data, inventory_id=None):
    """The fields refused, checking that nothing was written."""
    before = count(Inventory)
    with pytest.raises(ValidationError) as caught:
        if inventory_id is None:
            inventories.create(actor, data)
        else:
            inventories.update(actor, inventory_id, data)
    assert caught.value.code == "inventory.invalid"
    assert count(Inventory) == before
    return caught.value


# --- creation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_create_from_each_template_keeps_its_form_and_starts_as_a_draft(session, name):
    author = organiser()
    template = TEMPLATES[name][1]
    inventory = inventories.create(author, settings(name))
    assert inventory.id and inventory.status == DRAFT
    assert inventory.theme == template["theme"]
    assert list(inventory.allowed_types) == template["geometry_types"]
    assert [f["key"] for f in inventory.fields] == [
        f["key"] for f in template["form_schema"]["fields"]
    ]
    assert inventory.slug == "oiseaux-des-parcs" and inventory.created_by_id == author.id
    assert geo.from_db(fresh(inventory).area).equals(MultiPolygon([box(*MONTPELLIER)]))


def test_template_data_is_a_copy_and_unknown_templates_are_not_found(session):
    data = inventories.template_data("trees")
    data["form_schema"]["fields"].clear()
    assert TEMPLATES["trees"][1]["form_schema"]["fields"]
    with pytest.raises(NotFound) as caught:
        inventories.template_data("mushrooms")
    assert caught.value.code == "inventory.template_not_found"


def test_create_derives_an_ascii_slug_from_the_title(session):
    inventory = inventories.create(organiser(), settings(title="  Arbres   d'été à Antigone "))
    assert inventory.title == "Arbres d'été à Antigone"
    assert inventory.slug == "arbres-d-ete-a-antigone"


def test_create_accepts_department_licence_mode_and_several_geometry_types(session):
    department = factories.department()
    inventory = inventories.create(
        organiser(),
        settings(
            "heritage",
            department=department.slug,
            licence="lo-2.0",
            moderation_mode="post",
            geometry_types="Polygon,Point",
            generalise_m="2500",
        ),
    )
    assert inventory.department_id == department.id
    assert (inventory.licence, inventory.moderation_mode) == ("lo-2.0", "post")
    assert inventory.allowed_types == ("Point", "Polygon")
    assert inventory.generalise_m == 2500


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"title": "ab"}, "title", "Between 3 and 200 characters."),
        ({"title": "x" * 201}, "title", "Between 3 and 200 characters."),
        ({"slug": "Oiseaux des parcs"}, "slug", "Lower-case letters, digits and hyphens only."),
        ({"slug": "oiseaux--parcs"}, "slug", "Lower-case letters, digits and hyphens only."),
        ({"theme": "weather"}, "theme", "Choose a theme from the list."),
        ({"geometry_types": ["Point", "MultiPoint"]}, "geometry_types", "Choose points, lines"),
        ({"licence": "cc0"}, "licence", "Choose a value from the list."),
        ({"moderation_mode": "none"}, "moderation_mode", "Choose a value from the list."),
        ({"status": "published"}, "status", "Choose a value from the list."),
        ({"generalise_m": 99}, "generalise_m", "Between 100 and 50,000 metres."),
        ({"generalise_m": 50001}, "generalise_m", "Between 100 and 50,000 metres."),
        ({"generalise_m": "1 km"}, "generalise_m", "Between 100 and 50,000 metres."),
        ({"department": "nowhere"}, "department", "This department does not exist."),
        ({"form_schema": {"fields": [{"key": "Nom"}]}}, "form_schema", "Field 1: the key"),
    ],
)
def test_create_refuses_each_bad_setting_under_its_field(session, changes, field, expected):
    error = invalid(organiser(), settings(**changes))
    assert list(error.fields) == [field]
    assert messages(error, field)[0].startswith(expected)


def test_create_refuses_a_slug_another_inventory_uses(session):
    author = organiser()
    inventories.create(author, settings(slug="oiseaux"))
    error = invalid(author, settings(title="Autres oiseaux", slug="oiseaux"))
    assert messages(error, "slug") == ["Another inventory already uses this address."]


def test_create_reports_every_bad_setting_together(session):
    error = invalid(organiser(), settings(title="", licence="x", area=None, generalise_m=5))
    assert sorted(error.fields) == ["area", "generalise_m", "licence", "slug", "title"]


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (None, "Draw or upload the area of interest."),
        ("", "Draw or upload the area of interest."),
        ("{oops", "The area is not valid GeoJSON."),
        (factories.point(), "This inventory accepts: area."),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[3.86, 43.6], [3.87, 43.61], [3.87, 43.6], [3.86, 43.61], [3.86, 43.6]]
                ],
            },
            "The geometry is not valid: Self-intersection",
        ),
        (
            {"type": "FeatureCollection", "features": []},
            "Upload a GeoJSON with exactly one polygon or multipolygon.",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": square(3.85, 43.58, 3.86, 43.59)},
                    {"type": "Feature", "geometry": square(3.87, 43.58, 3.88, 43.59)},
                ],
            },
            "Upload a GeoJSON with exactly one polygon or multipolygon.",
        ),
        (
            {"type": "FeatureCollection", "features": ["not a feature"]},
            "Upload a GeoJSON with exactly one polygon or multipolygon.",
        ),
        ({"type": "Feature", "geometry": None}, "Give a GeoJSON geometry"),
    ],
)
def test_create_refuses_a_bad_area(session, area, expected):
    error = invalid(organiser(), settings(area=area))
    assert list(error.fields) == ["area"]
    assert messages(error, "area")[0].startswith(expected)


def test_create_accepts_a_feature_collection_holding_one_polygon(session):
    uploaded = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"nom": "Centre"},
                    "geometry": square(*MONTPELLIER),
                }
            ],
        }
    )
    inventory = inventories.create(organiser(), settings(area=uploaded))
    assert geo.from_db(fresh(inventory).area).equals(MultiPolygon([box(*MONTPELLIER)]))


@pytest.mark.parametrize("roles", [(), ("moderator",), ("data_steward",)])
def test_create_update_and_status_refuse_people_who_do_not_organise(session, roles):
    inventory = factories.inventory()
    department = factories.department().slug if "data_steward" in roles else None
    person = factories.user(roles=list(roles), department_slug=department)
    for call in (
        lambda actor: inventories.create(actor, settings()),
        lambda actor: inventories.update(actor, inventory.id, data_of(inventory, title="Pris")),
        lambda actor: inventories.set_status(actor, inventory.id, CLOSED),
    ):
        for actor in (person, AnonymousUserMixin(), None):
            with pytest.raises(PermissionDenied) as caught:
                call(actor)
            assert caught.value.code == "inventory.cannot_organise"
    assert count(Inventory) == 1
    assert (fresh(inventory).title, inventory.status) != ("Pris", CLOSED)


# --- who sees what -------------------------------------------------------------------------------


def test_get_visible_hides_drafts_from_everyone_but_organisers(session):
    draft = factories.inventory(status=DRAFT)
    for viewer in (factories.user(), AnonymousUserMixin(), None):
        for key in (draft.id, draft.slug):
            with pytest.raises(NotFound) as caught:
                inventories.get_visible(viewer, key)
            assert caught.value.code == "inventory.not_found"
    assert inventories.get_visible(organiser(), draft.slug) is draft
    assert inventories.get_visible(factories.user(roles=["admin"]), draft.id) is draft


def test_get_visible_shows_open_and_closed_inventories_to_anyone(session):
    for status in (OPEN, CLOSED):
        inventory = factories.inventory(status=status)
        assert inventories.get_visible(None, inventory.slug) is inventory
    with pytest.raises(NotFound):
        inventories.get_visible(None, "no-such-inventory")


def test_listed_puts_open_inventories_first_counts_published_features_and_hides_drafts(session):
    author = organiser()
    closed = factories.inventory(author, status=CLOSED, title="A fermé")
    draft = factories.inventory(author, status=DRAFT, title="B brouillon")
    post = factories.inventory(author, title="Z ouvert", moderation_mode="post")
    pre = factories.inventory(author, title="Y ouvert")
    factories.feature(post)
    factories.feature(post, geometry=factories.point(3.88, 43.61))
    factories.feature(pre)  # pending: not counted

    public = [(row[0].id, row[1]) for row in inventories.listed(factories.user())]
    assert public == [(pre.id, 0), (post.id, 2), (closed.id, 0)]
    staff = [row[0].id for row in inventories.listed(author)]
    assert staff == [pre.id, post.id, closed.id, draft.id]
    assert [row[0].id for row in inventories.listed(None, statuses=[CLOSED])] == [closed.id]


# --- editing -------------------------------------------------------------------------------------


def test_update_changes_settings_and_keeps_its_own_slug(session):
    author = organiser()
    inventory = factories.inventory(author)
    updated = inventories.update(author, inventory.id, data_of(inventory, title="Nouveau titre"))
    assert updated.title == "Nouveau titre" and updated.slug == inventory.slug
    assert count(Job, Job.name.like("%recompute_visibility")) == 0


def test_update_refuses_bad_settings_and_changes_nothing(session):
    author = organiser()
    inventory = factories.inventory(author)
    other = factories.inventory(author)
    error = invalid(author, data_of(inventory, title="x", slug=other.slug), inventory.id)
    assert sorted(error.fields) == ["slug", "title"]
    assert fresh(inventory).title.startswith("Inventaire")


def test_update_with_a_field_made_sensitive_generalises_existing_features(session):
    author = organiser()
    inventory = factories.inventory(author, generalise_m=1000)
    properties = {
        "scientific_name": "Bubo bubo",
        "observed_on": "2026-05-01",
        "count": 2,
        "notes": "Dans le platane derrière le n° 12",
    }
    owl = factories.feature(inventory, properties=properties, geometry=NEAR_CENTRE)
    plain = factories.feature(
        inventory,
        geometry=factories.point(3.88, 43.62),
        properties={"scientific_name": "Pica pica", "observed_on": "2026-05-01"},
    )
    assert not owl.is_sensitive and owl.public_properties["notes"]

    schema = json.loads(json.dumps(inventory.form_schema))
    next(f for f in schema["fields"] if f["key"] == "count")["sensitive"] = True
    inventories.update(author, inventory.id, data_of(inventory, form_schema=schema))

    [job] = db.session.query(Job).filter(Job.name.like("%recompute_visibility")).all()
    assert (job.status, job.result, job.created_by_id) == ("finished", {"features": 2}, author.id)
    owl, plain = fresh(owl), fresh(plain)
    assert owl.is_sensitive and not plain.is_sensitive
    expected = geo.generalise(geo.parse_geojson(NEAR_CENTRE), 1000)
    assert geo.from_db(owl.public_geom).equals_exact(expected, 1e-7)
    assert (owl.public_lon, owl.public_lat) == pytest.approx((expected.x, expected.y))
    assert "notes" not in owl.public_properties and owl.properties["notes"]
    assert geo.from_db(plain.public_geom).equals(geo.from_db(plain.geom))
    assert owl.revision == 1  # visibility is not an edit


def test_update_of_the_grid_size_moves_sensitive_public_points(session):
    author = organiser()
    inventory = factories.inventory(author, generalise_m=1000)
    properties = {
        "scientific_name": "Bubo bubo",
        "observed_on": "2026-05-01",
        "protection": "protected",
    }
    owl = factories.feature(inventory, properties=properties, geometry=NEAR_CENTRE)
    before = geo.from_db(owl.public_geom)

    inventories.update(author, inventory.id, data_of(inventory, generalise_m=5000))

    after = geo.from_db(fresh(owl).public_geom)
    assert after.equals_exact(geo.generalise(geo.parse_geojson(NEAR_CENTRE), 5000), 1e-7)
    assert not after.equals(before)


def test_recompute_job_does_nothing_for_a_deleted_inventory(session):
    from mapping import jobs

    assert jobs.recompute_visibility(10_000_000) == {"features": 0}
    assert count(Feature) == 0


def test_set_status_opens_and_closes_and_refuses_unknown_statuses(session):
    author = organiser()
    inventory = factories.inventory(author, status=DRAFT)
    assert inventories.set_status(author, inventory.id, OPEN).status == OPEN
    with pytest.raises(ValidationError) as caught:
        inventories.set_status(author, inventory.id, "deleted")
    assert caught.value.code == "inventory.invalid" and list(caught.value.fields) == ["status"]
    assert fresh(inventory).status == OPEN
    with pytest.raises(NotFound):
        inventories.set_status(author, 10_000_000, OPEN)
