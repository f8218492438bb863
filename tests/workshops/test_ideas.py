"""Ideas, needs and pain points: posted at once and reviewed after (kind "idea"), photos
cleaned, comments, hiding gives dots back, and an idea that asks for data becomes its
author's dataset request, which counts as demand once routed to the backlog."""

import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from crowdsourcing import queries as pipeline_queries
from crowdsourcing import registry
from crowdsourcing.models import DatasetRequest, ModerationSettings, Submission
from crowdsourcing.services import backlog, moderation
from tests import factories
from tests.workshops import add_session, creator, idea, image_bytes, workshop
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from workshops import files, queries
from workshops.models import DotBudget, Idea, IdeaComment, Vote
from workshops.services import ideas, votes


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_idea_is_shown_at_once_and_waits_in_the_moderation_inbox(session):
    row = workshop(department="")
    author = factories.user()
    posted = idea(row, author, category="need", text="  Savoir quels parcs sont ouverts.  ")
    assert posted.text == "Savoir quels parcs sont ouverts."
    assert queries.visible_ideas(row.id) == [posted]
    submission = ideas.submission_of("idea", posted.id)
    assert (submission.status, submission.submitter_id) == ("pending", author.id)
    assert submission.context == f"workshop:{row.slug}"
    assert registry.KINDS["idea"].post_moderated
    assert moderation.is_reportable(submission)
    inbox, _after = pipeline_queries.inbox({"status": "pending", "kind": "idea"})
    assert submission in inbox
    assert registry.KINDS["idea"].url(posted) == f"/workshops/{row.slug}/ideas/{posted.id}"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"text": "ab"}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"category": "rant"}, "category"),
        ({"lon": 3.9, "lat": None}, "location"),
        ({"lon": 3.9, "lat": 95.0}, "location"),
        ({"session_id": 999999}, "session_id"),
    ],
)
def test_bad_ideas_are_refused_field_by_field_and_nothing_is_recorded(session, changes, field):
    row = workshop()
    with pytest.raises(ValidationError) as error:
        idea(row, **changes)
    assert field in error.value.fields
    assert _count(Idea) == 0 and _count(Submission) == 0


def test_an_idea_cannot_name_a_session_of_another_workshop(session):
    row, other = workshop(), workshop()
    with pytest.raises(ValidationError):
        idea(row, session_id=add_session(other).id)
    assert idea(row, session_id=add_session(row).id).session_id is not None


@pytest.mark.parametrize("status", ["closed", "archived"])
def test_only_open_workshops_take_ideas(session, status):
    row = workshop(status=status)
    with pytest.raises(PermissionDenied) as error:
        idea(row)
    assert error.value.code == "idea.workshop_not_open"
    with pytest.raises(NotFound):
        idea(workshop(status="draft"))
    with pytest.raises(PermissionDenied):
        ideas.post(None, workshop().id, {"category": "idea", "text": "Anonyme"})
    assert _count(Idea) == 0


def test_a_photo_is_reencoded_without_its_exif_and_its_gps_position(session):
    row = workshop()
    posted = ideas.post(
        factories.user(),
        row.id,
        {"category": "pain_point", "text": "Banc cassé au soleil."},
        photo=image_bytes(size=(2400, 1200), exif_gps=True),
    )
    with Image.open(files.path_of("photos", posted.photo_name)) as img:
        assert img.format == "JPEG" and max(img.size) == 1600
        assert not img.getexif()


@pytest.mark.parametrize(
    "photo", [b"GIF89a not an image", image_bytes(fmt="GIF"), b"\xff\xd8\xff" + b"0" * 100]
)
def test_a_file_that_is_not_an_accepted_image_is_refused_and_nothing_stays(session, photo):
    row = workshop()
    before = (
        set(os.listdir(files.folder("photos"))) if os.path.isdir(files.folder("photos")) else set()
    )
    with pytest.raises(ValidationError) as error:
        ideas.post(factories.user(), row.id, {"category": "idea", "text": "Photo"}, photo=photo)
    assert "photo" in error.value.fields
    after = (
        set(os.listdir(files.folder("photos"))) if os.path.isdir(files.folder("photos")) else set()
    )
    assert after == before and _count(Idea) == 0


def test_a_photo_over_the_size_limit_is_refused_before_it_is_opened(session):
    big = image_bytes() + b"\0" * files.PHOTO_MAX_BYTES
    with pytest.raises(ValidationError):
        ideas.post(
            factories.user(), workshop().id, {"category": "idea", "text": "Photo"}, photo=big
        )
    assert _count(Idea) == 0


def test_comments_are_posted_on_visible_ideas_of_open_workshops_and_reviewed(session):
    row = workshop()
    posted = idea(row)
    member = factories.user()
    comment = ideas.comment(member, posted.id, "  Oui, surtout près des écoles.  ")
    assert comment.body == "Oui, surtout près des écoles."
    assert queries.comments_of(posted.id) == [comment]
    assert ideas.submission_of("idea_comment", comment.id).status == "pending"
    for body in ("", "x" * 2001):
        with pytest.raises(ValidationError):
            ideas.comment(member, posted.id, body)
    assert _count(IdeaComment) == 1


def _moderator():
    return factories.user(roles=["moderator"])


def test_a_rejected_idea_leaves_the_board_and_its_dots_go_back(session):
    row = workshop()
    posted, other = idea(row), idea(row)
    voter = factories.user()
    for target in (posted, posted, other):
        votes.cast(voter, target.id)
    submission = ideas.submission_of("idea", posted.id)
    moderation.decide(_moderator(), submission.id, submission.version, "reject", note="Hors sujet")
    assert posted.hidden and queries.visible_ideas(row.id) == [other]
    budget = db.session.scalar(select(DotBudget).where(DotBudget.user_id == voter.id))
    assert budget.used == 1
    assert db.session.scalars(select(Vote.idea_id)).all() == [other.id]
    with pytest.raises(NotFound):
        votes.cast(voter, posted.id)


def test_enough_reports_hide_an_idea_while_it_awaits_review(session):
    with unit_of_work():
        db.session.merge(ModerationSettings(id=1, flag_threshold=2, claim_minutes=30))
    row = workshop()
    posted = idea(row)
    submission = ideas.submission_of("idea", posted.id)
    for _ in range(2):
        moderation.flag(factories.user(), submission.id, "abusive")
    assert posted.hidden and queries.visible_ideas(row.id) == []
    moderation.decide(_moderator(), submission.id, None, "approve")
    assert not posted.hidden


def test_a_rejected_comment_is_hidden(session):
    posted = idea(workshop())
    comment = ideas.comment(factories.user(), posted.id, "Spam spam spam")
    submission = ideas.submission_of("idea_comment", comment.id)
    moderation.decide(_moderator(), submission.id, submission.version, "reject", note="Spam")
    assert queries.comments_of(posted.id) == []


REQUEST = {
    "title": "Horaires d'ouverture des parcs",
    "description": "Les horaires d'ouverture de chaque parc, toute l'année.",
    "intended_use": "Une carte des lieux frais ouverts le soir.",
    "wished_format": "CSV",
}


def test_an_idea_asking_for_data_becomes_its_authors_request_counted_as_demand(session):
    row = workshop()
    author = factories.user()
    posted = idea(row, author, category="need", needs_data=True)
    request = ideas.request_dataset(creator(row), posted.id, REQUEST)
    assert (request.requester_id, posted.dataset_request_id) == (author.id, request.id)
    assert f"/workshops/{row.slug}/ideas/{posted.id}" in request.reason
    submission = db.session.scalar(
        select(Submission).where(
            Submission.kind == "dataset_request", Submission.object_id == request.id
        )
    )
    assert (submission.status, submission.context) == ("pending", f"workshop:{row.slug}")
    item = backlog.route(
        _moderator(),
        submission.id,
        new={"title": REQUEST["title"], "description": "", "priority": "normal"},
    )
    assert pipeline_queries.demand([item.id])[item.id]["people"] == 1
    assert [u.id for u in pipeline_queries.linked_people(item.id)] == [author.id]


def test_an_idea_becomes_a_request_once_by_its_author_or_a_facilitator_only(session):
    row = workshop()
    author = factories.user()
    posted = idea(row, author)
    with pytest.raises(PermissionDenied):
        ideas.request_dataset(factories.user(), posted.id, REQUEST)
    with pytest.raises(ValidationError) as error:
        ideas.request_dataset(author, posted.id, {**REQUEST, "title": "x"})
    assert "title" in error.value.fields
    assert _count(DatasetRequest) == 0 and posted.dataset_request_id is None
    ideas.request_dataset(author, posted.id, REQUEST)
    with pytest.raises(Conflict):
        ideas.request_dataset(creator(row), posted.id, REQUEST)
    assert _count(DatasetRequest) == 1


def test_an_idea_of_an_erased_author_cannot_become_their_request(session):
    row = workshop()
    author = factories.user()
    posted = idea(row, author)
    with unit_of_work():
        author.is_active_account = False
    with pytest.raises(ValidationError) as error:
        ideas.request_dataset(creator(row), posted.id, REQUEST)
    assert error.value.code == "idea.author_gone"
    assert _count(DatasetRequest) == 0
