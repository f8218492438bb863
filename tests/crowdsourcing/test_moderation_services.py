"""The moderation pipeline at the service level: dataset requests, decisions and their audit
trail, claims, resubmission, bulk decisions, flags, the inbox, and personal data."""

import itertools
import json
import os
import zipfile
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import event, func, select, update

from crowdsourcing import queries, registry
from crowdsourcing.models import (
    APPROVED,
    CHANGES_REQUESTED,
    DUPLICATE,
    PENDING,
    REJECTED,
    WITHDRAWN,
    DatasetRequest,
    Flag,
    ModerationSettings,
    Submission,
    SubmissionEvent,
)
from crowdsourcing.services import moderation
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from webapp.accounts.models import User
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications import services as notifications
from webapp.notifications.models import Notification
from webapp.privacy import services as privacy

_seq = itertools.count(1)
REQUEST = {
    "title": "Arbres d'alignement",
    "description": "Inventaire des arbres d'alignement, avec essence et âge.",
}
DECISIONS = ("approve", "reject", "request_changes", "duplicate")
TEST_KIND = "test_note"


# --- helpers (the API and concurrency tests use them too) --------------------------------------


def request_data(**overrides):
    return {**REQUEST, **overrides}


def dataset_request(requester=None, **data):
    """A pending dataset request and its submission."""
    requester = requester or factories.user()
    request = dataset_requests.create(requester, request_data(**data))
    return request, dataset_requests.submission_of(request)


def moderator(**kwargs):
    return factories.user(roles=["moderator"], **kwargs)


def admin():
    return factories.user(roles=["admin"])


def reject_reason(text_fr="Hors du champ de la plateforme", text_en="Out of scope", active=True):
    return moderation.save_reason(admin(), f"reason-{next(_seq)}", text_fr, text_en, active)


def published(requester=None, **data):
    """An approved (public) dataset request and its submission."""
    request, submission = dataset_request(requester, **data)
    moderation.decide(moderator(), submission.id, submission.version, "approve")
    return request, submission


def events_of(submission_id):
    return db.session.scalars(
        select(SubmissionEvent)
        .where(SubmissionEvent.submission_id == submission_id)
        .order_by(SubmissionEvent.id)
    ).all()


def actions_of(submission_id):
    return [e.action for e in events_of(submission_id)]


def notifications_of(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(submission):
    db.session.expire_all()
    return db.session.get(Submission, submission.id)


def set_flag_threshold(threshold):
    moderation.save_settings(admin(), threshold, 30)


NOTE_KIND = registry.SubmissionKind(
    name=TEST_KIND, label="Note", load=lambda object_id: None, preview=lambda obj: ""
)


@pytest.fixture
def note_kind():
    """A second kind of submission, as another package would register it."""
    yield registry.register_kind(NOTE_KIND)
    registry.KINDS.pop(TEST_KIND, None)


def notes(count, submitter=None, **kwargs):
    """Submit `count` items of the test kind in one unit of work; return their ids."""
    submitter = submitter or factories.user()
    with unit_of_work():
        ids = [
            moderation.submit(TEST_KIND, 10_000 + next(_seq), f"Note {i}", submitter, **kwargs).id
            for i in range(count)
        ]
    return ids


def set_created_at(ids, stamp):
    db.session.execute(update(Submission).where(Submission.id.in_(ids)).values(created_at=stamp))
    db.session.commit()


# --- dataset requests ----------------------------------------------------------------------------


def test_create_records_a_request_and_a_pending_submission_with_a_submitted_event(session):
    department = factories.department()
    requester = factories.user()

    request = dataset_requests.create(
        requester,
        request_data(
            title="  Arbres   d'alignement ",
            intended_use="Carte de l'ombre en été",
            wished_format="GeoJSON",
            department=department.slug,
        ),
    )

    assert request.id is not None and request.requester_id == requester.id
    assert request.title == "Arbres d'alignement"
    assert request.department_id == department.id
    submission = dataset_requests.submission_of(request)
    assert (submission.kind, submission.object_id) == ("dataset_request", request.id)
    assert submission.status == PENDING
    assert submission.submitter_id == requester.id
    assert submission.department_id == department.id
    assert submission.title == request.title
    [submitted] = events_of(submission.id)
    assert (submitted.action, submitted.actor_id) == ("submitted", requester.id)
    assert (submitted.from_status, submitted.to_status) == (None, PENDING)
    assert not dataset_requests.is_public(request)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": "Arbr"}, {"title"}),
        ({"title": "  a   b  "}, {"title"}),
        ({"description": "x" * 9}, {"description"}),
        ({"title": "x" * 201}, {"title"}),
        ({"description": "x" * 4001}, {"description"}),
        ({"reason": "x" * 4001, "intended_use": "x" * 4001}, {"reason", "intended_use"}),
        ({"wished_format": "x" * 81}, {"wished_format"}),
        ({"department": "no-such-department"}, {"department"}),
        (
            {"title": "", "description": "", "department": "nope"},
            {"title", "description", "department"},
        ),
    ],
)
def test_create_refuses_bad_input_with_the_fields_and_creates_nothing(session, data, fields):
    requester = factories.user()
    before = (count(DatasetRequest), count(Submission), count(SubmissionEvent))

    with pytest.raises(ValidationError) as caught:
        dataset_requests.create(requester, request_data(**data))

    assert set(caught.value.fields) == fields
    assert (count(DatasetRequest), count(Submission), count(SubmissionEvent)) == before


def test_create_refuses_anonymous_people(session):
    with pytest.raises(PermissionDenied):
        dataset_requests.create(AnonymousUserMixin(), request_data())
    with pytest.raises(PermissionDenied):
        dataset_requests.create(None, request_data())
    assert count(DatasetRequest) == 0


# --- the registry --------------------------------------------------------------------------------


def test_submit_refuses_a_kind_nobody_registered(session):
    with pytest.raises(ValueError, match="unknown submission kind"):
        moderation.submit("no_such_kind", 1, "Something", factories.user())


def test_registering_a_different_kind_under_a_taken_name_raises_and_keeps_the_first(session):
    existing = registry.get_kind("dataset_request")
    impostor = registry.SubmissionKind(
        name="dataset_request", label="Other", load=lambda object_id: None, preview=str
    )

    with pytest.raises(ValueError, match="already registered"):
        registry.register_kind(impostor)

    assert registry.get_kind("dataset_request") is existing
    # The same kind again (an app created twice in one process) is not an error.
    assert registry.register_kind(existing) is existing


# --- decisions -----------------------------------------------------------------------------------


def test_approve_writes_one_event_records_who_and_when_and_notifies_the_submitter(session):
    requester = factories.user(locale="en")
    request, submission = dataset_request(requester)
    mod = moderator()
    before = utcnow()

    moderation.decide(mod, submission.id, submission.version, "approve", note="  Merci !  ")

    submission = fresh(submission)
    assert submission.status == APPROVED
    assert submission.decided_by_id == mod.id and submission.decided_at >= before
    assert submission.decision_note == "Merci !"
    submitted, approved = events_of(submission.id)
    assert (approved.action, approved.actor_id) == ("approve", mod.id)
    assert (approved.from_status, approved.to_status, approved.note) == (
        PENDING,
        APPROVED,
        "Merci !",
    )
    [note] = notifications_of(requester)
    assert note.kind == "submission.approve" and note.link == "/my/contributions"
    assert request.title in notifications.render(note, "en")
    assert dataset_requests.is_public(request)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_reject_with_a_reason_notifies_the_reason_in_the_readers_language(session, locale):
    requester = factories.user(locale=locale)
    _request, submission = dataset_request(requester)
    reason = reject_reason(text_fr="Données déjà ouvertes", text_en="Data already open")
    mod = moderator()

    moderation.decide(mod, submission.id, submission.version, "reject", reason_id=reason.id)

    submission = fresh(submission)
    assert (submission.status, submission.reason_id) == (REJECTED, reason.id)
    assert submission.decided_by_id == mod.id and submission.decided_at is not None
    _submitted, decision = events_of(submission.id)
    assert (decision.action, decision.actor_id) == ("reject", mod.id)
    assert (decision.from_status, decision.to_status, decision.note) == (PENDING, REJECTED, None)
    [note] = notifications_of(requester)
    assert note.kind == "submission.reject"
    french, english = notifications.render(note, "fr"), notifications.render(note, "en")
    assert "Données déjà ouvertes" in french and "Data already open" not in french
    assert "Data already open" in english and "Données déjà ouvertes" not in english
    expected = {"fr": "Données déjà ouvertes", "en": "Data already open"}[locale]
    assert expected in notifications.render(note, requester.locale)


def test_reject_with_only_a_note_gives_the_note_as_the_reason(session):
    requester = factories.user()
    _request, submission = dataset_request(requester)

    moderation.decide(
        moderator(), submission.id, submission.version, "reject", note="Ce jeu existe déjà"
    )

    submission = fresh(submission)
    assert (submission.status, submission.reason_id) == (REJECTED, None)
    assert submission.decision_note == "Ce jeu existe déjà"
    assert events_of(submission.id)[-1].note == "Ce jeu existe déjà"
    [note] = notifications_of(requester)
    for locale in ("fr", "en"):
        assert "Ce jeu existe déjà" in notifications.render(note, locale)


def _assert_untouched(submission, version):
    submission = fresh(submission)
    assert submission.status == PENDING and submission.version == version
    assert submission.decided_at is None and submission.decided_by_id is None
    assert actions_of(submission.id) == ["submitted"]
    assert notifications_of(submission.submitter) == []


@pytest.mark.parametrize("note", [None, "", "   "])
def test_reject_without_a_reason_or_a_note_is_refused_on_the_reason_field(session, note):
    _request, submission = dataset_request()
    version = submission.version

    with pytest.raises(ValidationError) as caught:
        moderation.decide(moderator(), submission.id, version, "reject", note=note)

    assert caught.value.code == "submission.reason_required"
    assert set(caught.value.fields) == {"reason"}
    _assert_untouched(submission, version)


@pytest.mark.parametrize("which", ["inactive", "unknown"])
def test_reject_with_an_inactive_or_unknown_reason_is_refused(session, which):
    _request, submission = dataset_request()
    version = submission.version
    reason_id = reject_reason(active=False).id if which == "inactive" else 999_999

    with pytest.raises(ValidationError) as caught:
        moderation.decide(
            moderator(), submission.id, version, "reject", reason_id=reason_id, note="Et alors"
        )

    assert caught.value.code == "submission.reason_unknown"
    assert set(caught.value.fields) == {"reason"}
    _assert_untouched(submission, version)


def test_request_changes_needs_a_note_and_then_tells_the_submitter_what_to_change(session):
    requester = factories.user(locale="en")
    _request, submission = dataset_request(requester)
    version = submission.version
    mod = moderator()

    with pytest.raises(ValidationError) as caught:
        moderation.decide(mod, submission.id, version, "request_changes", note="  ")
    assert set(caught.value.fields) == {"note"}
    _assert_untouched(submission, version)

    moderation.decide(mod, submission.id, version, "request_changes", note="Précisez la zone")

    submission = fresh(submission)
    assert submission.status == CHANGES_REQUESTED and submission.decided_by_id == mod.id
    _submitted, decision = events_of(submission.id)
    assert (decision.action, decision.actor_id, decision.note) == (
        "request_changes",
        mod.id,
        "Précisez la zone",
    )
    assert (decision.from_status, decision.to_status) == (PENDING, CHANGES_REQUESTED)
    [note] = notifications_of(requester)
    assert "Précisez la zone" in notifications.render(note, "en")


def test_duplicate_needs_another_existing_submission(session):
    _first, original = dataset_request()
    _second, copy = dataset_request()
    version = copy.version
    mod = moderator()

    for duplicate_of in (None, 999_999, copy.id):
        with pytest.raises(ValidationError) as caught:
            moderation.decide(mod, copy.id, copy.version, "duplicate", duplicate_of_id=duplicate_of)
        assert set(caught.value.fields) == {"duplicate_of"}
    _assert_untouched(copy, version)

    moderation.decide(mod, copy.id, version, "duplicate", duplicate_of_id=original.id)

    copy = fresh(copy)
    assert (copy.status, copy.duplicate_of_id) == (DUPLICATE, original.id)
    assert copy.decided_by_id == mod.id and copy.decided_at is not None
    _submitted, decision = events_of(copy.id)
    assert (decision.action, decision.actor_id, decision.from_status, decision.to_status) == (
        "duplicate",
        mod.id,
        PENDING,
        DUPLICATE,
    )
    assert [n.kind for n in notifications_of(copy.submitter)] == ["submission.duplicate"]
    assert fresh(original).status == PENDING


def test_an_unknown_decision_is_refused(session):
    _request, submission = dataset_request()
    with pytest.raises(ValidationError) as caught:
        moderation.decide(moderator(), submission.id, submission.version, "publish")
    assert set(caught.value.fields) == {"action"}


def test_an_erased_submitter_gets_no_notification(session):
    requester = factories.user()
    _request, submission = dataset_request(requester)
    privacy.erase_account(requester, factories.PASSWORD)

    moderation.decide(moderator(), submission.id, submission.version, "reject", note="Hors sujet")

    assert fresh(submission).status == REJECTED
    assert notifications_of(requester) == []


def test_a_resident_cannot_decide(session):
    _request, submission = dataset_request()
    version = submission.version
    for someone in (
        factories.user(),
        factories.user(
            roles=["organiser", "data_steward"], department_slug=factories.department().slug
        ),
    ):
        with pytest.raises(PermissionDenied):
            moderation.decide(someone, submission.id, version, "approve")
    _assert_untouched(submission, version)


def test_deciding_an_unknown_submission_is_not_found(session):
    with pytest.raises(NotFound):
        moderation.decide(moderator(), 999_999, 1, "approve")


@pytest.mark.parametrize("first", DECISIONS)
def test_deciding_an_already_decided_item_is_a_conflict(session, first):
    _other_request, other = dataset_request()
    _request, submission = dataset_request()
    mod = moderator()
    moderation.decide(
        mod, submission.id, submission.version, first, note="Note", duplicate_of_id=other.id
    )
    decided = fresh(submission)
    state = (decided.status, decided.version, decided.decided_at, len(events_of(decided.id)))

    for action in DECISIONS:
        with pytest.raises(Conflict) as caught:
            moderation.decide(
                moderator(),
                decided.id,
                decided.version,
                action,
                note="Encore",
                duplicate_of_id=other.id,
            )
        assert caught.value.code == "submission.already_decided"

    decided = fresh(decided)
    assert (
        decided.status,
        decided.version,
        decided.decided_at,
        len(events_of(decided.id)),
    ) == state


def test_a_stale_version_is_refused_and_nothing_changes(session):
    _request, submission = dataset_request()
    seen = submission.version
    mod = moderator()
    moderation.claim(mod, submission.id)
    moderation.release(mod, submission.id)
    current = fresh(submission)
    assert current.version > seen
    state = (current.version, actions_of(current.id))

    with pytest.raises(Conflict) as caught:
        moderation.decide(mod, submission.id, seen, "approve")

    assert caught.value.code == "submission.changed"
    current = fresh(submission)
    assert current.status == PENDING and current.decided_at is None
    assert (current.version, actions_of(current.id)) == state
    assert notifications_of(current.submitter) == []


def test_a_claimed_item_cannot_be_decided_by_another_moderator(session):
    _request, submission = dataset_request()
    alice, bob = moderator(), moderator()

    moderation.claim(alice, submission.id)
    claimed = fresh(submission)
    assert claimed.claimed_by_id == alice.id and claimed.claimed_until > utcnow()

    with pytest.raises(Conflict) as caught:
        moderation.decide(bob, submission.id, claimed.version, "approve")
    assert caught.value.code == "submission.claimed"
    with pytest.raises(Conflict) as caught:
        moderation.claim(bob, submission.id)
    assert caught.value.code == "submission.claimed"
    assert fresh(submission).status == PENDING

    moderation.decide(alice, submission.id, claimed.version, "approve")
    decided = fresh(submission)
    assert (decided.status, decided.decided_by_id) == (APPROVED, alice.id)
    assert decided.claimed_by_id is None and decided.claimed_until is None


def test_release_lets_another_moderator_decide(session):
    _request, submission = dataset_request()
    alice, bob = moderator(), moderator()
    moderation.claim(alice, submission.id)

    moderation.release(bob, submission.id)  # not bob's claim: nothing happens
    assert fresh(submission).claimed_by_id == alice.id
    moderation.release(alice, submission.id)

    released = fresh(submission)
    assert released.claimed_by_id is None and released.claimed_until is None
    assert actions_of(submission.id) == ["submitted", "claimed", "released"]
    moderation.decide(bob, submission.id, released.version, "approve")
    assert fresh(submission).decided_by_id == bob.id


def test_an_expired_claim_no_longer_blocks(session):
    _request, submission = dataset_request()
    alice, bob = moderator(), moderator()
    moderation.claim(alice, submission.id)
    session.execute(
        update(Submission)
        .where(Submission.id == submission.id)
        .values(claimed_until=utcnow() - timedelta(minutes=1))
    )
    session.commit()
    expired = fresh(submission)

    moderation.decide(bob, submission.id, expired.version, "approve")

    assert fresh(submission).decided_by_id == bob.id


def test_a_claim_lasts_as_long_as_the_admins_say(session):
    moderation.save_settings(admin(), 3, 5)
    _request, submission = dataset_request()
    before = utcnow()

    moderation.claim(moderator(), submission.id)

    until = fresh(submission).claimed_until
    assert before + timedelta(minutes=5) <= until <= utcnow() + timedelta(minutes=5)


# --- the audit trail -----------------------------------------------------------------------------


def _raw_events():
    table = SubmissionEvent.__table__
    return {row.id: tuple(row) for row in db.session.execute(select(table)).all()}


def test_the_audit_trail_is_append_only(session):
    writes = []

    def spy(_conn, _cursor, statement, _parameters, _context, _executemany):
        text = " ".join(statement.split()).lower()
        if "crowdsourcing_submission_event" in text and text.startswith(("update", "delete")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        requester, mod, other = factories.user(), moderator(), moderator()
        flaggers = [factories.user() for _ in range(2)]
        set_flag_threshold(2)
        _request, submission = dataset_request(requester)
        _other_request, second = dataset_request(requester)
        steps = [
            lambda: moderation.claim(mod, submission.id),
            lambda: moderation.release(mod, submission.id),
            lambda: moderation.decide(
                other, submission.id, fresh(submission).version, "request_changes", note="Zone ?"
            ),
            lambda: moderation.resubmit(requester, submission.id, note="Toute la ville"),
            lambda: moderation.decide(mod, submission.id, fresh(submission).version, "approve"),
            lambda: [moderation.flag(u, submission.id, "wrong") for u in flaggers],
            lambda: moderation.decide(
                mod, submission.id, fresh(submission).version, "reject", note="Faux"
            ),
            lambda: moderation.withdraw(requester, second.id),
        ]
        seen = _raw_events()
        for step in steps:
            step()
            now = _raw_events()
            assert {key: now[key] for key in seen} == seen
            assert len(now) > len(seen)
            seen = now
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)

    assert writes == []
    assert actions_of(submission.id) == [
        "submitted",
        "claimed",
        "released",
        "request_changes",
        "resubmitted",
        "approve",
        "hidden",
        "reject",
    ]


# --- resubmit and withdraw -----------------------------------------------------------------------


def test_resubmit_puts_the_item_back_to_pending_and_keeps_the_history(session):
    requester = factories.user()
    _request, submission = dataset_request(requester)
    mod = moderator()
    moderation.decide(mod, submission.id, submission.version, "request_changes", note="Zone ?")
    history = [(e.id, e.action, e.note) for e in events_of(submission.id)]

    moderation.resubmit(requester, submission.id, note="Toute la métropole")

    back = fresh(submission)
    assert back.status == PENDING
    assert back.decided_at is None and back.decided_by_id is None
    events = events_of(submission.id)
    assert [(e.id, e.action, e.note) for e in events[:-1]] == history
    resubmitted = events[-1]
    assert (resubmitted.action, resubmitted.actor_id, resubmitted.note) == (
        "resubmitted",
        requester.id,
        "Toute la métropole",
    )
    assert (resubmitted.from_status, resubmitted.to_status) == (CHANGES_REQUESTED, PENDING)
    [listed], _next = queries.inbox({"kind": "dataset_request"})
    assert listed.id == submission.id
    moderation.decide(mod, submission.id, back.version, "approve")
    assert fresh(submission).status == APPROVED


def test_resubmit_and_withdraw_are_refused_to_anyone_but_the_submitter(session):
    _request, submission = dataset_request()
    mod = moderator()
    moderation.decide(mod, submission.id, submission.version, "request_changes", note="Zone ?")

    for someone in (factories.user(), mod, admin()):
        with pytest.raises(PermissionDenied):
            moderation.resubmit(someone, submission.id)
        with pytest.raises(PermissionDenied):
            moderation.withdraw(someone, submission.id)

    assert fresh(submission).status == CHANGES_REQUESTED
    assert actions_of(submission.id) == ["submitted", "request_changes"]


@pytest.mark.parametrize("decision", [None, "approve", "reject", "duplicate"])
def test_resubmit_is_refused_unless_changes_were_requested(session, decision):
    requester = factories.user()
    _other_request, other = dataset_request()
    _request, submission = dataset_request(requester)
    if decision:
        moderation.decide(
            moderator(),
            submission.id,
            submission.version,
            decision,
            note="Non",
            duplicate_of_id=other.id,
        )
    status = fresh(submission).status

    with pytest.raises(Conflict) as caught:
        moderation.resubmit(requester, submission.id)

    assert caught.value.code == "submission.not_awaiting_changes"
    assert fresh(submission).status == status


@pytest.mark.parametrize("decision", [None, "request_changes"])
def test_withdraw_works_while_waiting_for_a_decision(session, decision):
    requester = factories.user()
    _request, submission = dataset_request(requester)
    if decision:
        moderation.decide(moderator(), submission.id, submission.version, decision, note="Zone ?")
    status = fresh(submission).status

    moderation.withdraw(requester, submission.id)

    assert fresh(submission).status == WITHDRAWN
    withdrawn = events_of(submission.id)[-1]
    assert (withdrawn.action, withdrawn.actor_id) == ("withdrawn", requester.id)
    assert (withdrawn.from_status, withdrawn.to_status) == (status, WITHDRAWN)
    with pytest.raises(Conflict):
        moderation.decide(moderator(), submission.id, fresh(submission).version, "approve")


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_withdraw_is_refused_once_decided(session, decision):
    requester = factories.user()
    _request, submission = dataset_request(requester)
    moderation.decide(moderator(), submission.id, submission.version, decision, note="Non")

    with pytest.raises(Conflict) as caught:
        moderation.withdraw(requester, submission.id)

    assert caught.value.code == "submission.not_withdrawable"
    assert fresh(submission).status in (APPROVED, REJECTED)
    with pytest.raises(Conflict):
        moderation.withdraw(requester, submission.id)


# --- bulk decisions ------------------------------------------------------------------------------


def test_bulk_decide_approves_current_versions_and_reports_stale_ones(session):
    mod = moderator()
    items = [dataset_request()[1] for _ in range(3)]
    seen = {s.id: s.version for s in items}
    moderation.claim(mod, items[1].id)  # changes its version after the moderator looked
    moderation.release(mod, items[1].id)

    done, refused = moderation.bulk_decide(mod, [(s.id, seen[s.id]) for s in items], "approve")

    assert done == [items[0].id, items[2].id]
    assert refused == [(items[1].id, "submission.changed")]
    assert [fresh(s).status for s in items] == [APPROVED, PENDING, APPROVED]
    assert actions_of(items[1].id) == ["submitted", "claimed", "released"]


def test_bulk_decide_rejects_with_a_reason_and_reports_unknown_and_decided_items(session):
    mod = moderator()
    reason = reject_reason()
    first, second = dataset_request()[1], dataset_request()[1]
    moderation.decide(mod, second.id, second.version, "approve")

    done, refused = moderation.bulk_decide(
        mod,
        [(first.id, first.version), (second.id, fresh(second).version), (999_999, 1)],
        "reject",
        reason_id=reason.id,
    )

    assert done == [first.id]
    assert refused == [(second.id, "submission.already_decided"), (999_999, "submission.not_found")]
    assert (fresh(first).status, fresh(first).reason_id) == (REJECTED, reason.id)


@pytest.mark.parametrize("action", ["request_changes", "duplicate", "publish"])
def test_bulk_decide_refuses_actions_that_need_one_item_at_a_time(session, action):
    submission = dataset_request()[1]
    with pytest.raises(ValidationError) as caught:
        moderation.bulk_decide(moderator(), [(submission.id, submission.version)], action, note="x")
    assert set(caught.value.fields) == {"action"}
    assert fresh(submission).status == PENDING


def test_bulk_decide_refuses_a_resident(session):
    submission = dataset_request()[1]
    with pytest.raises(PermissionDenied):
        moderation.bulk_decide(factories.user(), [(submission.id, submission.version)], "approve")
    assert fresh(submission).status == PENDING


# --- flags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", [None, "reject", "request_changes"])
def test_only_published_items_can_be_flagged(session, decision):
    _request, submission = dataset_request()
    if decision:
        moderation.decide(moderator(), submission.id, submission.version, decision, note="Non")

    with pytest.raises(Conflict) as caught:
        moderation.flag(_request.requester, submission.id, "spam")
    assert caught.value.code == "flag.not_published"
    # A stranger does not learn that someone else's unpublished item exists.
    with pytest.raises(NotFound):
        moderation.flag(factories.user(), submission.id, "spam")

    assert count(Flag) == 0 and fresh(submission).flag_count == 0


def test_a_member_flags_an_item_once(session):
    _request, submission = published()
    member = factories.user()
    moderation.flag(member, submission.id, "spam", note="  Publicité  ")

    with pytest.raises(Conflict) as caught:
        moderation.flag(member, submission.id, "abusive")

    assert caught.value.code == "flag.already"
    [flag] = db.session.scalars(select(Flag)).all()
    assert (flag.user_id, flag.reason, flag.note) == (member.id, "spam", "Publicité")
    assert fresh(submission).flag_count == 1


def test_flagging_with_an_unknown_reason_or_anonymously_is_refused(session):
    _request, submission = published()
    with pytest.raises(ValidationError) as caught:
        moderation.flag(factories.user(), submission.id, "boring")
    assert set(caught.value.fields) == {"reason"}
    with pytest.raises(PermissionDenied):
        moderation.flag(AnonymousUserMixin(), submission.id, "spam")
    with pytest.raises(NotFound):
        moderation.flag(factories.user(), 999_999, "spam")
    assert count(Flag) == 0


def test_flags_hide_the_item_at_the_admins_threshold_with_one_hidden_event(session):
    request, submission = published()
    set_flag_threshold(2)

    moderation.flag(factories.user(), submission.id, "spam")
    assert not fresh(submission).hidden and dataset_requests.is_public(request)
    moderation.flag(factories.user(), submission.id, "personal_data")
    hidden = fresh(submission)
    assert hidden.hidden and hidden.flag_count == 2 and hidden.status == APPROVED
    assert not dataset_requests.is_public(request)
    moderation.flag(factories.user(), submission.id, "wrong")

    assert fresh(submission).flag_count == 3
    assert actions_of(submission.id).count("hidden") == 1
    hidden_event = events_of(submission.id)[-1]
    assert (hidden_event.action, hidden_event.actor_id) == ("hidden", None)
    assert (hidden_event.from_status, hidden_event.to_status) == (APPROVED, APPROVED)
    assert [s.id for s in queries.flagged_for_review()] == [submission.id]
    assert queries.waiting_summary()["hidden"] == 1


def test_the_default_threshold_is_three_flags(session):
    _request, submission = published()
    for _ in range(2):
        moderation.flag(factories.user(), submission.id, "spam")
    assert not fresh(submission).hidden
    moderation.flag(factories.user(), submission.id, "spam")
    assert fresh(submission).hidden


def test_only_admins_change_the_settings_and_bad_values_are_refused(session):
    boss = admin()
    for someone in (moderator(), factories.user()):
        with pytest.raises(PermissionDenied):
            moderation.save_settings(someone, 2, 30)
    for threshold, minutes, fields in (
        (0, 30, {"flag_threshold"}),
        (101, 30, {"flag_threshold"}),
        (None, 30, {"flag_threshold"}),
        (2, 0, {"claim_minutes"}),
        (2, 24 * 60 + 1, {"claim_minutes"}),
        (-1, None, {"flag_threshold", "claim_minutes"}),
    ):
        with pytest.raises(ValidationError) as caught:
            moderation.save_settings(boss, threshold, minutes)
        assert set(caught.value.fields) == fields
    assert db.session.get(ModerationSettings, 1) is None

    moderation.save_settings(boss, 5, 45)
    moderation.save_settings(boss, 1, 60)

    assert (moderation.settings().flag_threshold, moderation.settings().claim_minutes) == (1, 60)
    assert count(ModerationSettings) == 1


def _hidden_item():
    set_flag_threshold(2)
    request, submission = published()
    flaggers = [factories.user() for _ in range(2)]
    for member in flaggers:
        moderation.flag(member, submission.id, "abusive")
    assert fresh(submission).hidden
    return request, submission, flaggers


def test_approving_a_hidden_item_again_unhides_it_and_resolves_its_flags(session):
    request, submission, _flaggers = _hidden_item()
    mod = moderator()

    moderation.decide(
        mod, submission.id, fresh(submission).version, "approve", note="Rien à redire"
    )

    reviewed = fresh(submission)
    assert (reviewed.status, reviewed.hidden, reviewed.flag_count) == (APPROVED, False, 0)
    assert dataset_requests.is_public(request)
    flags = db.session.scalars(select(Flag)).all()
    assert len(flags) == 2 and all(f.resolved_at is not None for f in flags)
    review = events_of(submission.id)[-1]
    assert (review.action, review.actor_id, review.from_status, review.to_status) == (
        "approve",
        mod.id,
        APPROVED,
        APPROVED,
    )
    assert queries.flagged_for_review() == []
    # Reviewed: a second approval is a conflict like any decided item.
    with pytest.raises(Conflict):
        moderation.decide(mod, submission.id, reviewed.version, "approve")


def test_rejecting_a_hidden_item_keeps_it_hidden(session):
    request, submission, _flaggers = _hidden_item()

    moderation.decide(moderator(), submission.id, fresh(submission).version, "reject", note="Faux")

    reviewed = fresh(submission)
    assert (reviewed.status, reviewed.hidden) == (REJECTED, True)
    assert not dataset_requests.is_public(request)
    assert all(f.resolved_at is not None for f in db.session.scalars(select(Flag)))
    assert queries.flagged_for_review() == []


def test_a_member_whose_flag_was_resolved_is_told_they_already_reported(session):
    _request, submission, flaggers = _hidden_item()
    moderation.decide(moderator(), submission.id, fresh(submission).version, "approve")

    with pytest.raises(Conflict) as caught:
        moderation.flag(flaggers[0], submission.id, "spam")

    assert caught.value.code == "flag.already"
    moderation.flag(factories.user(), submission.id, "spam")
    assert fresh(submission).flag_count == 1


# --- the inbox -----------------------------------------------------------------------------------


def _all_pages(filters, limit):
    seen, after, pages = [], None, 0
    while True:
        rows, after = queries.inbox(filters, after=after, limit=limit)
        seen.extend(s.id for s in rows)
        pages += 1
        assert pages < 100
        if after is None:
            return seen, pages


def test_the_inbox_lists_pending_items_oldest_first(session, note_kind):
    ids = notes(4)
    start = utcnow() - timedelta(days=1)
    for offset, submission_id in enumerate(reversed(ids)):
        set_created_at([submission_id], start + timedelta(minutes=offset))
    moderation.decide(moderator(), ids[0], 1, "approve")

    rows, after = queries.inbox({})

    assert [s.id for s in rows] == [ids[3], ids[2], ids[1]]
    assert after is None


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50])
def test_inbox_pages_give_every_item_exactly_once_even_when_created_at_ties(
    session, note_kind, limit
):
    ids = notes(11)
    tie = utcnow() - timedelta(hours=2)
    set_created_at(ids[2:9], tie)
    set_created_at(ids[:2], tie - timedelta(minutes=5))
    set_created_at(ids[9:], tie + timedelta(microseconds=1))

    seen, pages = _all_pages({"kind": TEST_KIND}, limit)

    assert seen == ids
    assert len(set(seen)) == len(ids)
    assert pages == max(1, -(-len(ids) // limit))


def test_the_inbox_filters_by_kind_department_status_age_flags_and_duplicate_hint(
    session, note_kind
):
    department = factories.department()
    mod = moderator()
    [note] = notes(1)
    _r, in_department = dataset_request(department=department.slug)
    _r, old = dataset_request()
    set_created_at([old.id], utcnow() - timedelta(days=10))
    _r, hinted = dataset_request()
    session.execute(
        update(Submission).where(Submission.id == hinted.id).values(duplicate_hint_id=old.id)
    )
    session.commit()
    _r, flagged = published()
    _r, quiet = published()
    moderation.flag(factories.user(), flagged.id, "spam")
    _r, rejected = dataset_request()
    moderation.decide(mod, rejected.id, rejected.version, "reject", note="Non")

    def ids(**filters):
        return {s.id for s in queries.inbox(filters)[0]}

    pending = {note, in_department.id, old.id, hinted.id}
    assert ids() == pending
    assert ids(status="pending") == pending
    assert ids(kind=TEST_KIND) == {note}
    assert ids(kind="dataset_request") == pending - {note}
    assert ids(department=department.id) == {in_department.id}
    assert ids(older_than_days=5) == {old.id}
    assert ids(older_than_days=20) == set()
    assert ids(duplicate_hint=True) == {hinted.id}
    assert ids(status="approved") == {flagged.id, quiet.id}
    assert ids(status="approved", flagged=True) == {flagged.id}
    assert ids(status="rejected") == {rejected.id}
    assert ids(status="approved", kind=TEST_KIND) == set()


# --- dataset requests: support -------------------------------------------------------------------


def test_support_counts_distinct_members_and_not_the_requester(session):
    requester = factories.user()
    request, _submission = published(requester)
    alice, bob = factories.user(), factories.user()

    assert dataset_requests.support(alice, request.id) == 1
    assert dataset_requests.support(alice, request.id) == 1
    assert dataset_requests.support(requester, request.id) == 1
    assert dataset_requests.support(bob, request.id) == 2
    assert dataset_requests.withdraw_support(alice, request.id) == 1
    assert dataset_requests.withdraw_support(alice, request.id) == 1
    assert dataset_requests.withdraw_support(requester, request.id) == 1

    [(listed, supporters)] = queries.public_requests()
    assert (listed.id, supporters) == (request.id, 1)


@pytest.mark.parametrize("decision", [None, "reject", "hidden"])
def test_support_on_an_unpublished_request_is_not_found(session, decision):
    if decision == "hidden":
        request, _submission, _flaggers = _hidden_item()
    else:
        request, submission = dataset_request()
        if decision:
            moderation.decide(moderator(), submission.id, submission.version, decision, note="Non")

    with pytest.raises(NotFound):
        dataset_requests.support(factories.user(), request.id)
    with pytest.raises(NotFound):
        dataset_requests.support(factories.user(), 999_999)
    assert dataset_requests.supporters_count(request.id) == 0
    assert queries.public_requests() == []


# --- personal data -------------------------------------------------------------------------------


def test_the_data_export_lists_my_submissions_and_dataset_requests(session):
    requester = factories.user()
    _mine, submission = dataset_request(requester, reason="Pour un projet d'école")
    moderation.decide(moderator(), submission.id, submission.version, "reject", note="Déjà ouvert")
    published(requester, title="Bancs publics", description="Tous les bancs publics de la ville")
    dataset_request(title="Pas à moi du tout", description="Une demande d'une autre personne")

    job = privacy.request_export(requester)

    assert job.status == "finished", job.error
    path = os.path.join(privacy.export_folder(), job.result["file"])
    with zipfile.ZipFile(path) as archive:
        assert "contributions" in json.loads(archive.read("README.json"))["sections"]
        data = json.loads(archive.read("contributions.json"))
    assert sorted((s["title"], s["status"]) for s in data["submissions"]) == [
        ("Arbres d'alignement", REJECTED),
        ("Bancs publics", APPROVED),
    ]
    rejected = next(s for s in data["submissions"] if s["status"] == REJECTED)
    assert rejected["kind"] == "dataset_request" and rejected["decision_note"] == "Déjà ouvert"
    assert rejected["decided_at"] is not None and rejected["submitted_at"] is not None
    assert sorted(r["title"] for r in data["dataset_requests"]) == [
        "Arbres d'alignement",
        "Bancs publics",
    ]
    assert "Pour un projet d'école" in [r["reason"] for r in data["dataset_requests"]]


def test_erasing_an_account_keeps_the_contributions_and_anonymises_the_person(session):
    requester = factories.user(name="Honorine Pelletier")
    request, submission = published(requester)
    _other, pending = dataset_request(requester)
    moderation.flag(requester, submission.id, "wrong")

    privacy.erase_account(requester, factories.PASSWORD)

    db.session.expire_all()
    person = db.session.get(User, requester.id)
    assert person.erased_at is not None and person.display_name == "-"
    assert "Honorine" not in person.email
    kept = db.session.scalars(
        select(Submission).where(Submission.submitter_id == requester.id).order_by(Submission.id)
    ).all()
    assert [(s.id, s.status) for s in kept] == [(submission.id, APPROVED), (pending.id, PENDING)]
    assert db.session.get(DatasetRequest, request.id).requester_id == requester.id
    assert count(DatasetRequest) == 2
    assert dataset_requests.is_public(db.session.get(DatasetRequest, request.id))
    assert actions_of(submission.id)[:2] == ["submitted", "approve"]
