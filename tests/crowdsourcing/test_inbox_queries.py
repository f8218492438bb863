"""An inbox page costs the same number of SQL statements whatever its length and mix of
kinds: objects are loaded per kind and submitters' names in one go, never row by row."""

from contextlib import contextmanager

from sqlalchemy import event

from tests import factories
from tests.crowdsourcing import dataset_request
from webapp.extensions import db


@contextmanager
def counted():
    statements = []

    def spy(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)


def _features(inventory, count):
    for i in range(count):
        author = factories.user(name=f"Cartographe {i}")
        factories.feature(inventory, author, factories.point(3.86 + i * 0.001, 43.6))


def _requests(count):
    for i in range(count):
        dataset_request(factories.user(name=f"Demandeuse {i}"), f"Demande {i}")


def _page_statements(client):
    db.session.expire_all()
    with counted() as statements:
        page = client.get("/moderation/")
    assert page.status_code == 200
    return len(statements), page.text


def test_inbox_page_queries_do_not_grow_with_its_rows(client, session):
    moderator = factories.user(roles=["moderator"])
    factories.login(client, moderator.email)
    inventory = factories.inventory(moderation_mode="pre")
    _features(inventory, 2)
    _requests(2)
    few, page = _page_statements(client)
    assert page.count("data-row>") == 4
    _features(inventory, 14)
    _requests(14)
    many, page = _page_statements(client)
    assert page.count("data-row>") == 32
    assert "Cartographe 13" in page and "Demandeuse 13" in page  # names shown to staff
    assert many == few, f"{few} statements for 4 rows, {many} for 32"
