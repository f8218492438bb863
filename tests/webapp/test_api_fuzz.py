"""The whole /api/v1, fuzzed from its own OpenAPI document with schemathesis, on both backends.

Every operation is called anonymously and as an admin with a bearer token, against a small
seeded world (tests/webapp/fuzz_world.py) whose ids and slugs the path parameters often
take. Each call runs in a savepoint rolled back afterwards, so every case starts from the
same world. Checks: no 5xx, the response matches its documented schema and content type,
every status other than a few generic ones is documented explicitly, and every error
answers in the one error shape. Generation is derandomized: the same cases on every run.
"""

import contextvars
import shutil
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import backends
from tests.webapp import fuzz_world
from webapp.extensions import db, limiter

pytestmark = pytest.mark.xdist_group("api_fuzz")

CONFIG = {
    "seed": 20261122,
    "generation": {
        "mode": "all",
        "max-examples": 6,
        "deterministic": True,
        "database": "none",
    },
}

# Statuses any operation may answer without listing them: the OpenAPI "default" response
# (the one error shape) covers them.
GENERIC_STATUSES = {400, 405, 413, 415, 429}


def _load_schema():
    """The API's own OpenAPI document, read from a throwaway app (no database needed)."""
    root = tempfile.mkdtemp(prefix="fabrique-fuzz-spec-")
    try:
        spec_app = backends.make_app(f"sqlite:///{root}/spec.sqlite", root)
        config = schemathesis.Config.from_dict(CONFIG)
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", spec_app, config=config)
    finally:
        shutil.rmtree(root, ignore_errors=True)


class _Target:
    """The WSGI app the cases are sent to: the app of the backend under test, each request in
    its own context (its own app context and `g`, as in production)."""

    app = None

    def __call__(self, environ, start_response):
        return contextvars.Context().run(self.app, environ, start_response)


TARGET = _Target()
schema = _load_schema()
schema.app = TARGET  # the operations keep this object: the fixture points it at each backend
KNOWN = {"ids": {}, "slugs": {}}


def _known(path, name):
    if name == "slug":
        return next((v for prefix, v in KNOWN["slugs"].items() if path.startswith(prefix)), None)
    return KNOWN["ids"].get(name)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Often aim the path at an object of the seeded world instead of a random id."""
    path_parameters = path_parameters or {}
    aimed = {
        name: st.sampled_from(_known(context.operation.path, name))
        for name in path_parameters
        if _known(context.operation.path, name)
    }
    if not aimed:
        return st.just(path_parameters)
    fixed = {name: st.just(value) for name, value in path_parameters.items()}
    return st.one_of(st.fixed_dictionaries({**fixed, **aimed}), st.just(path_parameters))


class _Scoped(scoped_session):
    def remove(self):
        if self.registry.has():
            self.registry().rollback()


@pytest.fixture(scope="module")
def world(app):
    """The seeded world inside one outer transaction, rolled back when the module ends."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    test_session = _Scoped(factory, scopefunc=lambda: "fuzz")
    original = db.session
    db.session = test_session
    try:
        with app.app_context():
            limiter.reset()
            token, KNOWN["ids"], KNOWN["slugs"] = fuzz_world.seed()
        TARGET.app = app
        yield {"connection": connection, "token": token}
    finally:
        test_session.remove()
        db.session = original
        outer.rollback()
        connection.close()


def one_error_shape(ctx, response, case):
    """Every 4xx/5xx answers {"error": {"code", "message", "fields"}} in JSON."""
    if response.status_code < 400:
        return None
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), (
        f"{response.status_code} is not JSON"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    for field, messages in error["fields"].items():
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages), field
    return None


def status_documented(ctx, response, case):
    """A status outside the generic ones is listed explicitly for the operation."""
    if case.method.upper() != case.operation.method.upper():
        return None  # an undocumented method (OPTIONS, TRACE…): not this operation's answer
    status = response.status_code
    documented = {code for code in case.operation.responses.status_codes if code != "default"}
    if status in GENERIC_STATUSES or str(status) in documented:
        return None
    raise AssertionError(
        f"{case.operation.label} answered {status}, documented: {sorted(documented)}"
    )


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    one_error_shape,
    status_documented,
]


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_holds_its_contract(case, world):
    assert case.operation.app is TARGET and TARGET.app is not None
    connection = world["connection"]
    for headers in ({}, {"Authorization": f"Bearer {world['token']}"}):
        savepoint = connection.begin_nested()
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
        finally:
            db.session.remove()
            savepoint.rollback()
