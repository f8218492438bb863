"""One search box: what is public is found, ranked and highlighted; nothing else is."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.services import backlog, moderation
from mapping.services import inventories
from tests import factories
from tests.crowdsourcing import dataset_request, published_request
from webapp import search
from webapp.extensions import db
from webapp.search.models import SearchDocument


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


def _kinds(query, **kwargs):
    results, _total = search.search(query, **kwargs)
    return [(r["kind"], r["title"]) for r in results]


def test_published_request_is_found_and_a_pending_one_is_not(moderator):
    published_request(moderator, title="Horaires des piscines municipales")
    dataset_request(title="Horaires des bibliothèques")
    assert _kinds("horaires") == [("dataset_request", "Horaires des piscines municipales")]


def test_rejected_or_hidden_request_leaves_the_index(moderator):
    request, submission = published_request(moderator, title="Bancs publics et fontaines")
    assert _kinds("fontaines")
    moderation.save_settings(factories.user(roles=["admin"]), 1, 30)
    moderation.flag(factories.user(), submission.id, "spam")
    assert _kinds("fontaines") == []


def test_backlog_items_are_found_and_follow_their_edits(moderator):
    request, submission = published_request(moderator, title="Comptages vélo horaires")
    item = backlog.route(
        moderator, submission.id, new={"title": "Comptages vélo", "licence": "odbl"}
    )
    assert ("backlog_item", "Comptages vélo") in _kinds("vélo")
    backlog.update(moderator, item.id, {"title": "Compteurs de trottinettes", "licence": "odbl"})
    assert ("backlog_item", "Compteurs de trottinettes") in _kinds("trottinettes")
    assert ("backlog_item", "Comptages vélo") not in _kinds("comptages")


def test_draft_inventory_is_found_only_once_opened(session):
    organiser = factories.user(roles=["organiser"])
    inventory = factories.inventory(
        organiser, status="draft", title="Lavoirs et fontaines anciennes"
    )
    assert _kinds("lavoirs") == []
    inventories.set_status(organiser, inventory.id, "open")
    assert _kinds("lavoirs") == [("inventory", "Lavoirs et fontaines anciennes")]


def test_search_can_be_limited_to_one_kind(moderator):
    published_request(moderator, title="Arbres remarquables du parc")
    factories.inventory(title="Arbres remarquables en ville")
    assert [k for k, _ in _kinds("remarquables", kinds=["inventory"])] == ["inventory"]
    assert len(_kinds("remarquables")) == 2


def test_snippet_escapes_html_and_marks_the_words(moderator):
    published_request(
        moderator,
        title="Plan des pistes cyclables",
        description="<script>alert(1)</script> les pistes cyclables sécurisées de la ville",
    )
    results, total = search.search("cyclables")
    assert total == 1
    snippet = str(results[0]["snippet"])
    assert "<script>" not in snippet and "<mark>cyclables</mark>" in snippet


def test_highlight_escapes_before_marking():
    marked = search.highlight("<b>\x01vélo\x02</b> & co")
    assert str(marked) == "&lt;b&gt;<mark>vélo</mark>&lt;/b&gt; &amp; co"


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR(a b)", "a OR", "-", "()", "' OR 1=1 --", "\x00", "é" * 500]
)
def test_hostile_queries_answer_cleanly(session, query):
    results, total = search.search(query)
    assert isinstance(results, list) and total >= 0


def test_reindex_rebuilds_the_same_entries(moderator):
    published_request(moderator, title="Qualité de l'air par quartier")
    factories.inventory(title="Jardins partagés")
    before = db.session.scalar(select(func.count(SearchDocument.id)))
    counts = search.reindex()
    assert (
        sum(counts.values()) == before == db.session.scalar(select(func.count(SearchDocument.id)))
    )
    assert _kinds("qualité")


def test_search_page_and_api(client, moderator):
    published_request(moderator, title="Stationnement des vélos")
    page = client.get("/search?q=stationnement")
    assert page.status_code == 200 and "Stationnement des vélos" in page.get_data(as_text=True)
    assert client.get("/search").status_code == 200
    response = client.get("/api/v1/search?q=stationnement")
    assert response.status_code == 200
    assert response.json["total"] == 1 and response.json["items"][0]["url"].startswith("/requests/")
    assert client.get("/api/v1/search").status_code == 422
    assert client.get("/api/v1/search?q=a&limit=1000").status_code == 422


def test_workshops_are_found_once_published(session):
    from workshops.services import workshops

    organiser = factories.user(roles=["organiser"])
    workshop = workshops.create(
        organiser,
        {
            "title": "Îlots de fraîcheur",
            "question": "Où planter des arbres pour rafraîchir la ville ?",
        },
    )
    assert _kinds("fraîcheur") == []
    workshops.set_status(organiser, workshop.id, "open")
    assert _kinds("rafraîchir") == [("workshop", "Îlots de fraîcheur")]


def test_app_proposals_are_found_once_approved(moderator):
    from tests.crowdsourcing import hackathon_helpers as hk

    hack = hk.hackathon()
    row = hk.proposal(
        hack, title="Carte des fontaines à boire", pitch="Trouver une fontaine en été."
    )
    assert _kinds("fontaines", kinds=["proposal"]) == []
    hk.approve(moderator, row)
    assert _kinds("fontaines", kinds=["proposal"]) == [("proposal", "Carte des fontaines à boire")]
