"""The moderation pipeline: submit, claim, decide (with optimistic concurrency), resubmit,
withdraw, flag. Every change of status is an audit event."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from crowdsourcing import registry
from crowdsourcing.models import (
    APPROVED,
    CHANGES_REQUESTED,
    DUPLICATE,
    FLAG_REASONS,
    PENDING,
    REJECTED,
    WITHDRAWN,
    Flag,
    ModerationSettings,
    RejectReason,
    Submission,
    SubmissionEvent,
)
from webapp import search
from webapp.accounts import policies
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications import services as notifications

ACTIONS = {
    "approve": APPROVED,
    "reject": REJECTED,
    "request_changes": CHANGES_REQUESTED,
    "duplicate": DUPLICATE,
}
NOTE_MAX = 2000


def settings():
    return db.session.get(ModerationSettings, 1) or ModerationSettings(
        id=1, flag_threshold=3, claim_minutes=30
    )


def _event(submission, actor, action, from_status, to_status, note=None):
    db.session.add(
        SubmissionEvent(
            submission_id=submission.id,
            actor_id=getattr(actor, "id", None),
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


def submit(kind, object_id, title, submitter, department_id=None, context=None):
    """Put an object in the pipeline; domain services call this inside their unit of work."""
    if kind not in registry.KINDS:
        raise ValueError(f"unknown submission kind {kind!r}")
    submission = Submission(
        kind=kind,
        object_id=object_id,
        title=(title or "")[:200],
        submitter_id=submitter.id,
        status=PENDING,
        department_id=department_id,
        context=context,
    )
    db.session.add(submission)
    db.session.flush()
    _event(submission, submitter, "submitted", None, PENDING)
    return submission


def _get(submission_id, lock=False):
    query = select(Submission).where(Submission.id == submission_id)
    if lock:
        query = query.with_for_update()
    submission = db.session.scalar(query.execution_options(populate_existing=True))
    if submission is None:
        raise NotFound("submission.not_found")
    return submission


def _claimed_by_other(submission, actor):
    return (
        submission.claimed_by_id not in (None, actor.id)
        and submission.claimed_until is not None
        and submission.claimed_until > utcnow()
    )


def claim(actor, submission_id):
    """Reserve an item for a while so two moderators do not review it together."""
    policies.require(actor, "moderation.decide")
    with unit_of_work():
        submission = _get(submission_id, lock=True)
        if _claimed_by_other(submission, actor):
            raise Conflict(
                "submission.claimed", message=_l("Another moderator is reviewing this item.")
            )
        submission.claimed_by_id = actor.id
        submission.claimed_until = utcnow() + timedelta(minutes=settings().claim_minutes)
        _event(submission, actor, "claimed", submission.status, submission.status)
    return submission


def release(actor, submission_id):
    policies.require(actor, "moderation.decide")
    with unit_of_work():
        submission = _get(submission_id, lock=True)
        if submission.claimed_by_id == actor.id:
            submission.claimed_by_id = submission.claimed_until = None
            _event(submission, actor, "released", submission.status, submission.status)
    return submission


def _check_decision(submission, actor, action, reason_id, note, duplicate_of_id):
    if action not in ACTIONS:
        raise ValidationError(
            "submission.action_unknown", fields={"action": [_l("Unknown decision.")]}
        )
    reviewing_hidden = submission.status == APPROVED and submission.hidden
    if submission.status != PENDING and not reviewing_hidden:
        raise Conflict(
            "submission.already_decided",
            message=_l("This item was already decided by someone else."),
        )
    if _claimed_by_other(submission, actor):
        raise Conflict(
            "submission.claimed", message=_l("Another moderator is reviewing this item.")
        )
    if note and len(note) > NOTE_MAX:
        raise ValidationError(
            "submission.note_too_long",
            fields={"note": [_l("At most %(n)d characters.", n=NOTE_MAX)]},
        )
    reason = None
    if action == "reject":
        reason = db.session.get(RejectReason, reason_id) if reason_id else None
        if reason_id and (reason is None or not reason.active):
            raise ValidationError(
                "submission.reason_unknown", fields={"reason": [_l("Unknown reason.")]}
            )
        if reason is None and not note:
            raise ValidationError(
                "submission.reason_required",
                fields={"reason": [_l("Give a reason, from the list or in your own words.")]},
            )
    if action == "request_changes" and not note:
        raise ValidationError(
            "submission.comment_required", fields={"note": [_l("Say what should change.")]}
        )
    if action == "duplicate":
        other = db.session.get(Submission, duplicate_of_id) if duplicate_of_id else None
        if other is None or other.id == submission.id:
            raise ValidationError(
                "submission.duplicate_unknown",
                fields={"duplicate_of": [_l("Give the number of another item.")]},
            )
    return reason


def decide(actor, submission_id, version, action, reason_id=None, note=None, duplicate_of_id=None):
    """Settle an item. `version` is the one the moderator saw: if the item changed since,
    nothing is written and a Conflict explains it."""
    policies.require(actor, "moderation.decide")
    note = (note or "").strip() or None
    try:
        with unit_of_work():
            submission = _get(submission_id)
            if version is not None and submission.version != version:
                raise Conflict(
                    "submission.changed",
                    message=_l(
                        "Another moderator changed this item in the meantime. Nothing was overwritten: reload to see their decision."
                    ),
                )
            reason = _check_decision(submission, actor, action, reason_id, note, duplicate_of_id)
            _apply(submission, actor, action, reason, note, duplicate_of_id)
            db.session.flush()
    except StaleDataError:
        raise Conflict(
            "submission.changed",
            message=_l(
                "Another moderator changed this item in the meantime. Nothing was overwritten: reload to see their decision."
            ),
        ) from None
    return submission


def _apply(submission, actor, action, reason, note, duplicate_of_id, notify=True, obj=None):
    before = submission.status
    submission.status = ACTIONS[action]
    submission.decided_at, submission.decided_by_id = utcnow(), actor.id
    submission.reason_id = reason.id if reason else None
    submission.decision_note = note
    submission.duplicate_of_id = duplicate_of_id if action == "duplicate" else None
    submission.claimed_by_id = submission.claimed_until = None
    if submission.hidden:
        submission.hidden = action != "approve"
        submission.flag_count = 0
        for flag in db.session.scalars(
            select(Flag).where(Flag.submission_id == submission.id, Flag.resolved_at.is_(None))
        ):
            flag.resolved_at = utcnow()
    _event(submission, actor, action, before, submission.status, note)
    kind = registry.KINDS.get(submission.kind)
    if kind and obj is None:
        obj = kind.load(submission.object_id)
    if kind and obj is not None:
        (kind.on_approve if action == "approve" else kind.on_reject)(obj, submission)
    search.refresh(submission.kind, submission.object_id)
    if notify:
        _notify_submitter(submission, action, reason, note)


def _notify_submitter(submission, action, reason, note):
    submitter = submission.submitter
    if submitter is None or submitter.erased_at is not None:
        return
    params = {"title": submission.title, "note": note or ""}
    if reason is not None:
        params.update(reason_fr=reason.text_fr, reason_en=reason.text_en)
    else:
        params.update(reason_fr=note or "", reason_en=note or "")
    notifications.notify(submitter, f"submission.{action}", params, link="/my/contributions")


BULK_CHUNK = 500


def bulk_decide(actor, items, action, reason_id=None, note=None):
    """Approve or reject a selection with one reason, chunk by chunk. Each (id, version) is
    checked on its own: a conflict on one leaves the others done. Each submitter gets one
    notification for all their items instead of one per item."""
    policies.require(actor, "moderation.decide")
    if action not in ("approve", "reject"):
        raise ValidationError(
            "submission.bulk_action",
            fields={"action": [_l("Only approve or reject apply to a selection.")]},
        )
    note = (note or "").strip() or None
    reason = _check_bulk_reason(action, reason_id, note)
    done, refused, decided = [], [], {}
    for start in range(0, len(items), BULK_CHUNK):
        chunk = items[start : start + BULK_CHUNK]
        try:
            with unit_of_work():
                settled = _decide_chunk(actor, chunk, action, reason, note, refused)
                db.session.flush()
        except StaleDataError:
            # Someone decided one of these meanwhile: settle this chunk one item at a time.
            settled = _decide_one_by_one(actor, chunk, action, reason, note, refused)
        for submission in settled:
            done.append(submission.id)
            decided.setdefault(submission.submitter_id, []).append(submission.title)
    _notify_bulk(decided, action, reason, note)
    return done, refused


def _check_bulk_reason(action, reason_id, note):
    if note and len(note) > NOTE_MAX:
        raise ValidationError(
            "submission.note_too_long",
            fields={"note": [_l("At most %(n)d characters.", n=NOTE_MAX)]},
        )
    if action != "reject":
        return None
    reason = db.session.get(RejectReason, reason_id) if reason_id else None
    if reason_id and (reason is None or not reason.active):
        raise ValidationError(
            "submission.reason_unknown", fields={"reason": [_l("Unknown reason.")]}
        )
    if reason is None and not note:
        raise ValidationError(
            "submission.reason_required",
            fields={"reason": [_l("Give a reason, from the list or in your own words.")]},
        )
    return reason


def _decide_chunk(actor, chunk, action, reason, note, refused):
    ids = [submission_id for submission_id, _version in chunk]
    rows = {
        s.id: s
        for s in db.session.scalars(
            select(Submission)
            .where(Submission.id.in_(ids))
            .order_by(Submission.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    objects = _load_objects(rows.values())
    settled = []
    for submission_id, version in chunk:
        submission = rows.get(submission_id)
        problem = _bulk_problem(submission, version, actor)
        if problem:
            refused.append((submission_id, problem))
            continue
        _apply(
            submission,
            actor,
            action,
            reason,
            note,
            None,
            notify=False,
            obj=objects.get((submission.kind, submission.object_id)),
        )
        settled.append(submission)
    return settled


def _decide_one_by_one(actor, chunk, action, reason, note, refused):
    settled = []
    for submission_id, version in chunk:
        try:
            with unit_of_work():
                settled += _decide_chunk(
                    actor, [(submission_id, version)], action, reason, note, refused
                )
                db.session.flush()
        except StaleDataError:
            refused.append((submission_id, "submission.changed"))
    return settled


def _bulk_problem(submission, version, actor):
    if submission is None:
        return "submission.not_found"
    if version is not None and submission.version != version:
        return "submission.changed"
    reviewing_hidden = submission.status == APPROVED and submission.hidden
    if submission.status != PENDING and not reviewing_hidden:
        return "submission.already_decided"
    if _claimed_by_other(submission, actor):
        return "submission.claimed"
    return None


def objects_of(submissions):
    """{(kind, object_id): object} for many submissions, one query per kind where it can."""
    return _load_objects(submissions)


def _load_objects(submissions):
    """The domain objects of many submissions, with one query per kind where the kind can."""
    by_kind = {}
    for submission in submissions:
        by_kind.setdefault(submission.kind, []).append(submission.object_id)
    objects = {}
    for name, object_ids in by_kind.items():
        kind = registry.KINDS.get(name)
        if kind is None:
            continue
        loaded = kind.load_many(object_ids)
        objects.update({(name, object_id): obj for object_id, obj in loaded.items()})
    return objects


def _notify_bulk(decided, action, reason, note):
    from webapp.accounts.models import User

    if not decided:
        return
    with unit_of_work():
        users = db.session.scalars(select(User).where(User.id.in_([u for u in decided if u])))
        for user in users:
            if user.erased_at is not None:
                continue
            titles = decided[user.id]
            if len(titles) == 1:
                params = {"title": titles[0], "note": note or ""}
                if reason is not None:
                    params.update(reason_fr=reason.text_fr, reason_en=reason.text_en)
                else:
                    params.update(reason_fr=note or "", reason_en=note or "")
                notifications.notify(user, f"submission.{action}", params, link="/my/contributions")
                continue
            params = {"count": len(titles), "note": note or ""}
            if reason is not None:
                params.update(reason_fr=reason.text_fr, reason_en=reason.text_en)
            else:
                params.update(reason_fr=note or "", reason_en=note or "")
            notifications.notify(
                user, f"submission.bulk_{action}", params, link="/my/contributions"
            )


def _own(actor, submission_id):
    submission = _get(submission_id, lock=True)
    if submission.submitter_id != actor.id:
        raise PermissionDenied("submission.not_yours")
    return submission


def resubmit(actor, submission_id, note=None):
    """After changes were requested and made, the contributor puts the item back in the queue."""
    with unit_of_work():
        submission = _own(actor, submission_id)
        if submission.status != CHANGES_REQUESTED:
            raise Conflict(
                "submission.not_awaiting_changes",
                message=_l("No change was requested on this contribution."),
            )
        _event(submission, actor, "resubmitted", submission.status, PENDING, note)
        submission.status, submission.decided_at, submission.decided_by_id = PENDING, None, None
        # The history keeps the request for changes; the item itself waits afresh.
        submission.reason_id = submission.decision_note = None
    return submission


def withdraw(actor, submission_id):
    """The contributor withdraws an item that is not decided yet; it stays in the history."""
    with unit_of_work():
        submission = _own(actor, submission_id)
        if submission.status not in (PENDING, CHANGES_REQUESTED):
            raise Conflict(
                "submission.not_withdrawable",
                message=_l("Only contributions waiting for a decision can be withdrawn."),
            )
        _event(submission, actor, "withdrawn", submission.status, WITHDRAWN)
        submission.status = WITHDRAWN
    return submission


def is_reportable(submission):
    """Published items can be reported; post-moderated ones already while they await review."""
    kind = registry.KINDS.get(submission.kind)
    if submission.status == APPROVED:
        return True
    if kind is None or submission.status != PENDING:
        return False
    obj = kind.load(submission.object_id) if callable(kind.post_moderated) else None
    return kind.shown_while_pending(obj)


def flag(actor, submission_id, reason, note=None):
    """A member reports a published item; at the admins' threshold it is hidden for review."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("flag.login_required")
    if reason not in FLAG_REASONS:
        raise ValidationError("flag.reason_unknown", fields={"reason": [_l("Choose a reason.")]})
    note = (note or "").strip()[:1000] or None
    with unit_of_work():
        submission = _get(submission_id, lock=True)
        if not is_reportable(submission):
            # Someone else's unpublished item is not there for a stranger, not even as an id.
            if submission.submitter_id != actor.id and not policies.can(actor, "moderation.decide"):
                raise NotFound("submission.not_found")
            raise Conflict(
                "flag.not_published", message=_l("Only published items can be reported.")
            )
        # Resolved flags count too: the table allows one flag per member and item.
        exists = db.session.scalar(
            select(Flag).where(Flag.submission_id == submission.id, Flag.user_id == actor.id)
        )
        if exists is not None:
            raise Conflict("flag.already", message=_l("You already reported this item."))
        db.session.add(
            Flag(submission_id=submission.id, user_id=actor.id, reason=reason, note=note)
        )
        submission.flag_count += 1
        if not submission.hidden and submission.flag_count >= settings().flag_threshold:
            submission.hidden = True
            _event(submission, None, "hidden", submission.status, submission.status, reason)
            kind = registry.KINDS.get(submission.kind)
            obj = kind.load(submission.object_id) if kind else None
            if kind and obj is not None:
                kind.on_hide(obj, submission)
            search.refresh(submission.kind, submission.object_id)
    return submission


def hint_duplicate(submission_id, other_id):
    """Record that a job found a likely duplicate; moderators filter the inbox on it."""
    if submission_id == other_id:
        return None
    with unit_of_work():
        submission = _get(submission_id)
        if submission.duplicate_hint_id is None:
            submission.duplicate_hint_id = other_id
    return submission


# --- admins ----------------------------------------------------------------------------------


def save_reason(actor, code, text_fr, text_en, active=True, reason_id=None):
    """Add or edit a rejection reason (French and English)."""
    policies.require(actor, "moderation.configure")
    code = (code or "").strip().lower()
    errors = {}
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        errors["code"] = [_l("Letters, digits, hyphens and underscores only.")]
    for field, value in (("text_fr", text_fr), ("text_en", text_en)):
        if not 3 <= len((value or "").strip()) <= 300:
            errors[field] = [_l("Between 3 and 300 characters.")]
    if errors:
        raise ValidationError("reason.invalid", fields=errors)
    with unit_of_work():
        reason = db.session.get(RejectReason, reason_id) if reason_id else RejectReason()
        if reason is None:
            raise NotFound("reason.not_found")
        clash = db.session.scalar(select(RejectReason).where(RejectReason.code == code))
        if clash is not None and clash.id != reason.id:
            raise ValidationError(
                "reason.code_taken", fields={"code": [_l("This identifier is already used.")]}
            )
        reason.code, reason.text_fr, reason.text_en = code, text_fr.strip(), text_en.strip()
        reason.active = bool(active)
        db.session.add(reason)
    return reason


def save_settings(actor, flag_threshold, claim_minutes):
    policies.require(actor, "moderation.configure")
    errors = {}
    if flag_threshold is None or not 1 <= flag_threshold <= 100:
        errors["flag_threshold"] = [_l("Between 1 and 100.")]
    if claim_minutes is None or not 1 <= claim_minutes <= 24 * 60:
        errors["claim_minutes"] = [_l("Between 1 and 1440 minutes.")]
    if errors:
        raise ValidationError("moderation.settings_invalid", fields=errors)
    with unit_of_work():
        row = db.session.get(ModerationSettings, 1) or ModerationSettings(id=1)
        row.flag_threshold, row.claim_minutes = flag_threshold, claim_minutes
        db.session.add(row)
    return row


notifications.register_kind(
    "submission.approve", _l("Your contribution “%(title)s” is accepted. Thank you!")
)
notifications.register_kind(
    "submission.reject", _l("Your contribution “%(title)s” was not accepted: %(reason)s")
)
notifications.register_kind(
    "submission.request_changes", _l("Changes are asked on your contribution “%(title)s”: %(note)s")
)
notifications.register_kind(
    "submission.bulk_approve", _l("%(count)d of your contributions are accepted. Thank you!")
)
notifications.register_kind(
    "submission.bulk_reject", _l("%(count)d of your contributions were not accepted: %(reason)s")
)
notifications.register_kind(
    "submission.duplicate",
    _l("Your contribution “%(title)s” duplicates another one, which is kept."),
)
