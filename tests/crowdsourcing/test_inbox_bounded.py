"""The moderation inbox stays cheap at a million pending items: a page costs the same number
of queries whatever its size and however many items wait, and reads at most a page of rows.
These tests fail if the inbox goes back to loading every item, or one object per row."""

from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from crowdsourcing import queries
from crowdsourcing.models import DatasetRequest, Submission
from mapping.models import Feature, Inventory
from tests import factories
from tests.crowdsourcing import dataset_request
from webapp.accounts.models import User
from webapp.extensions import db


@pytest.fixture
def moderator(client):
    user = factories.user(roles=["moderator", "organiser"])
    factories.login(client, user.email)
    return user


@pytest.fixture
def pending(session, moderator):
    """Add pending items of two kinds, alternating, so that every page holds both."""
    inventory_id = factories.inventory(moderator, moderation_mode="pre").id
    requester_id = factories.user().id
    made = []

    def add(count):
        # Read again: a page measured in between empties the session.
        inventory = db.session.get(Inventory, inventory_id)
        requester = db.session.get(User, requester_id)
        for i in range(count):
            if (len(made) + i) % 2:
                lon = 3.86 + (len(made) + i) * 0.0001
                factories.feature(inventory, requester, factories.point(round(lon, 5), 43.6012))
            else:
                dataset_request(requester, f"Demande {len(made) + i:03d}")
        made.extend(range(count))

    return add


@contextmanager
def counted():
    """Statements sent to the database, and ORM objects built, per class."""
    seen = {"statements": 0, "loaded": Counter()}

    def before(conn, cursor, statement, parameters, context, executemany):
        seen["statements"] += 1

    def loaded(target, context):
        seen["loaded"][type(target).__name__] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    listeners = [(model, loaded) for model in (Submission, DatasetRequest, Feature)]
    for model, fn in listeners:
        event.listen(model, "load", fn)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for model, fn in listeners:
            event.remove(model, "load", fn)


def _page(client, monkeypatch, size):
    monkeypatch.setattr(queries, "PAGE_SIZE", size)
    client.get("/moderation/")  # warm: settings and caches are read once
    db.session.expunge_all()  # as in a new request: nothing already in the session
    with counted() as seen:
        response = client.get("/moderation/")
    assert response.status_code == 200
    return seen, response.text


def test_an_inbox_page_costs_the_same_queries_whatever_its_size(client, pending, monkeypatch):
    pending(24)
    small, text = _page(client, monkeypatch, 4)
    assert text.count('name="items"') == 4
    large, text = _page(client, monkeypatch, 20)
    assert text.count('name="items"') == 20
    assert large["statements"] == small["statements"]


def test_an_inbox_page_costs_the_same_queries_however_many_items_wait(client, pending, monkeypatch):
    pending(6)
    few, _text = _page(client, monkeypatch, 5)
    pending(30)
    many, _text = _page(client, monkeypatch, 5)
    assert many["statements"] == few["statements"]


def test_an_inbox_page_reads_one_page_of_rows(client, pending, monkeypatch):
    pending(30)
    seen, text = _page(client, monkeypatch, 6)
    assert text.count('name="items"') == 6
    loaded = seen["loaded"]
    assert loaded["Submission"] <= 6 + 1, loaded
    assert loaded["DatasetRequest"] + loaded["Feature"] <= 6 + 1, loaded
