"""A map viewport page stays cheap at a million features: a fixed number of statements
whatever the page size, and no feature turned into an ORM object. These tests fail if the
API's fast page goes back to loading features into Python objects, or to one statement
per feature. (A LIMIT dropped from the SQL is not caught here: SQLite writes an offset
alone as "LIMIT ? OFFSET ?" with -1 as the limit.)"""

import json
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import event

from mapping.models import Feature
from tests import factories
from webapp.extensions import db

FEATURES = 12


@contextmanager
def watched():
    seen = {"statements": 0, "loaded": Counter()}

    def before(conn, cursor, statement, parameters, context, executemany):
        seen["statements"] += 1

    def loaded(target, context):
        seen["loaded"][type(target).__name__] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(Feature, "load", loaded)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(Feature, "load", loaded)


def _inventory(count):
    organiser = factories.user(roles=["organiser"])
    inventory = factories.inventory(organiser, moderation_mode="post")
    author = factories.user()
    for i in range(count):
        values = {"scientific_name": f"Species {i}", "observed_on": "2026-05-01"}
        factories.feature(inventory, author, factories.point(round(3.8712 + i * 0.001, 4)), values)
    return inventory.slug


def _page(client, slug, limit):
    url = f"/api/v1/inventories/{slug}/features"
    query = f"?bbox=3.85,43.58,3.92,43.63&limit={limit}&count=false"
    client.get(url + query)  # warm: settings and caches are read once
    db.session.expunge_all()
    with watched() as seen:
        response = client.get(url + query)
    assert response.status_code == 200
    assert len(json.loads(response.data)["features"]) == min(limit, FEATURES)
    return seen


def test_a_viewport_page_costs_the_same_whatever_its_size(client, session):
    slug = _inventory(FEATURES)
    small = _page(client, slug, 3)
    large = _page(client, slug, FEATURES)
    assert small["statements"] == large["statements"]


def test_a_viewport_page_builds_no_feature_object(client, session):
    seen = _page(client, _inventory(FEATURES), 5)
    assert seen["loaded"]["Feature"] == 0
