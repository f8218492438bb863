"""Comments on dataset requests, backlog items and datasets: post-moderated, reportable."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import Comment, Dataset, ModerationSettings
from crowdsourcing.services import comments, moderation
from tests import factories
from tests.crowdsourcing import published_request, reload
from webapp.db import unit_of_work
from webapp.extensions import db


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def member(client, session):
    user = factories.user(name="Camille Commentatrice")
    factories.login(client, user.email)
    return user


def _count():
    return db.session.scalar(select(func.count()).select_from(Comment))


def _dataset():
    with unit_of_work():
        row = Dataset(
            identifier="bancs", slug="bancs", title="Bancs publics", description="Où s'asseoir"
        )
        db.session.add(row)
    return row


def test_posted_comment_shows_at_once_escaped_and_waits_for_review(client, member, moderator):
    request, _submission = published_request(moderator)
    page = f"/requests/{request.id}"
    response = client.post(
        f"/comments/dataset_request/{request.id}",
        data={"body": "<b>Utile</b>\npour l'école", "next": page},
    )
    assert response.status_code == 302 and page in response.location
    html = client.get(page).text
    assert "&lt;b&gt;Utile&lt;/b&gt;" in html and "<b>Utile" not in html
    comment = db.session.scalar(select(Comment))
    assert comments.submission_of(comment).status == "pending"


def test_bad_comment_is_refused_with_422_and_nothing_is_created(client, member, moderator):
    request, _submission = published_request(moderator)
    response = client.post(f"/comments/dataset_request/{request.id}", data={"body": "  "})
    assert response.status_code == 422
    response = client.post(f"/comments/dataset_request/{request.id}", data={"body": "x" * 2001})
    assert response.status_code == 422
    assert _count() == 0


def test_anonymous_cannot_comment(client, session, moderator):
    request, _submission = published_request(moderator)
    response = client.post(f"/comments/dataset_request/{request.id}", data={"body": "Bonjour"})
    assert response.status_code == 302 and "/login" in response.location
    api = client.post(
        f"/api/v1/comments?target=dataset_request&id={request.id}", json={"body": "x"}
    )
    assert api.status_code == 401
    assert _count() == 0


def test_rejected_comment_disappears_from_the_page(client, member, moderator):
    request, _submission = published_request(moderator)
    comment = comments.create(member, "dataset_request", request.id, "Trop bien")
    assert "Trop bien" in client.get(f"/requests/{request.id}").text
    submission = comments.submission_of(comment)
    moderation.decide(moderator, submission.id, submission.version, "reject", note="Hors sujet")
    assert "Trop bien" not in client.get(f"/requests/{request.id}").text


def test_reports_at_threshold_hide_a_pending_comment(client, member, moderator):
    with unit_of_work():
        db.session.add(ModerationSettings(id=1, flag_threshold=2, claim_minutes=30))
    dataset = _dataset()
    comment = comments.create(member, "dataset", dataset.id, "Publicité !")
    submission = comments.submission_of(comment)
    for _n in range(2):
        moderation.flag(factories.user(), submission.id, "spam")
    assert reload(submission).hidden and reload(submission).status == "pending"
    assert "Publicité" not in client.get("/catalogue/bancs").text
    moderation.decide(moderator, submission.id, reload(submission).version, "approve")
    assert "Publicité" in client.get("/catalogue/bancs").text


def test_author_name_follows_the_authors_privacy(app, client, session, moderator):
    author = factories.user(name="Dominique Discrète")
    dataset = _dataset()
    comments.create(author, "dataset", dataset.id, "Merci")
    assert "Dominique Discrète" not in client.get("/catalogue/bancs").text
    body = client.get(f"/api/v1/comments?target=dataset&id={dataset.id}").json
    assert body[0]["body"] == "Merci" and body[0]["author"] != "Dominique Discrète"
    staff = app.test_client()
    factories.login(staff, moderator.email)
    assert "Dominique Discrète" in staff.get("/catalogue/bancs").text


def test_api_posts_and_lists_comments(client, member):
    dataset = _dataset()
    url = f"/api/v1/comments?target=dataset&id={dataset.id}"
    response = client.post(url, json={"body": "Très utile"})
    assert response.status_code == 201 and response.json["body"] == "Très utile"
    assert [c["body"] for c in client.get(url).json] == ["Très utile"]
    assert client.post(url, json={"body": ""}).status_code == 422
    assert client.post(url.replace("dataset&", "nope&"), json={"body": "x"}).status_code == 422
    assert _count() == 1


def test_backlog_item_comments_are_for_staff_only(client, member):
    with pytest.raises(Exception) as error:
        comments.create(member, "backlog_item", 1, "Bonjour")
    assert getattr(error.value, "code", "").endswith("not_found")


def test_a_comment_retried_with_its_idempotency_key_is_posted_once(client, member):
    dataset = _dataset()
    url = f"/api/v1/comments?target=dataset&id={dataset.id}"
    key = {"Idempotency-Key": "comment-1"}
    first = client.post(url, json={"body": "Très utile"}, headers=key)
    again = client.post(url, json={"body": "Très utile"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    reused = client.post(url, json={"body": "Autre chose"}, headers=key)
    assert reused.status_code == 422 and reused.json["error"]["code"] == "idempotency.key_reused"
    assert _count() == 1
