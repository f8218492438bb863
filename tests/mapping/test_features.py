"""Features: adding them, editing at a known revision, removing, reverting, the history,
and confirmations. Decisions of the moderation pipeline are in test_handoff."""

import pytest
from flask_login import AnonymousUserMixin
from shapely.geometry import Point
from sqlalchemy import select

from crowdsourcing import queries as inbox_queries
from crowdsourcing.models import PENDING as SUBMISSION_PENDING
from crowdsourcing.models import WITHDRAWN, Submission
from crowdsourcing.services import moderation
from mapping import geo, handoff
from mapping.models import (
    CLOSED,
    DRAFT,
    PENDING,
    PUBLISHED,
    REMOVED,
    Feature,
    FeatureRevision,
    Photo,
)
from mapping.services import features
from tests import factories
from tests.mapping.helpers import count, fresh, jpeg, messages, moderator, organiser
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.models import Job

pytestmark = pytest.mark.usefixtures("english")

OAK = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
PINE = {"scientific_name": "Pinus pinea", "observed_on": "2026-05-02", "count": 3}


def rows():
    """How many features, revisions, submissions and photos exist: unchanged after a refusal."""
    return count(Feature), count(FeatureRevision), count(Submission), count(Photo)


def revisions_of(feature):
    return db.session.scalars(
        select(FeatureRevision)
        .where(FeatureRevision.feature_id == feature.id)
        .order_by(FeatureRevision.number)
    ).all()


def refused(error_type, call, *args, **kwargs):
    before = rows()
    with pytest.raises(error_type) as caught:
        call(*args, **kwargs)
    assert rows() == before
    return caught.value


# --- create --------------------------------------------------------------------------------------


def test_create_in_pre_moderation_waits_in_the_inbox_of_the_inventory(session):
    inventory = factories.inventory()
    author = factories.user()
    feature = features.create(
        author, inventory.id, factories.point(3.876712345, 43.61081234), {**OAK, "count": "2"}
    )
    assert (feature.status, feature.revision, feature.created_by_id) == (PENDING, 1, author.id)
    assert feature.properties == {**OAK, "count": 2}
    assert geo.from_db(fresh(feature).geom).equals_exact(Point(3.8767123, 43.6108123), 1e-9)
    [revision] = revisions_of(feature)
    assert (revision.number, revision.action, revision.actor_id) == (1, "create", author.id)
    assert revision.changed == ["count", "observed_on", "scientific_name", "geometry"]

    submission = handoff.submission_of(feature)
    assert (submission.kind, submission.object_id) == ("feature", feature.id)
    assert (submission.status, submission.submitter_id) == (SUBMISSION_PENDING, author.id)
    assert submission.title == "Quercus ilex"
    assert submission.context == f"inventory:{inventory.id}"
    waiting, _ = inbox_queries.inbox({"context": f"inventory:{inventory.id}"})
    assert [s.id for s in waiting] == [submission.id]
    assert not moderation.is_reportable(submission)


def test_create_in_post_moderation_is_published_and_reportable_while_pending(session):
    inventory = factories.inventory(moderation_mode="post")
    feature = factories.feature(inventory)
    submission = handoff.submission_of(feature)
    assert feature.status == PUBLISHED and submission.status == SUBMISSION_PENDING
    assert moderation.is_reportable(submission)


def test_create_records_the_department_and_the_party_and_looks_for_duplicates(session):
    author = organiser()
    department = factories.department()
    inventory = factories.inventory(author, department=department.slug)
    party = factories.party(author, [inventory])
    feature = factories.feature(inventory, party_id=party.id)
    assert feature.party_id == party.id
    assert handoff.submission_of(feature).department_id == department.id
    [job] = db.session.scalars(select(Job).where(Job.name.like("%find_duplicates"))).all()
    assert (job.args, job.status) == ([feature.id], "finished")


@pytest.mark.parametrize("status", [DRAFT, CLOSED, "archived"])
def test_create_refuses_an_inventory_that_is_not_open(session, status):
    inventory = factories.inventory(status=status)
    error = refused(PermissionDenied, factories.feature, inventory)
    assert error.code == "feature.cannot_contribute"


@pytest.mark.parametrize("actor", [None, AnonymousUserMixin()])
def test_create_refuses_visitors_who_are_not_logged_in(session, actor):
    inventory = factories.inventory()
    error = refused(PermissionDenied, features.create, actor, inventory.id, factories.point(), OAK)
    assert error.code == "feature.cannot_contribute"


def test_create_refuses_an_unknown_inventory(session):
    error = refused(NotFound, features.create, factories.user(), 10_000_000, factories.point(), OAK)
    assert error.code == "inventory.not_found"


def test_create_reports_geometry_attribute_and_photo_errors_together(session):
    inventory = factories.inventory()
    error = refused(
        ValidationError,
        features.create,
        factories.user(),
        inventory.id,
        factories.point(2.35, 48.85),
        {"scientific_name": "", "count": "beaucoup", "colour": "vert"},
        photos={"photo": b"not an image", "sketch": jpeg()},
    )
    assert error.code == "feature.invalid"
    assert sorted(error.fields) == [
        "colour",
        "count",
        "geometry",
        "observed_on",
        "photo",
        "scientific_name",
        "sketch",
    ]
    assert messages(error, "sketch") == ["This inventory has no photo field sketch."]
    assert messages(error, "geometry") == ["The geometry must lie inside the inventory's area."]


def test_create_refuses_a_line_where_only_points_are_accepted(session):
    inventory = factories.inventory()
    line = {"type": "LineString", "coordinates": [[3.87, 43.61], [3.88, 43.61]]}
    error = refused(ValidationError, factories.feature, inventory, geometry=line)
    assert messages(error, "geometry") == ["This inventory accepts: point."]


def test_create_refuses_a_party_that_does_not_use_the_inventory(session):
    author = organiser()
    inventory, other = factories.inventory(author), factories.inventory(author)
    party = factories.party(author, [other])
    for party_id in (party.id, 10_000_000):
        error = refused(ValidationError, factories.feature, inventory, party_id=party_id)
        assert error.code == "feature.party_invalid" and list(error.fields) == ["party"]


# --- update --------------------------------------------------------------------------------------


def test_update_by_the_author_makes_a_revision_with_what_changed(session):
    inventory = factories.inventory()
    author = factories.user()
    feature = factories.feature(inventory, author)
    updated = features.update(
        author, feature.id, 1, factories.point(3.88, 43.61), PINE, note="  Mauvaise espèce "
    )
    assert updated.revision == 2 and updated.properties == PINE
    assert updated.updated_by_id == author.id
    first, second = revisions_of(feature)
    assert (first.properties, second.properties) == (OAK, PINE)
    assert (second.action, second.note, second.actor_id) == ("update", "Mauvaise espèce", author.id)
    assert second.changed == ["count", "observed_on", "scientific_name", "geometry"]
    assert handoff.submission_of(feature).title == "Pinus pinea"


def test_update_keeps_the_geometry_or_the_attributes_left_out(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    features.update(author, feature.id, 1, properties=PINE)
    assert geo.from_db(fresh(feature).geom).equals(Point(3.8767, 43.6108))
    features.update(author, feature.id, 2, geometry=factories.point(3.88, 43.62))
    assert fresh(feature).properties == PINE
    assert [r.changed for r in revisions_of(feature)][1:] == [
        ["count", "observed_on", "scientific_name"],
        ["geometry"],
    ]


def test_update_without_a_change_makes_no_revision(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    assert features.update(author, feature.id, 1, factories.point(), dict(OAK)).revision == 1
    assert len(revisions_of(feature)) == 1


def test_update_at_a_stale_revision_is_a_conflict_and_changes_nothing(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    features.update(author, feature.id, 1, properties=PINE)
    error = refused(Conflict, features.update, author, feature.id, 1, properties=OAK)
    assert error.code == "feature.stale"
    assert fresh(feature).properties == PINE and fresh(feature).revision == 2


def test_update_refuses_invalid_values_and_changes_nothing(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    error = refused(
        ValidationError,
        features.update,
        author,
        feature.id,
        1,
        factories.point(2.35, 48.85),
        {**OAK, "count": -1},
    )
    assert sorted(error.fields) == ["count", "geometry"]
    assert fresh(feature).revision == 1 and fresh(feature).properties == OAK


def test_update_is_refused_to_other_members_and_visitors(session):
    feature = factories.feature(factories.inventory())
    for actor in (factories.user(), AnonymousUserMixin(), None):
        error = refused(PermissionDenied, features.update, actor, feature.id, 1, properties=PINE)
        assert error.code == "feature.cannot_edit"


def test_update_is_allowed_to_moderators_and_organisers(session):
    feature = factories.feature(factories.inventory())
    features.update(moderator(), feature.id, 1, properties=PINE)
    features.update(organiser(), feature.id, 2, properties=OAK)
    assert fresh(feature).revision == 3
    assert handoff.submission_of(feature).status == SUBMISSION_PENDING


def test_update_by_the_author_is_refused_once_the_inventory_is_closed(session):
    author, staff = factories.user(), organiser()
    inventory = factories.inventory(staff)
    feature = factories.feature(inventory, author)
    inventory.status = CLOSED
    error = refused(PermissionDenied, features.update, author, feature.id, 1, properties=PINE)
    assert error.code == "feature.cannot_edit"
    assert features.update(staff, feature.id, 1, properties=PINE).revision == 2


def test_update_of_an_unknown_feature_is_not_found(session):
    error = refused(NotFound, features.update, moderator(), 10_000_000, 1, properties=PINE)
    assert error.code == "feature.not_found"


# --- remove --------------------------------------------------------------------------------------


def test_remove_by_the_author_keeps_the_feature_and_withdraws_its_submission(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    removed = features.remove(author, feature.id, note="Doublon")
    assert (removed.status, removed.revision) == (REMOVED, 2)
    assert count(Feature) == 1
    last = revisions_of(feature)[-1]
    assert (last.action, last.status, last.note) == ("remove", REMOVED, "Doublon")
    assert handoff.submission_of(feature).status == WITHDRAWN


def test_remove_twice_or_by_another_member_is_refused(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    error = refused(PermissionDenied, features.remove, factories.user(), feature.id)
    assert error.code == "feature.cannot_edit"
    features.remove(author, feature.id)
    error = refused(PermissionDenied, features.remove, author, feature.id)
    assert error.code == "feature.cannot_edit"


def test_remove_by_a_moderator_leaves_the_submission_for_the_inbox(session):
    feature = factories.feature(factories.inventory())
    features.remove(moderator(), feature.id)
    assert fresh(feature).status == REMOVED
    assert handoff.submission_of(feature).status == SUBMISSION_PENDING


def test_removed_feature_is_hidden_from_its_author_but_not_from_moderators(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    features.remove(author, feature.id)
    with pytest.raises(NotFound):
        features.get_visible(author, feature.id)
    assert features.get_visible(moderator(), feature.id).status == REMOVED


# --- revert and history --------------------------------------------------------------------------


def test_revert_by_a_moderator_restores_any_revision_as_a_new_one(session):
    author, staff = factories.user(), moderator()
    feature = factories.feature(factories.inventory(), author)
    features.update(author, feature.id, 1, factories.point(3.88, 43.62), PINE)
    features.update(author, feature.id, 2, properties={**PINE, "count": 7})
    reverted = features.revert(staff, feature.id, 1, note="Vandalisme")
    assert reverted.revision == 4 and reverted.properties == OAK
    assert geo.from_db(fresh(feature).geom).equals(Point(3.8767, 43.6108))
    last = revisions_of(feature)[-1]
    assert (last.action, last.actor_id, last.note) == ("revert", staff.id, "Vandalisme")
    assert last.changed == ["count", "observed_on", "scientific_name", "geometry"]
    features.revert(staff, feature.id, 3)
    assert fresh(feature).properties == {**PINE, "count": 7}
    assert revisions_of(feature)[-1].note == "r3"


def test_revert_is_refused_to_residents_even_the_author(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    features.update(author, feature.id, 1, properties=PINE)
    for actor in (author, factories.user()):
        error = refused(PermissionDenied, features.revert, actor, feature.id, 1)
        assert error.code == "feature.cannot_revert"
    assert fresh(feature).properties == PINE


def test_revert_to_the_current_or_an_unknown_revision_is_refused(session):
    staff = moderator()
    feature = factories.feature(factories.inventory())
    error = refused(Conflict, features.revert, staff, feature.id, 1)
    assert error.code == "feature.same_revision"
    error = refused(NotFound, features.revert, staff, feature.id, 5)
    assert error.code == "feature.revision_not_found"


def test_revert_of_a_removed_feature_brings_it_back(session):
    author, staff = factories.user(), moderator()
    feature = factories.feature(factories.inventory(moderation_mode="post"), author)
    features.remove(staff, feature.id)
    assert features.revert(staff, feature.id, 1).status == PUBLISHED


def test_history_lists_revisions_newest_first_to_those_who_may_see_the_feature(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    features.update(author, feature.id, 1, properties=PINE)
    features.remove(author, feature.id)
    shown, revisions = features.history(moderator(), feature.id)
    assert shown.id == feature.id
    assert [(r.number, r.action) for r in revisions] == [
        (3, "remove"),
        (2, "update"),
        (1, "create"),
    ]
    for viewer in (author, factories.user(), None):
        with pytest.raises(NotFound):
            features.history(viewer, feature.id)


def test_pending_feature_is_visible_to_its_author_and_staff_only(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    assert features.get_visible(author, feature.id) is feature
    assert features.get_visible(moderator(), feature.id) is feature
    for viewer in (factories.user(), None):
        with pytest.raises(NotFound) as caught:
            features.get_visible(viewer, feature.id)
        assert caught.value.code == "feature.not_found"


def test_published_feature_of_a_draft_inventory_is_hidden_from_the_public(session):
    staff = organiser()
    inventory = factories.inventory(staff, moderation_mode="post")
    feature = factories.feature(inventory)
    inventory.status = DRAFT
    with pytest.raises(NotFound):
        features.get_visible(factories.user(), feature.id)
    assert features.get_visible(staff, feature.id) is feature


# --- titles and summaries ------------------------------------------------------------------------


def test_title_is_the_key_attribute_else_the_kind_of_geometry_and_id(session):
    feature = factories.feature(
        factories.inventory(template="heritage"), properties={"heritage_type": "wash_house"}
    )
    assert features.title(feature) == "Lavoir"
    feature.properties = {}
    assert features.title(feature) == f"Point #{feature.id}"


def test_summary_lists_filled_attributes_with_french_labels(session):
    feature = factories.feature(factories.inventory(), properties={**OAK, "protection": "none"})
    assert features.summary(feature) == (
        "Nom scientifique: Quercus ilex · Statut de protection: Non protégée"
        " · Date d'observation: 2026-05-01"
    )
