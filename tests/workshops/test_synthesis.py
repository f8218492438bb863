"""Synthesis by the facilitators: themes, requirements linked to ideas, the published
requirements document and who it credits."""

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.workshops import creator, idea, workshop
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.profiles import services as profiles
from workshops import document, policies
from workshops.models import Requirement, Theme
from workshops.services import ideas, synthesis, votes


def _story(ideas_=(), **changes):
    return {
        "role": "habitante âgée",
        "goal": "trouver le lieu frais le plus proche",
        "benefit": "m'y rendre à pied",
        "priority": "must",
        "ideas": [i.id for i in ideas_],
        **changes,
    }


def test_facilitators_create_rename_delete_themes_and_group_ideas(session):
    row = workshop()
    posted = idea(row)
    theme = synthesis.create_theme(creator(row), row.id, "  Se rafraîchir ")
    assert theme.name == "Se rafraîchir"
    ideas.set_theme(creator(row), posted.id, theme.id)
    assert posted.theme_id == theme.id
    synthesis.rename_theme(creator(row), theme.id, "Trouver de l'ombre")
    assert theme.name == "Trouver de l'ombre"
    synthesis.delete_theme(creator(row), theme.id)
    db.session.expire_all()
    assert db.session.get(type(posted), posted.id).theme_id is None


def test_theme_names_are_unique_per_workshop_and_checked(session):
    row = workshop()
    synthesis.create_theme(creator(row), row.id, "Ombre")
    for name, code in (
        ("Ombre", "theme.name_taken"),
        ("", "theme.invalid"),
        ("x" * 121, "theme.invalid"),
    ):
        with pytest.raises(ValidationError) as error:
            synthesis.create_theme(creator(row), row.id, name)
        assert error.value.code == code
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1


def test_an_idea_goes_only_into_a_theme_of_its_workshop(session):
    row, other = workshop(), workshop()
    foreign = synthesis.create_theme(creator(other), other.id, "Ailleurs")
    with pytest.raises(ValidationError):
        ideas.set_theme(creator(row), idea(row).id, foreign.id)


def test_participants_and_other_organisers_cannot_do_the_synthesis(session):
    row = workshop()
    posted = idea(row)
    theme = synthesis.create_theme(creator(row), row.id, "Ombre")
    for outsider in (posted.author, factories.user(), factories.user(roles=["organiser"])):
        assert not policies.can_facilitate(outsider, row)
        with pytest.raises(PermissionDenied):
            synthesis.create_theme(outsider, row.id, "Autre")
        with pytest.raises(PermissionDenied):
            synthesis.rename_theme(outsider, theme.id, "Autre")
        with pytest.raises(PermissionDenied):
            ideas.set_theme(outsider, posted.id, theme.id)
        with pytest.raises(PermissionDenied):
            synthesis.save_requirement(outsider, row.id, _story([posted]))
        with pytest.raises(PermissionDenied):
            synthesis.publish(outsider, row.id)
    assert theme.name == "Ombre" and posted.theme_id is None
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


def test_a_requirement_is_a_user_story_with_a_priority_justified_by_ideas(session):
    row = workshop()
    first, second = idea(row), idea(row)
    requirement = synthesis.save_requirement(creator(row), row.id, _story([first, second]))
    assert requirement.ideas == [first, second] and requirement.position == 1
    synthesis.save_requirement(
        creator(row), row.id, _story([second], priority="could"), requirement.id
    )
    assert (requirement.priority, requirement.ideas) == ("could", [second])
    assert synthesis.save_requirement(creator(row), row.id, _story()).position == 2


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"role": "x"}, "role"),
        ({"goal": ""}, "goal"),
        ({"benefit": "x" * 2001}, "benefit"),
        ({"priority": "maybe"}, "priority"),
        ({"ideas": [999999]}, "ideas"),
        ({"ideas": ["abc"]}, "ideas"),
    ],
)
def test_bad_requirements_are_refused_and_nothing_is_written(session, changes, field):
    row = workshop()
    with pytest.raises(ValidationError) as error:
        synthesis.save_requirement(creator(row), row.id, _story(**changes))
    assert field in error.value.fields
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


def test_a_requirement_cannot_cite_ideas_of_another_workshop(session):
    row, other = workshop(), workshop()
    with pytest.raises(ValidationError):
        synthesis.save_requirement(creator(row), row.id, _story([idea(other)]))


def test_publishing_needs_a_requirement_and_a_published_workshop(session):
    draft = workshop(status="draft")
    with pytest.raises(Conflict):
        synthesis.publish(creator(draft), draft.id)
    row = workshop()
    with pytest.raises(ValidationError) as error:
        synthesis.publish(creator(row), row.id)
    assert error.value.code == "requirements.empty"
    synthesis.save_requirement(creator(row), row.id, _story())
    assert not policies.can_view_requirements(None, row)
    synthesis.publish(creator(row), row.id, "Deux séances, douze idées.")
    assert policies.can_view_requirements(None, row)
    synthesis.unpublish(creator(row), row.id)
    assert not policies.can_view_requirements(None, row)
    with pytest.raises(NotFound):
        synthesis.delete_requirement(creator(row), 999999)


def test_the_document_credits_people_only_as_their_privacy_choices_allow(session):
    row = workshop()
    public_person = factories.user(name="Nour Publique")
    profiles.set_visibility(public_person, {"display_name": "public"})
    members_only = factories.user(name="Jeanne Membres")
    profiles.set_visibility(members_only, {"display_name": "members"})
    shown, hidden = idea(row, public_person), idea(row, members_only)
    votes.cast(factories.user(), shown.id)
    synthesis.save_requirement(creator(row), row.id, _story([shown, hidden]))
    synthesis.publish(creator(row), row.id)

    anonymous = document.build(None, row)
    assert "Nour Publique" in anonymous["contributors"]
    assert "Jeanne Membres" not in anonymous["contributors"]
    assert anonymous["hidden_contributors"] == 1
    assert anonymous["authors"][hidden.id] != "Jeanne Membres"
    member_view = document.build(factories.user(), row)
    assert "Jeanne Membres" in member_view["contributors"]
    (section,) = anonymous["sections"]
    assert [i.id for i in section["rows"][0]["ideas"]] == [shown.id, hidden.id]
    assert anonymous["totals"] == {shown.id: 1}
