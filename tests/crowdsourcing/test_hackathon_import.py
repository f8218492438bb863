"""Import of dribdat Data Packages: both schema generations, pseudonyms, a per-row report."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crowdsourcing.hackathon_models import Challenge, Hackathon, ProgressUpdate, Proposal
from crowdsourcing.services import hackathon_import, proposals
from tests import backends, factories
from webapp.errors import ValidationError
from webapp.extensions import db

DATA = Path(__file__).resolve().parents[2] / "crowdsourcing" / "data" / "hackathons"
NEW = DATA / "dribdat_glamhack-2023.datapackage.json"
OLD = DATA / "dribdat_multilingual-media-2021.datapackage.json"


@pytest.fixture
def admin(session):
    return factories.user(roles=["admin"])


def _import(admin, path):
    return hackathon_import.import_package(admin, hackathon_import.parse(path.read_bytes()))


def _usernames(path):
    package = json.loads(path.read_text())
    names = set()
    for resource in package["resources"]:
        for row in resource["data"]:
            for name in str(row.get("team") or "").split(","):
                if len(name.strip()) >= 4:
                    names.add(name.strip())
            for key in ("maintainer", "user_name"):
                if len(str(row.get(key) or "")) >= 4:
                    names.add(row[key])
            if resource["name"] == "participants" and len(row["name"]) >= 4:
                names.add(row["name"])
    return names


def _stored_text(hackathon):
    rows = db.session.scalars(select(Proposal).where(Proposal.hackathon_id == hackathon.id)).all()
    parts = [hackathon.title, hackathon.summary, hackathon.description]
    for p in rows:
        parts += [p.title, p.pitch, p.repository_url or "", p.demo_url or "", " ".join(p.credits)]
        parts += [u.body + (u.author_label or "") for u in p.updates]
    return "\n".join(parts)


def test_new_schema_imports_the_event_projects_and_challenges_with_a_row_per_line(admin):
    hackathon, report = _import(admin, NEW)
    assert hackathon.title == "GLAMhack 2023" and hackathon.phase == "results"
    assert hackathon.registration_list.address == "Geneva"
    projects = [r for r in report if r["resource"] == "projects"]
    assert len(projects) == 21
    outcomes = {r["outcome"] for r in projects}
    assert outcomes <= {"created", "challenge", "rejected"}
    created = db.session.scalars(
        select(Proposal).where(Proposal.hackathon_id == hackathon.id)
    ).all()
    challenges = db.session.scalars(
        select(Challenge).where(Challenge.hackathon_id == hackathon.id)
    ).all()
    assert len(created) == sum(r["outcome"] == "created" for r in projects)
    assert len(challenges) == sum(r["outcome"] == "challenge" for r in projects) == 9
    assert all(proposals.is_public(p) for p in created)


def test_old_schema_imports_participants_as_pseudonyms_and_activities_as_progress(admin):
    hackathon, report = _import(admin, OLD)
    assert hackathon.title == "Multilingual Media"
    by_resource = {}
    for row in report:
        by_resource.setdefault(row["resource"], []).append(row)
    assert len(by_resource["projects"]) == 13
    assert len(by_resource["participants"]) == 32
    assert all(
        r["outcome"] == "not_stored" and r["identifier"].startswith("participant-")
        for r in by_resource["participants"]
    )
    assert len(by_resource["activities"]) == 52
    logged = sum(r["outcome"] == "logged" for r in by_resource["activities"])
    assert logged == db.session.scalar(select(func.count()).select_from(ProgressUpdate))
    assert all(r["outcome"] in ("logged", "rejected") for r in by_resource["activities"])


@pytest.mark.parametrize("path", [NEW, OLD], ids=["events", "event"])
def test_no_username_or_participant_name_is_stored(admin, path):
    hackathon, _report = _import(admin, path)
    stored = _stored_text(hackathon).lower()
    leaked = [name for name in _usernames(path) if name.lower() in stored]
    assert leaked == []


def test_pseudonyms_are_stable_and_credit_the_team(admin):
    hackathon, _report = _import(admin, NEW)
    proposal = db.session.scalars(
        select(Proposal).where(Proposal.hackathon_id == hackathon.id)
    ).first()
    assert proposal.credits and all(c.startswith("participant-") for c in proposal.credits)
    assert hackathon_import.pseudonym("Loleg") == hackathon_import.pseudonym(" loleg ")
    assert hackathon_import.pseudonym("loleg") != hackathon_import.pseudonym("sonja")


def test_importing_again_updates_and_never_duplicates(admin):
    first, _ = _import(admin, OLD)
    count = db.session.scalar(select(func.count()).select_from(Proposal))
    updates = db.session.scalar(select(func.count()).select_from(ProgressUpdate))
    second, report = _import(admin, OLD)
    assert second.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == count
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == updates
    assert db.session.scalar(select(func.count()).select_from(Hackathon)) == 1
    assert {r["outcome"] for r in report if r["resource"] == "projects"} <= {"updated", "rejected"}


def test_stages_follow_the_platform_phases(admin):
    _hackathon, _ = _import(admin, OLD)
    stages = set(db.session.scalars(select(Proposal.stage)))
    assert stages <= {"idea", "prototype", "released"} and "released" in stages


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"resources": []}',
        json.dumps({"resources": [{"name": "projects", "data": []}]}).encode(),
    ],
)
def test_files_that_are_not_hackathon_packages_are_refused_clearly(data):
    with pytest.raises(ValidationError) as error:
        hackathon_import.parse(data)
    assert "file" in error.value.fields


def test_rows_without_name_or_summary_are_rejected_and_reported(admin):
    package = hackathon_import.parse(OLD.read_bytes())
    package["projects"] = [{"id": "1", "name": ""}, {"id": "2", "name": "Sans texte"}]
    package["activities"] = [{"id": "9", "project_id": "404", "content": "x", "user_name": "y"}]
    package["participants"] = []
    _hackathon, report = hackathon_import.import_package(admin, package)
    reasons = [(r["resource"], r["reason"]) for r in report if r["outcome"] == "rejected"]
    assert reasons == [
        ("projects", "no_name"),
        ("projects", "no_pitch"),
        ("activities", "unknown_project"),
    ]


def test_cli_imports_a_package_and_prints_its_report(app, tmp_root, backend):
    url = backends.database_url(backend, "hkimport", tmp_root)
    env = {
        "DATABASE_URL": url,
        "FABRIQUE_INSTANCE": f"{tmp_root}/instance-hkimport-{backend}",
        "SECRET_KEY": "k",
    }
    try:
        backends.run_flask(["db", "upgrade"], env)
        backends.run_flask(
            [
                "create-user",
                "--email",
                "admin@example.org",
                "--role",
                "admin",
                "--password",
                "une phrase solide",
            ],
            env,
            check=False,
        )
        result = backends.run_flask(["import-hackathon", str(OLD)], env, check=False)
        assert result.returncode == 0, result.stderr
        assert "/hackathons/multilingual-media" in result.stdout
        assert "participants not_stored: 32" in result.stdout
    finally:
        backends.drop_database(backend, url)


def test_packages_with_the_same_name_are_two_hackathons(admin):
    first, _ = _import(admin, DATA / "dribdat_data-hackdays-be-2023.datapackage.json")
    second, _ = _import(admin, DATA / "dribdat_innovation-mapping-festival-2025.datapackage.json")
    assert first.id != second.id
    assert db.session.scalar(select(func.count()).select_from(Hackathon)) == 2
