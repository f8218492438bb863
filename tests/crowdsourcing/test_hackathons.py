"""Hackathons: creation, challenges, jury and criteria, phases, participants' registration."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crowdsourcing.hackathon_models import Hackathon, Seeker
from crowdsourcing.services import hackathons
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h
from webapp.db import utcnow
from webapp.errors import Conflict, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import ics
from webapp.registrations.models import CONFIRMED, WAITLISTED


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


def _count():
    return db.session.scalar(select(func.count()).select_from(Hackathon))


def test_organiser_creates_a_hackathon_in_registration_with_its_registration_list(organiser):
    hack = h.hackathon(organiser, capacity=40, title="Hackathon Mobilité")
    assert hack.slug == "hackathon-mobilite"
    assert hack.phase == "registration"
    assert hack.registration_list.kind == "hackathon"
    assert hack.registration_list.capacity == 40
    assert hack.registration_list.page_url == "/hackathons/hackathon-mobilite"
    assert round(hack.registration_list.lon, 4) == 3.8958
    assert h.hackathon(organiser, title="Hackathon Mobilité").slug == "hackathon-mobilite-2"


def test_create_refuses_a_resident_and_changes_nothing(session):
    before = _count()
    with pytest.raises(PermissionDenied):
        h.hackathon(factories.user())
    assert _count() == before


def test_create_needs_an_address_unless_online_and_explains_every_field(organiser):
    before = _count()
    with pytest.raises(ValidationError) as error:
        h.hackathon(organiser, title="x", address=None, team_size_max=0, online_url="ftp://x")
    assert set(error.value.fields) == {"title", "address", "team_size_max", "online_url"}
    assert _count() == before
    online = h.hackathon(
        organiser,
        address=None,
        online=True,
        online_url="https://visio.example.org",
        lon=None,
        lat=None,
    )
    assert online.online and online.registration_list.online_url == "https://visio.example.org"


def test_create_refuses_an_end_before_the_start(organiser):
    start = utcnow() + timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        h.hackathon(organiser, starts_at=start, ends_at=start - timedelta(hours=1))
    assert "ends_at" in error.value.fields


def test_challenge_links_catalogue_datasets_and_backlog_items(organiser):
    from crowdsourcing.services import backlog

    hack = h.hackathon(organiser)
    moderator = factories.user(roles=["moderator"])
    item = backlog.create(moderator, {"title": "Comptages vélo"})
    datasets = [h.dataset("Arbres"), h.dataset("Bancs")]
    challenge = hackathons.add_challenge(
        organiser,
        hack.id,
        {
            "title": "Moins de chaleur en ville",
            "question": "Comment aider les piétons à trouver l'ombre ?",
            "datasets": [d.slug for d in datasets],
            "backlog_items": [item.id],
        },
    )
    assert [d.title for d in challenge.datasets] == ["Arbres", "Bancs"]
    assert challenge.backlog_items == [item]


def test_challenge_refuses_unknown_datasets_and_other_organisers(organiser):
    hack = h.hackathon(organiser)
    data = {"title": "Défi", "question": "Une question assez longue ?", "datasets": ["nope"]}
    with pytest.raises(ValidationError) as error:
        hackathons.add_challenge(organiser, hack.id, data)
    assert "datasets" in error.value.fields
    with pytest.raises(PermissionDenied):
        hackathons.add_challenge(
            factories.user(roles=["organiser"]), hack.id, {**data, "datasets": []}
        )
    assert hack.challenges == []


def test_phases_follow_the_allowed_transitions_only(organiser):
    hack = h.hackathon(organiser)
    with pytest.raises(Conflict) as error:
        hackathons.set_phase(organiser, hack.id, "judging")
    assert error.value.code == "hackathon.transition_forbidden"
    hackathons.set_phase(organiser, hack.id, "building")
    assert hack.registration_list.is_open
    hackathons.set_phase(organiser, hack.id, "submission_closed")
    assert not hack.registration_list.is_open
    hackathons.set_phase(organiser, hack.id, "building")  # reopened for late teams
    hackathons.set_phase(organiser, hack.id, "submission_closed")
    with pytest.raises(Conflict) as error:
        hackathons.set_phase(organiser, hack.id, "judging")
    assert error.value.code == "hackathon.jury_incomplete"
    assert hack.phase == "submission_closed"


def test_results_are_final_and_dated(organiser):
    hack = h.to_judging(organiser, h.hackathon(organiser), jurors=[factories.user()])
    hackathons.set_phase(organiser, hack.id, "results")
    assert hack.results_published_at is not None
    for phase in ("judging", "building", "registration"):
        with pytest.raises(Conflict):
            hackathons.set_phase(organiser, hack.id, phase)


def test_only_its_organisers_and_admins_change_the_phase(organiser):
    hack = h.hackathon(organiser)
    with pytest.raises(PermissionDenied):
        hackathons.set_phase(factories.user(roles=["organiser"]), hack.id, "building")
    hackathons.set_phase(factories.user(roles=["admin"]), hack.id, "building")
    assert hack.phase == "building"


def test_criteria_weights_and_scales_are_checked_and_frozen_once_judging(organiser):
    hack = h.hackathon(organiser)
    with pytest.raises(ValidationError) as error:
        hackathons.add_criterion(organiser, hack.id, {"name": "U", "weight": 0, "scale_max": 500})
    assert set(error.value.fields) == {"name", "weight", "scale_max"}
    h.to_judging(organiser, hack, jurors=[factories.user()])
    with pytest.raises(Conflict):
        hackathons.add_criterion(organiser, hack.id, {"name": "Tardif", "weight": 1})
    assert [c.name for c in hack.criteria] == ["Utilité", "Qualité"]


def test_jury_members_are_unique_and_fixed_once_judging(organiser):
    hack = h.hackathon(organiser)
    juror = factories.user()
    hackathons.add_juror(organiser, hack.id, juror.id)
    with pytest.raises(Conflict):
        hackathons.add_juror(organiser, hack.id, juror.id)
    with pytest.raises(ValidationError):
        hackathons.add_juror(organiser, hack.id, 999999)
    h.to_judging(organiser, hack)
    with pytest.raises(Conflict):
        hackathons.remove_juror(organiser, hack.id, juror.id)


def test_participants_register_through_the_shared_capacity_and_waitlist(organiser, mailbox):
    hack = h.hackathon(organiser, capacity=1)
    first, second = factories.user(), factories.user()
    assert hackathons.register(first, hack.id).status == CONFIRMED
    assert hackathons.register(second, hack.id).status == WAITLISTED
    assert hackathons.is_participant(first, hack) and not hackathons.is_participant(second, hack)
    assert "BEGIN:VEVENT" in ics.calendar_for(hack.registration_list)
    hackathons.cancel(first, hack.id)
    assert hackathons.is_participant(second, hack)


def test_cancelling_leaves_the_team_and_the_people_looking(organiser):
    hack = h.hackathon(organiser)
    person = h.participant(hack)
    team = h.team(hack, creator=person)
    other = h.participant(hack)
    hackathons.set_looking(other, hack.id, True, "Développeuse")
    hackathons.cancel(person, hack.id)
    hackathons.cancel(other, hack.id)
    assert db.session.get(type(team), team.id) is None  # the last member dissolved it
    assert db.session.scalar(select(func.count()).select_from(Seeker)) == 0


def test_looking_for_a_team_needs_a_registration(organiser):
    hack = h.hackathon(organiser)
    with pytest.raises(PermissionDenied) as error:
        hackathons.set_looking(factories.user(), hack.id, True)
    assert error.value.code == "hackathon.not_registered"


def test_team_size_cannot_go_below_a_team_s_members(organiser):
    hack = h.hackathon(organiser, team_size_max=3)
    team = h.team(hack)
    from crowdsourcing.services import teams

    teams.join(h.participant(hack), team.id)
    data = {"title": hack.title, "team_size_max": 1}
    with pytest.raises(ValidationError) as error:
        hackathons.update(organiser, hack.id, data)
    assert "team_size_max" in error.value.fields
    hackathons.update(organiser, hack.id, {**data, "team_size_max": 4})
    assert team.capacity == 4
