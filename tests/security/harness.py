"""What the access tests share: one world per backend in one outer transaction, a logged-in
session per role, URLs filled from the world, and what counts as a refusal."""

import contextlib
import contextvars
import io
import os
import shutil
import tempfile
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import factories
from tests.security import world as world_module
from tests.workshops import image_bytes
from webapp.extensions import db, limiter

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
REFUSALS = (401, 403, 404)


class IsolatedClient(FlaskClient):
    def open(self, *args, **kwargs):
        # Buffered: a streamed body (stream_with_context) is read inside that same context.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


class _Scoped(scoped_session):
    def remove(self):
        if self.registry.has():
            self.registry().rollback()


@contextlib.contextmanager
def world_transaction(app):
    """Build the world inside one outer transaction, rolled back at the end; yield it with
    a function that runs one check inside a savepoint rolled back after it."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    test_session = _Scoped(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=lambda: "test",
    )
    original = db.session
    db.session = test_session
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    app.test_client_class = IsolatedClient
    try:
        built = world_module.build()
        built["cookies"] = _sessions(app, built["people"])
        uploads = app.config["UPLOAD_DIR"]
        kept = tempfile.mkdtemp(prefix="uploads-kept-")
        shutil.copytree(uploads, kept, dirs_exist_ok=True)

        @contextlib.contextmanager
        def isolated():
            test_session.remove()
            nested = connection.begin_nested()
            try:
                yield
            finally:
                test_session.remove()
                if nested.is_active:
                    nested.rollback()
                test_session.expire_all()
                _put_back(kept, uploads)

        built["isolated"] = isolated
        yield built
    finally:
        ctx.pop()
        test_session.remove()
        db.session = original
        outer.rollback()
        connection.close()


def _put_back(kept, uploads):
    """Files a check deleted (the database is rolled back, the disk is not) come back."""
    for folder, _dirs, names in os.walk(kept):
        for name in names:
            source = os.path.join(folder, name)
            target = os.path.join(uploads, os.path.relpath(source, kept))
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(source, target)


def _sessions(app, people):
    cookies = {"anonymous": None}
    for role, person in people.items():
        client = app.test_client()
        factories.login(client, person.email)
        cookies[role] = client.get_cookie("session").value
    return cookies


def client_as(app, world, role):
    """A fresh client carrying `role`'s session, so a log-out in one check touches no other."""
    client = app.test_client()
    value = world["cookies"][role]
    if value is not None:
        client.set_cookie("session", value)
    return client


def slug_for(rule, shared):
    """Which object a rule's <slug> names, by the rule's prefix."""
    prefixes = (
        (("/api/v1/inventories", "/mapping/inventories", "/ogc"), "inventory"),
        (("/api/v1/parties", "/mapping/parties"), "party"),
        (("/api/v1/hackathons", "/hackathons"), "hackathon"),
        (("/api/v1/workshops", "/workshops"), "workshop"),
        (("/api/v1/datasets", "/catalogue"), "dataset"),
    )
    for starts, key in prefixes:
        if rule.startswith(starts):
            return shared[key].slug
    raise KeyError(f"no slug for {rule}")


def values_for(rule, endpoint, world, whose="owner"):
    """URL values for one rule: objects of `whose` (the owner or the second resident)."""
    shared, mine = world["shared"], world[whose]
    job = mine["export_job"] if endpoint.startswith("mapping_io.") else mine["job"]
    feature_id = mine["feature"].id
    values = {
        "slug": None,
        "user_id": mine["user"].id,
        "token_id": mine["token"].id,
        "notification_id": mine["notification"].id,
        "job_id": job.id,
        "event_id": shared["event"].id,
        "list_id": shared["event"].id,
        "registration_id": mine["registration"].id,
        "submission_id": mine["submission"].id,
        "item_id": shared["backlog_item"].id,
        "feature_id": str(feature_id) if endpoint.startswith("ogc.") else feature_id,
        "photo_id": mine["photo"].id,
        "task_id": shared["task"].id,
        "import_id": shared["import"].id,
        "proposal_id": mine["proposal"].id,
        "team_id": mine["team"].id,
        "invite_id": mine["invite"].id,
        "screenshot_id": mine["screenshot"].id,
        "reason_id": shared["reason"].id,
        "request_id": mine["request"].id,
        "target_type": "dataset_request",
        "target_id": mine["request"].id,
        "idea_id": mine["idea"].id,
        "requirement_id": shared["requirement"].id,
        "theme_id": shared["theme"].id,
        "session_id": shared["session"].id,
        "material_id": shared["material"].id,
        "skill_id": world["skill"].id,
        "number": 1,
        "inventory_id": shared["inventory"].id,
        "fmt": "geojson",
        "what": "proposals",
        "answer": "accept",
        "action": None,
        "filename": None,
        "token": "not-a-valid-token",
    }
    return values


def fill(rule_obj, world, whose="owner"):
    """The path of `rule_obj` with its arguments taken from the world."""
    endpoint, rule = rule_obj.endpoint, rule_obj.rule
    values = values_for(rule, endpoint, world, whose)
    args = {}
    for name in rule_obj.arguments:
        if name == "slug":
            args[name] = slug_for(rule, world["shared"])
        elif name == "action" and endpoint == "mapping_parties.task_action":
            # Validating a cell is for its validators: a refusal, not a message on the page.
            args[name] = "validate"
        elif name == "action":
            args[name] = _first_choice(rule_obj, name)
        elif name == "filename":
            args[name] = _static_file(endpoint)
        elif name == "fmt" and endpoint == "crowdsourcing.hackathon_export":
            args[name] = "csv"
        else:
            args[name] = values[name]
    return rule_obj.build(args, append_unknown=False)[1]


def _first_choice(rule_obj, name):
    converter = rule_obj._converters[name]
    return sorted(converter.items if hasattr(converter, "items") else ["claim"])[0]


def _static_file(endpoint):
    if endpoint == "static":
        return "css/app.css"
    if endpoint == "workshops.static":
        return "workshops/print.css"
    return "institution/missing.png"


def refused(status, location):
    """401, 403 and 404, or being sent to log in first, are refusals."""
    if status in REFUSALS:
        return True
    if status in (301, 302, 303):
        target = urlsplit(location or "")
        return target.path == "/login" and "next=" in target.query
    return False


def call(app, world, role, method, path, endpoint=None):
    """One call as `role`, with the endpoint's payload (empty unless declared below); a
    change is rolled back after. Returns (status, location)."""
    client = client_as(app, world, role)
    kwargs = {}
    if method != "GET":
        body = payload(endpoint, method, world)
        if any(isinstance(value, tuple) for value in body.values()):
            kwargs = {"data": body, "content_type": "multipart/form-data"}
        else:
            kwargs = {"json": body} if path.startswith("/api/") else {"data": body}
    with world["isolated"]() if method in UNSAFE else contextlib.nullcontext():
        response = client.open(path, method=method, **kwargs)
        status, location = response.status_code, response.headers.get("Location")
        response.close()
    return status, location


def payload(endpoint, method, world):
    """A body valid enough to pass the input checks that come before the permission
    check, so a refusal is told apart from an invalid input; empty otherwise."""
    people, shared = world["people"], world["shared"]
    bodies = {
        ("api_backlog.BacklogResource", "POST"): {"title": "Bancs publics de la ville"},
        ("api_backlog.TransitionResource", "POST"): {"to_status": "qualified", "note": "Vu"},
        ("api_moderation.DecisionResource", "POST"): {"action": "reject", "version": 999},
        ("api_moderation.FlagResource", "POST"): {"reason": "spam"},
        ("api_hackathons.HackathonsResource", "POST"): {
            "title": "Hackathon du printemps",
            "starts_at": "2030-04-01T09:00:00+02:00",
            "ends_at": "2030-04-02T18:00:00+02:00",
            "capacity": 10,
        },
        ("api_hackathons.PhaseResource", "POST"): {"phase": "building"},
        ("api_hackathons.ChallengesResource", "POST"): {
            "title": "Défi de l'eau",
            "question": "Où trouver de l'eau potable ?",
        },
        ("api_hackathons.CriteriaResource", "POST"): {"name": "Utilité"},
        ("api_hackathons.JuryResource", "POST"): {"user_id": people["resident"].id},
        ("api_hackathons.TeamsResource", "POST"): {"name": "Équipe nouvelle"},
        ("api_hackathons.TeamResource", "PATCH"): {"name": "Équipe renommée"},
        ("api_hackathons.RoleResource", "PUT"): {"role": "cartographe"},
        ("api_hackathons.InvitesResource", "POST"): {"user_id": people["resident"].id},
        ("api_proposals.ProposalsResource", "POST"): _proposal(shared),
        ("api_proposals.ProposalResource", "PUT"): _proposal(shared),
        ("api_proposals.StageResource", "POST"): {"stage": "prototype"},
        ("api_proposals.ScoresResource", "PUT"): {"criterion_id": 1, "value": 3},
        ("api_proposals.ScreenshotsResource", "POST"): {
            "file": (io.BytesIO(image_bytes("PNG")), "screen.png")
        },
        ("api_mapping_io.InventoryImports", "POST"): {
            "file": (io.BytesIO(b"lon;lat\n3.87;43.61\n"), "points.csv")
        },
        ("api_proposals.ProgressResource", "POST"): {"body": "Une carte qui marche."},
        ("api_map_features.FeatureResource", "PATCH"): {"revision": 1, "properties": {}},
        ("api_map_features.RevertResource", "POST"): {"revision": 1},
        ("api_map_features.ReportResource", "POST"): {"reason": "wrong"},
        ("api_mapping_io.InventoryExports", "POST"): {"format": "geojson"},
        ("api_workshops.IdeasResource", "POST"): {"category": "idea", "text": "Des bancs."},
        ("crowdsourcing.proposal_stage", "POST"): {"stage": "prototype"},
        ("crowdsourcing.proposal_progress", "POST"): {"body": "Une carte qui marche."},
        ("crowdsourcing.team_new", "POST"): {"name": "Équipe nouvelle"},
        ("workshops.add_material", "POST"): {"title": "Plan", "url": "https://example.org/"},
        ("workshops.rename_theme", "POST"): {"name": "Ombre"},
    }
    return bodies.get((endpoint, method), {})


def _proposal(shared):
    return {
        "title": "Ombre en ville",
        "pitch": "Une carte des rues ombragées.",
        "datasets": [shared["dataset"].slug],
    }
