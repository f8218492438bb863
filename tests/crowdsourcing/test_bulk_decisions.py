"""Bulk decisions at volume: chunked, one notification per submitter, features too."""

from sqlalchemy import func, select

from crowdsourcing.models import APPROVED, PENDING, REJECTED, Submission, SubmissionEvent
from crowdsourcing.services import moderation
from mapping import handoff
from tests import factories
from tests.crowdsourcing import dataset_request
from webapp.extensions import db
from webapp.notifications.models import Notification


def _notifications(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def test_bulk_approval_across_chunks_notifies_each_submitter_once(session, monkeypatch):
    monkeypatch.setattr(moderation, "BULK_CHUNK", 3)
    mod = factories.user(roles=["moderator"])
    alice, bob = factories.user(), factories.user()
    items = [dataset_request(alice)[1] for _ in range(5)] + [dataset_request(bob)[1]]
    before = {u.id: len(_notifications(u)) for u in (alice, bob)}

    done, refused = moderation.bulk_decide(mod, [(s.id, s.version) for s in items], "approve")

    assert done == [s.id for s in items] and refused == []
    assert {s.status for s in items} == {APPROVED}
    new_alice = _notifications(alice)[before[alice.id] :]
    new_bob = _notifications(bob)[before[bob.id] :]
    assert [(n.kind, n.params["count"]) for n in new_alice] == [("submission.bulk_approve", 5)]
    assert [n.kind for n in new_bob] == ["submission.approve"]
    events = db.session.scalar(
        select(func.count(SubmissionEvent.id)).where(
            SubmissionEvent.submission_id.in_([s.id for s in items]),
            SubmissionEvent.action == "approve",
        )
    )
    assert events == 6


def test_bulk_rejection_settles_features_through_their_kind(session):
    mod = factories.user(roles=["moderator"])
    inventory = factories.inventory(moderation_mode="pre")
    author = factories.user()
    features = [
        factories.feature(inventory, author, factories.point(3.87 + i / 1000, 43.61))
        for i in range(4)
    ]
    submissions = [handoff.submission_of(f) for f in features]

    done, refused = moderation.bulk_decide(
        mod, [(s.id, s.version) for s in submissions], "reject", note="Hors sujet"
    )

    assert len(done) == 4 and refused == []
    assert {f.status for f in features} == {"rejected"}
    assert {s.status for s in submissions} == {REJECTED}


def test_a_stale_item_in_a_chunk_leaves_the_others_decided(session, monkeypatch):
    monkeypatch.setattr(moderation, "BULK_CHUNK", 10)
    mod = factories.user(roles=["moderator"])
    items = [dataset_request()[1] for _ in range(4)]
    seen = [(s.id, s.version) for s in items]
    moderation.claim(mod, items[2].id)
    moderation.release(mod, items[2].id)

    done, refused = moderation.bulk_decide(mod, seen, "approve")

    assert done == [items[0].id, items[1].id, items[3].id]
    assert refused == [(items[2].id, "submission.changed")]
    statuses = db.session.scalars(
        select(Submission.status)
        .where(Submission.id.in_([s.id for s in items]))
        .order_by(Submission.id)
    ).all()
    assert statuses == [APPROVED, APPROVED, PENDING, APPROVED]
