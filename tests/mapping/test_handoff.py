"""Features in the moderation pipeline: what approving, rejecting, asking for changes,
marking a duplicate, reviewing an author's edit and reporting do to a feature."""

import pytest
from sqlalchemy import select

from crowdsourcing import registry
from crowdsourcing.models import APPROVED, CHANGES_REQUESTED, DUPLICATE, WITHDRAWN, Submission
from crowdsourcing.models import PENDING as SUBMISSION_PENDING
from crowdsourcing.services import moderation
from mapping import handoff
from mapping.models import CHANGES_REQUESTED as FEATURE_CHANGES
from mapping.models import HIDDEN, PENDING, PUBLISHED, REMOVED, FeatureRevision
from mapping.models import REJECTED as FEATURE_REJECTED
from mapping.services import features
from tests import factories
from tests.mapping.helpers import admin, count, fresh, moderator
from webapp.errors import Conflict
from webapp.extensions import db

pytestmark = pytest.mark.usefixtures("english")

OAK = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
PINE = {"scientific_name": "Pinus pinea", "observed_on": "2026-05-02"}


def decide(submission, action, **kwargs):
    submission = fresh(submission)
    if action in ("reject", "request_changes") and "note" not in kwargs:
        kwargs["note"] = "Merci de préciser"
    return moderation.decide(moderator(), submission.id, submission.version, action, **kwargs)


def pending_feature(author=None, mode="pre", **kwargs):
    return factories.feature(factories.inventory(moderation_mode=mode), author, **kwargs)


def published_feature(author=None, **kwargs):
    feature = pending_feature(author, **kwargs)
    decide(handoff.submission_of(feature), "approve")
    return fresh(feature)


def edit_submissions(feature):
    revision_ids = select(FeatureRevision.id).where(FeatureRevision.feature_id == feature.id)
    return db.session.scalars(
        select(Submission)
        .where(Submission.kind == "feature_edit", Submission.object_id.in_(revision_ids))
        .order_by(Submission.id)
    ).all()


def set_flag_threshold(threshold):
    moderation.save_settings(admin(), threshold, 30)


# --- decisions on a new feature ------------------------------------------------------------------


def test_approving_a_pending_feature_publishes_it(session):
    feature = pending_feature()
    decide(handoff.submission_of(feature), "approve")
    assert fresh(feature).status == PUBLISHED


def test_rejecting_a_feature_marks_it_rejected_and_hides_it(session):
    author = factories.user()
    feature = pending_feature(author, mode="post")
    decide(handoff.submission_of(feature), "reject")
    assert fresh(feature).status == FEATURE_REJECTED
    assert features.get_visible(author, feature.id).status == FEATURE_REJECTED


def test_marking_a_feature_a_duplicate_rejects_it(session):
    kept = pending_feature()
    copy = factories.feature(kept.inventory, geometry=factories.point(3.88, 43.62))
    submission = handoff.submission_of(copy)
    decide(submission, "duplicate", duplicate_of_id=handoff.submission_of(kept).id)
    assert fresh(submission).status == DUPLICATE
    assert fresh(copy).status == FEATURE_REJECTED and fresh(kept).status == PENDING


@pytest.mark.parametrize(("mode", "after_fix"), [("pre", PENDING), ("post", PUBLISHED)])
def test_changes_requested_then_an_author_edit_puts_the_feature_back_in_review(
    session, mode, after_fix
):
    author = factories.user()
    feature = pending_feature(author, mode=mode)
    submission = handoff.submission_of(feature)
    decide(submission, "request_changes", note="Précisez l'espèce")
    assert fresh(feature).status == FEATURE_CHANGES
    features.update(author, feature.id, 1, properties=PINE)
    assert fresh(feature).status == after_fix
    submission = fresh(submission)
    assert (submission.status, submission.title) == (SUBMISSION_PENDING, "Pinus pinea")
    assert edit_submissions(feature) == []


def test_a_moderator_s_edit_does_not_resubmit_a_feature_awaiting_changes(session):
    feature = pending_feature()
    submission = handoff.submission_of(feature)
    decide(submission, "request_changes")
    features.update(moderator(), feature.id, 1, properties=PINE)
    assert fresh(submission).status == CHANGES_REQUESTED
    assert fresh(feature).status == FEATURE_CHANGES


# --- an author's edit of a published feature -----------------------------------------------------


def test_an_author_s_edit_of_a_published_feature_applies_at_once_and_is_queued(session):
    author = factories.user()
    feature = published_feature(author)
    features.update(author, feature.id, 1, properties=PINE)
    feature = fresh(feature)
    assert (feature.status, feature.properties) == (PUBLISHED, PINE)
    [edit] = edit_submissions(feature)
    revision = db.session.get(FeatureRevision, edit.object_id)
    assert (revision.feature_id, revision.number) == (feature.id, 2)
    assert (edit.status, edit.submitter_id, edit.title) == (
        SUBMISSION_PENDING,
        author.id,
        "Pinus pinea",
    )
    assert edit.context == f"inventory:{feature.inventory_id}"
    assert moderation.is_reportable(edit)
    assert registry.KINDS["feature_edit"].preview(revision) == (
        "Edit 2: observed_on, scientific_name"
    )


def test_a_moderator_s_edit_of_a_published_feature_is_not_queued(session):
    feature = published_feature()
    features.update(moderator(), feature.id, 1, properties=PINE)
    assert edit_submissions(feature) == []


def test_rejecting_an_edit_reverts_the_feature_as_a_new_revision(session):
    author = factories.user()
    feature = published_feature(author)
    features.update(author, feature.id, 1, properties=PINE)
    [edit] = edit_submissions(feature)
    decision = decide(edit, "reject", note="Espèce fausse")
    feature = fresh(feature)
    assert (feature.status, feature.properties, feature.revision) == (PUBLISHED, OAK, 3)
    last = db.session.scalar(
        select(FeatureRevision).where(
            FeatureRevision.feature_id == feature.id, FeatureRevision.number == 3
        )
    )
    assert (last.action, last.actor_id, last.note) == (
        "revert",
        decision.decided_by_id,
        f"#{edit.id}",
    )
    assert count(FeatureRevision, FeatureRevision.feature_id == feature.id) == 3


def test_reports_hiding_an_edit_revert_it_without_a_deciding_moderator(session):
    set_flag_threshold(1)
    author = factories.user()
    feature = published_feature(author)
    features.update(author, feature.id, 1, properties=PINE)
    [edit] = edit_submissions(feature)
    moderation.flag(factories.user(), edit.id, "abusive")
    feature = fresh(feature)
    assert (feature.properties, feature.revision, feature.status) == (OAK, 3, PUBLISHED)
    last = db.session.scalar(
        select(FeatureRevision).where(
            FeatureRevision.feature_id == feature.id, FeatureRevision.number == 3
        )
    )
    assert (last.action, last.actor_id) == ("revert", None)


def test_approving_an_edit_keeps_it(session):
    author = factories.user()
    feature = published_feature(author)
    features.update(author, feature.id, 1, properties=PINE)
    [edit] = edit_submissions(feature)
    decide(edit, "approve")
    assert fresh(edit).status == APPROVED
    assert (fresh(feature).properties, fresh(feature).revision) == (PINE, 2)


def test_removing_a_feature_withdraws_its_author_s_pending_edits(session):
    author = factories.user()
    feature = published_feature(author)
    features.update(author, feature.id, 1, properties=PINE)
    features.remove(author, feature.id)
    assert [e.status for e in edit_submissions(feature)] == [WITHDRAWN]


def test_rejecting_an_edit_of_a_feature_a_moderator_removed_leaves_it_removed(session):
    author = factories.user()
    feature = published_feature(author)
    features.update(author, feature.id, 1, properties=PINE)
    [edit] = edit_submissions(feature)
    features.remove(moderator(), feature.id)
    decide(edit, "reject")
    assert fresh(feature).status == REMOVED
    assert fresh(feature).properties == PINE


# --- decisions arriving after a removal ----------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject", "request_changes"])
def test_a_decision_on_a_feature_a_moderator_removed_leaves_it_removed(session, action):
    feature = pending_feature()
    features.remove(moderator(), feature.id)
    decide(handoff.submission_of(feature), action)
    assert fresh(feature).status == REMOVED


def test_hiding_a_removed_feature_leaves_it_removed(session):
    set_flag_threshold(1)
    feature = pending_feature(mode="post")
    features.remove(moderator(), feature.id)
    features.report(moderator(), feature.id, "spam")
    assert fresh(feature).status == REMOVED


# --- reports -------------------------------------------------------------------------------------


def test_report_flags_the_submission_of_the_feature(session):
    feature = published_feature()
    submission = features.report(
        factories.user(), feature.id, "wrong", note="Ce n'est pas un chêne"
    )
    assert submission.id == handoff.submission_of(feature).id
    assert (submission.flag_count, submission.hidden) == (1, False)
    assert fresh(feature).status == PUBLISHED


def test_reports_at_the_threshold_hide_the_feature_until_a_moderator_decides(session):
    set_flag_threshold(2)
    feature = published_feature()
    features.report(factories.user(), feature.id, "spam")
    features.report(factories.user(), feature.id, "abusive")
    assert fresh(feature).status == HIDDEN
    submission = fresh(handoff.submission_of(feature))
    assert submission.hidden and submission.status == APPROVED
    decide(submission, "approve")
    assert fresh(feature).status == PUBLISHED


def test_a_hidden_feature_rejected_on_review_stays_off_the_map(session):
    set_flag_threshold(1)
    feature = published_feature()
    features.report(factories.user(), feature.id, "personal_data")
    decide(handoff.submission_of(feature), "reject")
    assert fresh(feature).status == FEATURE_REJECTED


def test_a_post_moderated_feature_can_be_reported_and_hidden_while_pending(session):
    set_flag_threshold(1)
    feature = pending_feature(mode="post")
    features.report(factories.user(), feature.id, "spam")
    assert fresh(feature).status == HIDDEN
    decide(handoff.submission_of(feature), "approve")
    assert fresh(feature).status == PUBLISHED


def test_report_of_a_pre_moderated_pending_feature_is_refused(session):
    author = factories.user()
    feature = pending_feature(author)
    with pytest.raises(Conflict) as caught:
        features.report(author, feature.id, "spam")
    assert caught.value.code == "flag.not_published"
    assert handoff.submission_of(feature).flag_count == 0


def test_report_twice_by_one_member_is_refused(session):
    feature = published_feature()
    member = factories.user()
    features.report(member, feature.id, "spam")
    with pytest.raises(Conflict) as caught:
        features.report(member, feature.id, "wrong")
    assert caught.value.code == "flag.already"
    assert fresh(handoff.submission_of(feature)).flag_count == 1


def test_preview_of_a_feature_in_the_inbox_lists_its_attributes(session):
    feature = pending_feature()
    kind = registry.KINDS["feature"]
    assert kind.load(feature.id) is feature
    assert (
        kind.preview(feature) == "Nom scientifique: Quercus ilex · Date d'observation: 2026-05-01"
    )
    assert kind.load(10_000_000) is None
