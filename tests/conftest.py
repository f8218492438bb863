"""Test fixtures: one application per backend (SpatiaLite and PostGIS), one rolled-back
transaction per test, real mail files, and factories."""

import contextvars
import os
import shutil
import tempfile

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import backends
from webapp.extensions import db, limiter

BACKENDS = ["sqlite", "postgis"]


@pytest.fixture(scope="session")
def tmp_root():
    path = tempfile.mkdtemp(prefix="fabrique-tests-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_root, worker_id):
    """A migrated application on one backend, shared by the tests of this worker."""
    url = backends.database_url(backend, f"{worker_id}", tmp_root)
    instance = os.path.join(tmp_root, f"instance-{backend}")
    application = backends.make_app(url, instance)
    with application.app_context():
        backends.upgrade(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    backends.drop_database(backend, url)


@pytest.fixture
def session(app):
    """Run the test inside one outer transaction, rolled back at the end.

    The code's commits become savepoints; every app context of the test (test client
    requests, inline jobs) shares this one session.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    test_session = _TestScopedSession(factory, scopefunc=lambda: "test")
    original = db.session
    db.session = test_session
    ctx = app.app_context()
    ctx.push()
    try:
        yield test_session
    finally:
        ctx.pop()
        test_session.remove()
        db.session = original
        outer.rollback()
        connection.close()


class _TestScopedSession(scoped_session):
    """End of a request: discard uncommitted work, as production does, but keep the
    session (and the test's objects) attached to the test's transaction."""

    def remove(self):
        if self.registry.has():
            self.registry().rollback()


class IsolatedClient(FlaskClient):
    """Run each request in a fresh context, so it gets its own app context and `g`
    even while the test itself holds one."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, session):
    with app.app_context():
        limiter.reset()
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def strict_limits(app):
    """The production limit on log-in, sign-up and reset attempts, for the tests of it."""
    previous = app.config["AUTH_RATE_LIMIT"]
    app.config["AUTH_RATE_LIMIT"] = "10 per minute;50 per hour"
    with app.app_context():
        limiter.reset()
    yield
    app.config["AUTH_RATE_LIMIT"] = previous
    with app.app_context():
        limiter.reset()


@pytest.fixture
def mailbox(app):
    from tests.mail import Mailbox

    box = Mailbox(app.config["MAIL_FILE_DIR"])
    box.clear()
    return box


def pytest_report_header(config):
    lines = []
    for backend in BACKENDS:
        problem = backends.unavailable(backend)
        if problem:
            lines.append(f"!!! {backend} tests will be SKIPPED: {problem}")
    return lines
