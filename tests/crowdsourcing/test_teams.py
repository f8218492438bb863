"""Teams: create, join, leave, roles, skills sought, invitations, and the team finder's privacy."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.hackathon_models import Team, TeamMember
from crowdsourcing.services import hackathons, teams
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.profiles import services as profiles


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def hack(organiser):
    return h.hackathon(organiser, team_size_max=2)


def _members():
    return db.session.scalar(select(func.count()).select_from(TeamMember))


def test_a_participant_creates_a_team_with_skills_sought_and_is_its_member(hack):
    person = h.participant(hack)
    skills = h.with_skills(factories.user(), ["Python", "Design"])
    team = teams.create(person, hack.id, {"name": "Les Ombres", "skills": [s.id for s in skills]})
    assert team.member_count == 1 and team.capacity == 2
    assert {s.name_fr for s in team.skills_sought} == {"Python", "Design"}
    assert teams.team_of(person, hack) == team


def test_create_refuses_non_participants_duplicates_and_bad_names(hack):
    with pytest.raises(PermissionDenied):
        teams.create(factories.user(), hack.id, {"name": "Solo"})
    person = h.participant(hack)
    with pytest.raises(ValidationError) as error:
        teams.create(person, hack.id, {"name": "x", "skills": [999999]})
    assert set(error.value.fields) == {"name", "skills"}
    teams.create(person, hack.id, {"name": "Les Ombres"})
    with pytest.raises(Conflict) as conflict:
        teams.create(person, hack.id, {"name": "Deuxième"})
    assert conflict.value.code == "team.already_member"
    with pytest.raises(ValidationError) as taken:
        teams.create(h.participant(hack), hack.id, {"name": "Les Ombres"})
    assert "name" in taken.value.fields
    assert db.session.scalar(select(func.count()).select_from(Team)) == 1


def test_join_respects_the_size_limit_and_one_team_per_hackathon(hack):
    team = h.team(hack)
    second = h.participant(hack)
    teams.join(second, team.id)
    before = _members()
    with pytest.raises(Conflict) as full:
        teams.join(h.participant(hack), team.id)
    assert full.value.code == "team.full"
    assert _members() == before
    other = h.team(hack)
    with pytest.raises(Conflict) as already:
        teams.join(second, other.id)
    assert already.value.code == "team.already_member"
    assert other.member_count == 1 and team.member_count == 2


def test_leave_frees_a_place_and_the_last_one_dissolves_the_team(hack):
    creator = h.participant(hack)
    team = h.team(hack, creator=creator)
    member = h.participant(hack)
    teams.join(member, team.id)
    teams.leave(member, team.id)
    assert team.member_count == 1
    with pytest.raises(NotFound):
        teams.leave(member, team.id)
    team_id = team.id
    teams.leave(creator, team_id)
    db.session.expire_all()
    assert db.session.get(Team, team_id) is None


def test_teams_are_frozen_once_submissions_close(hack, organiser):
    team = h.team(hack)
    late = h.participant(hack)
    hackathons.set_phase(organiser, hack.id, "building")
    hackathons.set_phase(organiser, hack.id, "submission_closed")
    with pytest.raises(Conflict) as error:
        teams.join(late, team.id)
    assert error.value.code == "team.closed"


def test_members_give_themselves_a_role_of_limited_length(hack):
    person = h.participant(hack)
    team = h.team(hack, creator=person)
    assert teams.set_role(person, team.id, " Développeuse  front ").role == "Développeuse front"
    with pytest.raises(ValidationError):
        teams.set_role(person, team.id, "x" * 81)
    with pytest.raises(PermissionDenied):
        teams.set_role(h.participant(hack), team.id, "Intrus")


def test_only_members_edit_the_team(hack):
    team = h.team(hack)
    with pytest.raises(PermissionDenied):
        teams.update(h.participant(hack), team.id, {"name": "Piratée"})


def test_invite_notifies_and_acceptance_joins_the_team(hack):
    inviter = h.participant(hack)
    team = h.team(hack, creator=inviter)
    invitee = h.participant(hack)
    invitation = teams.invite(inviter, team.id, invitee.id)
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == invitee.id, Notification.kind == "team.invited"
        )
    )
    assert note is not None and note.link == f"/hackathons/{hack.slug}/teams/{team.id}"
    assert teams.pending_invitations(invitee, hack) == [invitation]
    with pytest.raises(Conflict):
        teams.invite(inviter, team.id, invitee.id)
    teams.accept(invitee, invitation.id)
    assert teams.team_of(invitee, hack) == team
    with pytest.raises(Conflict):
        teams.accept(invitee, invitation.id)


def test_invitations_are_answered_by_their_addressee_only_and_can_be_declined(hack):
    inviter = h.participant(hack)
    team = h.team(hack, creator=inviter)
    invitee = h.participant(hack)
    invitation = teams.invite(inviter, team.id, invitee.id)
    with pytest.raises(NotFound):
        teams.accept(inviter, invitation.id)
    teams.decline(invitee, invitation.id)
    assert invitation.status == "declined"
    assert teams.team_of(invitee, hack) is None


def test_accepting_needs_a_registration_and_room(hack):
    inviter = h.participant(hack)
    team = h.team(hack, creator=inviter)
    outsider = factories.user()
    invitation = teams.invite(inviter, team.id, outsider.id)
    with pytest.raises(PermissionDenied) as error:
        teams.accept(outsider, invitation.id)
    assert error.value.code == "hackathon.not_registered"
    teams.join(h.participant(hack), team.id)
    with pytest.raises(Conflict):
        teams.invite(inviter, team.id, h.participant(hack).id)


def test_non_members_cannot_invite(hack):
    team = h.team(hack)
    with pytest.raises(PermissionDenied):
        teams.invite(h.participant(hack), team.id, factories.user().id)


# --- the team finder ---------------------------------------------------------------------------


def _finder_setup(hack):
    viewer = h.participant(hack)
    shown = h.participant(hack, name="Camille Visible")
    (python,) = h.with_skills(shown, ["Python"], {"skills": "members", "display_name": "members"})
    profiles.update_profile(shown, {"bio": "Bio secrète", "availability": "available"})
    profiles.set_visibility(shown, {"availability": "members"})
    hidden = h.participant(hack, name="Dominique Cachée")
    h.with_skills(hidden, ["Python"], {"skills": "private", "display_name": "members"})
    return viewer, shown, hidden, python


def test_finder_finds_people_by_a_skill_they_show_and_never_by_a_hidden_one(hack):
    viewer, shown, hidden, python = _finder_setup(hack)
    found = teams.find_people(viewer, hack, skill_id=python.id)
    assert [p["id"] for p in found] == [shown.id]
    person = found[0]
    assert person["display_name"] == "Camille Visible"
    assert person["fields"]["skills"] == ["Python"]
    assert "bio" not in person["fields"]  # private by default: never shown
    assert hidden.id not in [
        p["id"] for p in teams.find_people(viewer, hack, availability="available")
    ]


def test_finder_skips_people_already_in_a_team_and_puts_people_looking_first(hack):
    viewer, shown, _hidden, python = _finder_setup(hack)
    other = h.participant(hack, name="Alex Cherche")
    h.with_skills(other, ["Python"], {"skills": "members", "display_name": "members"})
    hackathons.set_looking(other, hack.id, True, "Cherche une équipe data")
    found = teams.find_people(viewer, hack, skill_id=python.id)
    assert [p["id"] for p in found][:1] == [other.id]
    assert found[0]["looking"] and found[0]["note"] == "Cherche une équipe data"
    h.team(hack, creator=shown)
    assert shown.id not in [p["id"] for p in teams.find_people(viewer, hack, skill_id=python.id)]


def test_finder_without_criteria_lists_people_looking_as_far_as_privacy_allows(hack):
    viewer = h.participant(hack)
    shy = h.participant(hack, name="Nom Caché")
    hackathons.set_looking(shy, hack.id, True)
    (person,) = teams.find_people(viewer, hack)
    assert person["id"] == shy.id and person["display_name"] != "Nom Caché"
    assert person["fields"] == {}


def test_finder_is_for_members_only(hack):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        teams.find_people(AnonymousUserMixin(), hack, skill_id=1)
