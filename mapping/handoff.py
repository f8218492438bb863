"""The one place where map features enter the moderation pipeline and where its decisions
come back: a new feature is a `feature` submission; an edit of a published feature by its
author is a `feature_edit` submission whose object is the revision.
"""

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
from webapp.db import utcnow
from webapp.extensions import db

FEATURE, FEATURE_EDIT, INVENTORY = "feature", "feature_edit", "inventory"


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


def submit_inventory(inventory, actor):
    """Offer a whole inventory as a candidate open dataset: moderators route it into the
    backlog from the inbox like any submission, and the backlog item links back to it."""
    return moderation.submit(
        INVENTORY,
        inventory.id,
        inventory.title,
        actor,
        department_id=inventory.department_id,
        context=context_of(inventory),
    )


def inventory_submission(inventory):
    return db.session.scalar(
        select(Submission).where(Submission.kind == INVENTORY, Submission.object_id == inventory.id)
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


def _load_features(feature_ids):
    rows = db.session.scalars(select(Feature).where(Feature.id.in_(feature_ids)))
    return {feature.id: feature for feature in rows}


# A removed feature stays removed whatever a late decision or report says: only a
# moderator's revert brings it back.


def _on_approve(feature, submission):
    if feature.status in (FEATURE_PENDING, HIDDEN, FEATURE_CHANGES, REJECTED):
        feature.status = PUBLISHED
        # A change of visibility is a change: live maps polling by time pick it up.
        feature.updated_at = utcnow()


def _on_reject(feature, submission):
    if feature.status == REMOVED:
        return
    if submission.status == CHANGES_REQUESTED:
        feature.status = FEATURE_CHANGES
    elif submission.status != PENDING:
        feature.status = REJECTED
    feature.updated_at = utcnow()


def _on_hide(feature, submission):
    if feature.status != REMOVED:
        feature.status = HIDDEN
        feature.updated_at = utcnow()


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


def _geometry(obj):
    """The exact geometry of a feature or revision, for the moderators' item page."""
    from mapping import geo

    return geo.to_geojson(geo.from_db(obj.geom))


def _shown_while_pending(feature):
    return feature.inventory.moderation_mode == POST


FEATURE_KIND = registry.SubmissionKind(
    name=FEATURE,
    label=_l("Map feature"),
    load=_load_feature,
    load_objects=_load_features,
    preview=_preview,
    url=lambda feature: f"/mapping/features/{feature.id}",
    on_approve=_on_approve,
    on_reject=_on_reject,
    on_hide=_on_hide,
    post_moderated=_shown_while_pending,
    preview_geojson=_geometry,
)
FEATURE_EDIT_KIND = registry.SubmissionKind(
    name=FEATURE_EDIT,
    label=_l("Map feature edit"),
    load=_load_revision,
    load_objects=registry.by_ids(FeatureRevision),
    preview=_preview_edit,
    url=lambda revision: f"/mapping/features/{revision.feature_id}/history",
    on_reject=_on_reject_edit,
    on_hide=_on_hide_edit,
    post_moderated=True,
    preview_geojson=_geometry,
)


def _load_inventory(inventory_id):
    from mapping.models import Inventory

    return db.session.get(Inventory, inventory_id)


def _preview_inventory(inventory):
    from sqlalchemy import func

    count = db.session.scalar(
        select(func.count(Feature.id)).where(
            Feature.inventory_id == inventory.id, Feature.status == PUBLISHED
        )
    )
    text = str(
        _l("%(n)d public features, licence %(licence)s.", n=count, licence=inventory.licence)
    )
    return f"{text} {inventory.description or ''}"[:500]


INVENTORY_KIND = registry.SubmissionKind(
    name=INVENTORY,
    label=_l("Inventory offered as a dataset"),
    load=_load_inventory,
    preview=_preview_inventory,
    url=lambda inventory: f"/mapping/inventories/{inventory.slug}",
)


def _inventory_contexts():
    from mapping.models import ARCHIVED, Inventory

    rows = db.session.execute(
        select(Inventory.id, Inventory.title)
        .where(Inventory.status != ARCHIVED)
        .order_by(Inventory.title)
    ).all()
    return [(f"inventory:{row.id}", row.title) for row in rows]


def register():
    registry.register_context_provider(_inventory_contexts)
    registry.register_kind(INVENTORY_KIND)
    registry.register_kind(FEATURE_KIND)
    registry.register_kind(FEATURE_EDIT_KIND)
