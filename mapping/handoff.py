"""The one place where map features enter the moderation pipeline and where its decisions
come back: a new feature is a `feature` submission; an edit of a published feature by its
author is a `feature_edit` submission whose object is the revision.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crowdsourcing import registry
from crowdsourcing.models import CHANGES_REQUESTED, PENDING, Submission
from crowdsourcing.services import moderation
from mapping.models import CHANGES_REQUESTED as FEATURE_CHANGES
from mapping.models import (
    HIDDEN,
    POST,
    PUBLISHED,
    REJECTED,
    REMOVED,
    Feature,
    FeatureRevision,
)
from mapping.models import PENDING as FEATURE_PENDING
from webapp.accounts.models import User
from webapp.extensions import db

FEATURE, FEATURE_EDIT = "feature", "feature_edit"


def context_of(inventory):
    return f"inventory:{inventory.id}"


def title_of(feature):
    from mapping.services import features as feature_services

    return feature_services.title(feature)


def submit_new(feature, actor):
    """Queue a new feature; in post-moderation it is already public."""
    inventory = feature.inventory
    return moderation.submit(
        FEATURE,
        feature.id,
        title_of(feature),
        actor,
        department_id=inventory.department_id,
        context=context_of(inventory),
    )


def submit_edit(revision, feature, actor):
    """Queue an author's edit of a published feature; it is applied at once, reviewed after."""
    return moderation.submit(
        FEATURE_EDIT,
        revision.id,
        title_of(feature),
        actor,
        department_id=feature.inventory.department_id,
        context=context_of(feature.inventory),
    )


def submission_of(feature):
    return db.session.scalar(
        select(Submission).where(Submission.kind == FEATURE, Submission.object_id == feature.id)
    )


def pending_edits(feature):
    """Edits of this feature still waiting for review."""
    revision_ids = select(FeatureRevision.id).where(FeatureRevision.feature_id == feature.id)
    return db.session.scalars(
        select(Submission).where(
            Submission.kind == FEATURE_EDIT,
            Submission.object_id.in_(revision_ids),
            Submission.status == PENDING,
        )
    ).all()


def after_author_edit(feature, actor):
    """An author fixed a feature moderators asked changes on: it waits again."""
    submission = submission_of(feature)
    if submission is not None and submission.status == CHANGES_REQUESTED:
        moderation.resubmit(actor, submission.id)
        feature.status = PUBLISHED if feature.inventory.moderation_mode == POST else FEATURE_PENDING


def withdraw(feature, actor):
    """The author removes a feature: their waiting submissions (the feature's and their
    edits') are withdrawn, not left to rot."""
    submission = submission_of(feature)
    waiting = submission is not None and submission.status in (PENDING, CHANGES_REQUESTED)
    if waiting and submission.submitter_id == actor.id:
        moderation.withdraw(actor, submission.id)
    for edit in pending_edits(feature):
        if edit.submitter_id == actor.id:
            moderation.withdraw(actor, edit.id)


def mark_duplicate_hint(feature, other):
    """Point the feature's submission at the other's, for the inbox filter."""
    mine, theirs = submission_of(feature), submission_of(other)
    if mine is not None and theirs is not None and mine.duplicate_hint_id is None:
        moderation.hint_duplicate(mine.id, theirs.id)


# --- what decisions do to features --------------------------------------------------------------


def _load_feature(feature_id):
    return db.session.get(Feature, feature_id)


# A removed feature stays removed whatever a late decision or report says: only a
# moderator's revert brings it back.


def _on_approve(feature, submission):
    if feature.status in (FEATURE_PENDING, HIDDEN, FEATURE_CHANGES, REJECTED):
        feature.status = PUBLISHED


def _on_reject(feature, submission):
    if feature.status == REMOVED:
        return
    if submission.status == CHANGES_REQUESTED:
        feature.status = FEATURE_CHANGES
    elif submission.status != PENDING:
        feature.status = REJECTED


def _on_hide(feature, submission):
    if feature.status != REMOVED:
        feature.status = HIDDEN


def _load_revision(revision_id):
    return db.session.get(FeatureRevision, revision_id)


def _on_reject_edit(revision, submission):
    """A refused edit is undone: the feature goes back to the revision before it."""
    from mapping.services import features as feature_services

    feature = db.session.get(Feature, revision.feature_id)
    if feature is None or feature.status == REMOVED or revision.number < 2:
        return
    # A report may hide the edit: then nobody decided, and the revert has no actor.
    actor = db.session.get(User, submission.decided_by_id) if submission.decided_by_id else None
    feature_services.restore(actor, feature, revision.number - 1, note=f"#{submission.id}")


def _on_hide_edit(revision, submission):
    _on_reject_edit(revision, submission)


def _preview(feature):
    from mapping.services import features as feature_services

    return feature_services.summary(feature)


def _preview_edit(revision):
    changed = ", ".join(revision.changed or []) or "—"
    return str(_l("Edit %(n)d: %(changed)s", n=revision.number, changed=changed))


def _shown_while_pending(feature):
    return feature.inventory.moderation_mode == POST


FEATURE_KIND = registry.SubmissionKind(
    name=FEATURE,
    label=_l("Map feature"),
    load=_load_feature,
    preview=_preview,
    url=lambda feature: url_for("mapping.feature", feature_id=feature.id),
    on_approve=_on_approve,
    on_reject=_on_reject,
    on_hide=_on_hide,
    post_moderated=_shown_while_pending,
)
FEATURE_EDIT_KIND = registry.SubmissionKind(
    name=FEATURE_EDIT,
    label=_l("Map feature edit"),
    load=_load_revision,
    preview=_preview_edit,
    url=lambda revision: url_for("mapping.history", feature_id=revision.feature_id),
    on_reject=_on_reject_edit,
    on_hide=_on_hide_edit,
    post_moderated=True,
)


def register():
    registry.register_kind(FEATURE_KIND)
    registry.register_kind(FEATURE_EDIT_KIND)
