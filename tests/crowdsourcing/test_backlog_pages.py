"""The dataset backlog's pages: routing from the moderation item page, the staff list, board
and item page, the CSV export, the public transparency page and my contributions."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import BacklogEvidence, BacklogItem
from crowdsourcing.services import backlog
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing import dataset_request, published_request
from webapp.extensions import db


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def parks(session):
    return factories.department()


def as_user(client, user):
    other = client.application.test_client()
    factories.login(other, user.email)
    return other


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_moderator_routes_an_approved_request_into_a_new_item_then_attaches_another(
    client, moderator, parks
):
    _r1, first = published_request(moderator, title="Arbres des rues")
    _r2, second = published_request(moderator)
    browser = as_user(client, moderator)
    page = browser.get(f"/moderation/{first.id}").text
    assert f'action="/moderation/{first.id}/route"' in page
    response = browser.post(
        f"/moderation/{first.id}/route",
        data={"item": "", "title": "Arbres des rues", "department": str(parks.id)},
    )
    assert response.status_code == 302
    item = db.session.scalar(select(BacklogItem))
    assert response.location.endswith(f"/backlog/{item.id}")
    assert (
        browser.post(f"/moderation/{second.id}/route", data={"item": str(item.id)}).status_code
        == 302
    )
    again = browser.post(f"/moderation/{second.id}/route", data={"item": str(item.id)})
    assert again.status_code == 409 and count(BacklogEvidence) == 2
    page = browser.get(f"/backlog/{item.id}").text
    assert "Arbres des rues" in page and f"/requests/{_r2.id}" in page


def test_moderator_approves_and_routes_a_pending_request(client, moderator):
    _r, submission = dataset_request()
    browser = as_user(client, moderator)
    response = browser.post(
        f"/moderation/{submission.id}/route",
        data={"item": "", "title": "Piscines", "version": str(submission.version)},
    )
    assert response.status_code == 302
    assert dataset_requests.is_public(_r)


def test_route_without_a_title_shows_the_error(client, moderator):
    _r, submission = published_request(moderator)
    response = as_user(client, moderator).post(
        f"/moderation/{submission.id}/route", data={"item": "", "title": ""}
    )
    assert response.status_code == 422 and count(BacklogItem) == 0


@pytest.mark.parametrize("path", ["/backlog/", "/backlog/board", "/backlog/export.csv"])
def test_staff_pages_refuse_a_resident(client, session, path):
    assert as_user(client, factories.user()).get(path).status_code == 403


def test_list_filters_and_sorts_and_board_shows_columns(client, moderator, parks):
    backlog.create(moderator, {"title": "Bancs publics", "department": parks.slug})
    other = backlog.create(moderator, {"title": "Toilettes publiques"})
    backlog.transition(moderator, other.id, "qualified", "Vu")
    browser = as_user(client, moderator)
    page = browser.get("/backlog/?status=qualified&sort=demand").text
    assert "Toilettes publiques" in page and "Bancs publics" not in page
    page = browser.get(f"/backlog/?department={parks.id}&sort=due").text
    assert "Bancs publics" in page and "Toilettes publiques" not in page
    board = browser.get("/backlog/board").text
    assert 'id="column-qualified"' in board and "Toilettes publiques" in board


def test_transition_through_the_item_page_and_its_errors(client, moderator, parks):
    steward = factories.user(roles=["data_steward"], department_slug=parks.slug)
    outsider = factories.user(roles=["data_steward"], department_slug=factories.department().slug)
    item = backlog.create(moderator, {"title": "Bancs publics", "department": parks.slug})
    refused = as_user(client, outsider).post(
        f"/backlog/{item.id}/transition", data={"to_status": "qualified", "note": "Oui"}
    )
    assert refused.status_code == 403
    mine = as_user(client, steward)
    assert (
        mine.post(
            f"/backlog/{item.id}/transition", data={"to_status": "declined", "note": "Non"}
        ).status_code
        == 422
    )
    assert (
        mine.post(
            f"/backlog/{item.id}/transition", data={"to_status": "published", "note": "Hop"}
        ).status_code
        == 409
    )
    ok = mine.post(
        f"/backlog/{item.id}/transition", data={"to_status": "qualified", "note": "Clair"}
    )
    assert ok.status_code == 302
    assert backlog.get(item.id).status == "qualified"
    admin = as_user(client, factories.user(roles=["admin"]))
    assert (
        admin.post(
            f"/backlog/{item.id}/transition",
            data={"to_status": "postponed", "note": "Budget", "postponed_until": "2030-03-01"},
        ).status_code
        == 302
    )


def test_edit_form_saves_licence_and_refuses_restricted_without_conditions(client, moderator):
    item = backlog.create(moderator, {"title": "Bancs publics"})
    browser = as_user(client, moderator)
    data = {"title": "Bancs publics", "priority": "high", "licence": "restricted"}
    assert browser.post(f"/backlog/{item.id}/edit", data=data).status_code == 422
    data["licence_conditions"] = "Réservé aux entreprises"
    assert browser.post(f"/backlog/{item.id}/edit", data=data).status_code == 302
    assert backlog.get(item.id).priority == "high"


def test_csv_export_neutralises_formulas(client, moderator):
    backlog.create(moderator, {"title": '=HYPERLINK("http://evil")'})
    response = as_user(client, moderator).get("/backlog/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "'=HYPERLINK" in response.text
    assert ',"=HYPERLINK' not in response.text and ",=HYPERLINK" not in response.text


def test_transparency_page_shows_items_and_public_requests_without_personal_data(client, moderator):
    requester = factories.user(name="Zoé Secrète", email="zoe.secrete@example.org")
    request, submission = published_request(moderator, requester=requester, title="Arbres")
    item = backlog.route(moderator, submission.id, new={"title": "Arbres des rues"})
    declined = backlog.create(moderator, {"title": "Adresses"})
    backlog.transition(
        moderator,
        declined.id,
        "declined",
        "Non",
        decline_reason="exists_elsewhere",
        decline_link="https://data.example.org/adresses",
    )
    page = client.get("/open-data/").text
    assert f'id="item-{item.id}"' in page and "Arbres des rues" in page
    assert f"/requests/{request.id}" in page
    assert "Adresses" in page and "https://data.example.org/adresses" in page
    assert "Zoé" not in page and "zoe.secrete" not in page
    assert f"/moderation/{submission.id}" not in page


def test_my_contributions_says_which_backlog_item_a_request_reached(client, moderator):
    requester = factories.user()
    _r, submission = published_request(moderator, requester=requester)
    item = backlog.route(moderator, submission.id, new={"title": "Arbres des rues"})
    page = as_user(client, requester).get("/my/contributions").text
    assert f"/open-data/#item-{item.id}" in page and "Arbres des rues" in page
