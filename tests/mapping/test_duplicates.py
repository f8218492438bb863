"""Likely duplicates: the job run after each contribution hints at a near, similar feature
of the same inventory, and moderators find those hints in their inbox."""

import pytest
from sqlalchemy import delete, select

from crowdsourcing import queries as inbox_queries
from mapping import handoff
from mapping.models import DuplicateHint
from mapping.services import duplicates, features
from tests import factories
from tests.mapping.helpers import count, moderator
from webapp.extensions import db

LON, LAT = 3.8767, 43.6108
METRE_LAT = 1 / 111_320


def oak(name="Quercus ilex"):
    return {"scientific_name": name, "observed_on": "2026-05-01"}


def at(metres_north, metres_east=0.0):
    lon = LON + metres_east * METRE_LAT / 0.7236  # cos(43.61°)
    return factories.point(lon, LAT + metres_north * METRE_LAT)


@pytest.fixture
def inventory(session):
    return factories.inventory()


def db_hints():
    return db.session.scalars(select(DuplicateHint).order_by(DuplicateHint.id)).all()


def hints():
    return [(h.feature_id, h.other_id) for h in db_hints()]


def test_a_similar_feature_a_few_metres_away_gets_a_hint_and_its_submission_too(inventory):
    first = factories.feature(inventory, geometry=at(0), properties=oak())
    second = factories.feature(inventory, geometry=at(8, 6), properties=oak())
    [hint] = db_hints()
    assert (hint.feature_id, hint.other_id) == (second.id, first.id)
    assert hint.distance_m == pytest.approx(10, abs=0.2)
    mine, theirs = handoff.submission_of(second), handoff.submission_of(first)
    assert mine.duplicate_hint_id == theirs.id and theirs.duplicate_hint_id is None
    waiting, _ = inbox_queries.inbox({"duplicate_hint": True})
    assert [s.id for s in waiting] == [mine.id]


def test_a_slightly_different_spelling_of_the_key_attribute_still_counts(inventory):
    factories.feature(inventory, geometry=at(0), properties=oak("Quercus ilex"))
    factories.feature(inventory, geometry=at(3), properties=oak(" quercus  ilex"))
    factories.feature(inventory, geometry=at(-3), properties=oak("Quercus ilx"))
    assert len(hints()) == 3


def test_a_feature_further_than_fifteen_metres_gets_no_hint(inventory):
    factories.feature(inventory, geometry=at(0), properties=oak())
    factories.feature(inventory, geometry=at(16), properties=oak())
    factories.feature(inventory, geometry=at(0, 16), properties=oak())
    assert hints() == []


def test_a_feature_with_a_different_key_attribute_gets_no_hint(inventory):
    factories.feature(inventory, geometry=at(0), properties=oak("Quercus ilex"))
    factories.feature(inventory, geometry=at(1), properties=oak("Pinus pinea"))
    assert hints() == []


def test_features_of_another_inventory_or_taken_off_the_map_are_not_duplicates(inventory):
    other = factories.inventory()
    factories.feature(other, geometry=at(0), properties=oak())
    author = factories.user()
    removed = factories.feature(inventory, author, geometry=at(1), properties=oak())
    features.remove(author, removed.id)
    factories.feature(inventory, geometry=at(2), properties=oak())
    assert hints() == []


def test_finding_duplicates_twice_records_nothing_more(inventory):
    first = factories.feature(inventory, geometry=at(0), properties=oak())
    second = factories.feature(inventory, geometry=at(2), properties=oak())
    assert duplicates.find(second.id) == 0
    assert hints() == [(second.id, first.id)]


def test_an_edit_moving_a_feature_next_to_a_similar_one_is_hinted(inventory):
    first = factories.feature(inventory, geometry=at(0), properties=oak())
    author = factories.user()
    second = factories.feature(inventory, author, geometry=at(200), properties=oak())
    assert hints() == []
    features.update(author, second.id, 1, geometry=at(5))
    assert hints() == [(second.id, first.id)]


def test_the_first_hint_stays_on_the_submission_when_more_are_found(inventory):
    first = factories.feature(inventory, geometry=at(0), properties=oak())
    second = factories.feature(inventory, geometry=at(4), properties=oak())
    third = factories.feature(inventory, geometry=at(2), properties=oak())
    assert sorted(hints()) == sorted(
        [(second.id, first.id), (third.id, first.id), (third.id, second.id)]
    )
    assert handoff.submission_of(third).duplicate_hint_id == handoff.submission_of(first).id


def test_finding_duplicates_of_a_gone_or_removed_feature_does_nothing(inventory):
    assert duplicates.find(10_000_000) == 0
    factories.feature(inventory, geometry=at(0), properties=oak())
    second = factories.feature(inventory, geometry=at(2), properties=oak())
    db.session.execute(delete(DuplicateHint))
    features.remove(moderator(), second.id)
    assert duplicates.find(second.id) == 0
    assert count(DuplicateHint) == 0
