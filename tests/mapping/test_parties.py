"""Mapping parties: creation on the shared registrations, validation, who manages them,
their task grid (split or drawn), validators, listings and the summary afterwards."""

from datetime import timedelta

import pytest
import shapely
from shapely.geometry import MultiPolygon, box

from mapping import geo
from mapping.models import PUBLISHED, MappingParty, PartyInventory, PartyValidator, Task
from mapping.services import features, parties, tasks
from tests import factories
from tests.mapping.helpers import admin, count, fresh, jpeg, messages, moderator, organiser
from webapp.db import utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.registrations.models import RegistrationList

pytestmark = pytest.mark.usefixtures("english")

PARTY_AREA = (3.87, 43.60, 3.89, 43.615)


def party_rows():
    return count(MappingParty), count(RegistrationList), count(PartyInventory), count(Task)


def refused(error_type, call, *args, **kwargs):
    before = party_rows()
    with pytest.raises(error_type) as caught:
        call(*args, **kwargs)
    assert party_rows() == before
    return caught.value


def party_data(inventory, **changes):
    starts = utcnow() + timedelta(days=7)
    data = {
        "title": "Cartopartie de l'Écusson",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "capacity": 10,
        "inventories": [inventory.id],
        "area": factories.square(*PARTY_AREA),
    }
    data.update(changes)
    return data


def task_shapes(party):
    return [geo.from_db(t.geom) for t in tasks.of_party(party)]


# --- creation ------------------------------------------------------------------------------------


def test_create_makes_a_mapping_party_registration_list_managed_by_the_organisers(session):
    author, helper = organiser(), organiser()
    inventory = factories.inventory(author)
    party = factories.party(author, [inventory], slug="antigone-2026", organisers=[helper])
    listing = party.registration_list
    assert (listing.kind, listing.page_url) == ("mapping_party", "/mapping/parties/antigone-2026")
    assert party.title == listing.title and listing.capacity == 10
    assert {m.user_id for m in listing.managers} == {author.id, helper.id}
    assert [i.id for i in fresh(party).inventories] == [inventory.id]
    assert geo.from_db(party.area).equals(MultiPolygon([box(*PARTY_AREA)]))
    assert (party.claim_minutes, party.created_by_id) == (60, author.id)


def test_create_derives_the_slug_from_the_title_and_accepts_no_area(session):
    party = factories.party(title="Cartopartie des Beaux-Arts", area=None, claim_minutes="90")
    assert party.slug == "cartopartie-des-beaux-arts"
    assert party.area is None and party.claim_minutes == 90


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"inventories": []}, "inventories", "Choose at least one inventory."),
        ({"inventories": ["x", 10_000_000]}, "inventories", "Choose at least one inventory."),
        ({"area": factories.point()}, "area", "This inventory accepts: area."),
        ({"area": "{nope"}, "area", "The geometry is not valid GeoJSON."),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [
                        [[3.86, 43.6], [3.87, 43.61], [3.87, 43.6], [3.86, 43.61], [3.86, 43.6]]
                    ],
                }
            },
            "area",
            "The geometry is not valid: Self-intersection",
        ),
        ({"claim_minutes": 4}, "claim_minutes", "Between 5 minutes and 24 hours."),
        ({"claim_minutes": 24 * 60 + 1}, "claim_minutes", "Between 5 minutes and 24 hours."),
        ({"claim_minutes": "une heure"}, "claim_minutes", "Between 5 minutes and 24 hours."),
        ({"slug": "Pas Bon"}, "slug", "Lower-case letters, digits and hyphens only."),
    ],
)
def test_create_refuses_each_bad_setting_and_creates_nothing(session, changes, field, expected):
    author = organiser()
    data = party_data(factories.inventory(author), **changes)
    error = refused(ValidationError, parties.create, author, data)
    assert error.code == "party.invalid" and list(error.fields) == [field]
    assert messages(error, field)[0].startswith(expected)


def test_create_refuses_a_slug_another_party_uses(session):
    author = organiser()
    inventory = factories.inventory(author)
    factories.party(author, [inventory], slug="antigone")
    error = refused(ValidationError, factories.party, author, [inventory], slug="antigone")
    assert messages(error, "slug") == ["Another mapping party already uses this address."]


def test_create_refuses_bad_event_settings_and_creates_nothing(session):
    author = organiser()
    inventory = factories.inventory(author)
    error = refused(ValidationError, factories.party, author, [inventory], capacity=0)
    assert error.code == "registration.list_invalid" and list(error.fields) == ["capacity"]


def test_create_is_refused_to_residents_and_moderators(session):
    inventory = factories.inventory()
    for person in (factories.user(), moderator()):
        error = refused(PermissionDenied, factories.party, person, [inventory])
        assert error.code == "party.cannot_organise"


# --- editing -------------------------------------------------------------------------------------


def test_update_changes_inventories_area_and_claim_length(session):
    author = organiser()
    first, second = factories.inventory(author), factories.inventory(author)
    party = factories.party(author, [first])
    parties.update(
        author,
        party.id,
        {"inventories": [second.id, first.id], "area": None, "claim_minutes": 30},
    )
    party = fresh(party)
    assert {i.id for i in party.inventories} == {first.id, second.id}
    assert party.area is None and party.claim_minutes == 30


def test_update_is_refused_to_organisers_who_do_not_manage_the_party(session):
    party = factories.party()
    data = {"inventories": [i.id for i in party.inventories], "claim_minutes": 30}
    for person in (organiser(), factories.user(), moderator()):
        error = refused(PermissionDenied, parties.update, person, party.id, data)
        assert error.code == "party.cannot_manage"
    assert parties.update(admin(), party.id, data).claim_minutes == 30


def test_update_refuses_bad_settings_and_changes_nothing(session):
    author = organiser()
    party = factories.party(author)
    error = refused(ValidationError, parties.update, author, party.id, {"inventories": []})
    assert list(error.fields) == ["inventories"]
    assert len(fresh(party).inventories) == 1


def test_get_and_by_slug_refuse_unknown_parties(session):
    party = factories.party(slug="ecusson")
    assert parties.by_slug("ecusson") is party and parties.get(party.id) is party
    for call, key in ((parties.get, 10_000_000), (parties.by_slug, "nowhere")):
        with pytest.raises(NotFound) as caught:
            call(key)
        assert caught.value.code == "party.not_found"


# --- task grid -----------------------------------------------------------------------------------


def test_split_grid_covers_the_area_with_numbered_cells_inside_it(session):
    author = organiser()
    party = factories.party(author)
    cells = parties.split_grid(author, party.id, "500")
    shapes = task_shapes(party)
    assert len(shapes) == len(cells) == len(geo.grid(box(*PARTY_AREA), 500))
    assert [t.number for t in tasks.of_party(party)] == list(range(1, len(cells) + 1))
    area = geo.from_db(party.area).buffer(1e-7)
    assert all(area.covers(s) for s in shapes)
    assert shapely.union_all(shapes).area == pytest.approx(box(*PARTY_AREA).area, rel=1e-6)


def test_split_grid_replaces_untouched_cells(session):
    author = organiser()
    party = factories.party(author)
    parties.split_grid(author, party.id, 500)
    parties.split_grid(author, party.id, 1000)
    assert count(Task) == len(geo.grid(box(*PARTY_AREA), 1000))


def test_split_grid_is_refused_once_a_cell_is_claimed_or_done(session):
    author = organiser()
    party = factories.party(author)
    parties.split_grid(author, party.id, 500)
    first = tasks.of_party(party)[0]
    tasks.claim(author, first.id)
    numbers = [t.id for t in tasks.of_party(party)]
    error = refused(Conflict, parties.split_grid, author, party.id, 1000)
    assert error.code == "party.tasks_started"
    assert [t.id for t in tasks.of_party(party)] == numbers


@pytest.mark.parametrize("cell_m", [49, 5001, "grand", None])
def test_split_grid_refuses_cell_sizes_out_of_bounds(session, cell_m):
    author = organiser()
    party = factories.party(author)
    error = refused(ValidationError, parties.split_grid, author, party.id, cell_m)
    assert error.code == "party.cell_size" and list(error.fields) == ["cell_m"]


def test_split_grid_refuses_more_than_four_hundred_cells(session):
    author = organiser()
    party = factories.party(author, area=factories.square(3.80, 43.55, 3.95, 43.70))
    error = refused(ValidationError, parties.split_grid, author, party.id, 50)
    assert messages(error, "cell_m") == [
        "This would make more than 400 cells; choose bigger cells."
    ]


def test_split_grid_needs_an_area_and_a_manager(session):
    author = organiser()
    party = factories.party(author, area=None)
    error = refused(ValidationError, parties.split_grid, author, party.id, 500)
    assert error.code == "party.no_area"
    error = refused(PermissionDenied, parties.split_grid, factories.user(), party.id, 500)
    assert error.code == "party.cannot_manage"


def test_add_tasks_numbers_drawn_cells_after_the_existing_ones(session):
    author = organiser()
    party = factories.party(author)
    parties.split_grid(author, party.id, 1000)
    existing = count(Task)
    drawn = [factories.square(3.871, 43.601, 3.872, 43.602), factories.square(*PARTY_AREA)]
    parties.add_tasks(author, party.id, drawn)
    assert [t.number for t in tasks.of_party(party)][-2:] == [existing + 1, existing + 2]


@pytest.mark.parametrize(
    ("drawn", "expected"),
    [
        ([factories.square(3.88, 43.61, 3.90, 43.62)], "inside the inventory's area"),
        ([factories.point(3.88, 43.61)], "This inventory accepts: area."),
    ],
)
def test_add_tasks_refuses_cells_outside_the_area_or_not_polygons(session, drawn, expected):
    author = organiser()
    party = factories.party(author)
    ok = factories.square(3.871, 43.601, 3.872, 43.602)
    error = refused(ValidationError, parties.add_tasks, author, party.id, [ok, *drawn])
    assert expected in messages(error, "tasks")[0]


def test_add_tasks_refuses_nothing_drawn(session):
    author = organiser()
    party = factories.party(author)
    error = refused(ValidationError, parties.add_tasks, author, party.id, [])
    assert error.code == "party.no_tasks"


# --- validators ----------------------------------------------------------------------------------


def test_set_validators_names_replaces_and_keeps_validators(session):
    author = organiser()
    party = factories.party(author)
    ana, bea, chloe = factories.user(), factories.user(), factories.user()
    parties.set_validators(author, party.id, [ana.id, bea.id])
    parties.set_validators(author, party.id, [bea.id, chloe.id])
    assert {v.user_id for v in fresh(party).validators} == {bea.id, chloe.id}
    assert count(PartyValidator) == 2
    parties.set_validators(author, party.id, [])
    assert count(PartyValidator) == 0


def test_set_validators_is_refused_to_people_who_do_not_manage_the_party(session):
    party = factories.party()
    with pytest.raises(PermissionDenied):
        parties.set_validators(factories.user(), party.id, [factories.user().id])
    assert count(PartyValidator) == 0


# --- listings and summary ------------------------------------------------------------------------


def test_listed_separates_upcoming_and_past_parties(session):
    author = organiser()
    inventory = factories.inventory(author)
    later = factories.party(author, [inventory], starts_in=timedelta(days=20))
    soon = factories.party(author, [inventory], starts_in=timedelta(days=2))
    past = factories.party(author, [inventory], starts_in=timedelta(days=2))
    past.registration_list.starts_at -= timedelta(days=30)
    past.registration_list.ends_at -= timedelta(days=30)
    assert [p.id for p in parties.listed()] == [soon.id, later.id]
    assert [p.id for p in parties.listed(upcoming=False)] == [past.id]
    assert parties.is_past(past) and not parties.is_past(soon)


def test_summary_counts_contributors_features_cells_and_public_photos(session):
    author = organiser()
    inventory = factories.inventory(author, moderation_mode="post")
    party = factories.party(author, [inventory])
    parties.split_grid(author, party.id, 1000)
    ana, bea = factories.user(), factories.user()
    plain = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
    owl = {**plain, "scientific_name": "Bubo bubo", "protection": "protected"}

    def add(person, properties, lon, photo=True):
        return features.create(
            person,
            inventory.id,
            factories.point(lon, 43.61),
            properties,
            photos={"photo": jpeg()} if photo else None,
            party_id=party.id,
        )

    shown = add(ana, plain, 3.871)
    add(ana, owl, 3.872)
    removed = add(ana, plain, 3.873)
    add(bea, plain, 3.874, photo=False)
    factories.feature(inventory, properties=plain)  # not during the party
    features.remove(ana, removed.id)
    tasks.claim(author, tasks.of_party(party)[0].id)

    summary = parties.summary(party)
    assert [(user.id, n) for user, n in summary["contributors"]] == [(ana.id, 3), (bea.id, 1)]
    assert summary["by_type"] == {"Point": 4}
    assert summary["by_status"] == {PUBLISHED: 3, "removed": 1}
    assert summary["total"] == 4
    assert summary["tasks"]["claimed"] == 1
    assert [p.feature_id for p in summary["photos"]] == [shown.id]
