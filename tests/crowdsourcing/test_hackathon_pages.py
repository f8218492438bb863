"""Hackathon, team, proposal, showcase, jury and dataset pages: what each visitor sees and does."""

import pytest

from crowdsourcing.services import hackathons, jury, proposals, teams
from tests import factories
from tests.crowdsourcing import fr
from tests.crowdsourcing import hackathon_helpers as h


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def hack(organiser):
    return h.hackathon(organiser)


def test_list_and_detail_show_challenges_and_their_datasets_to_anyone(client, hack, organiser):
    data = h.dataset("Arbres d'alignement")
    hackathons.add_challenge(
        organiser,
        hack.id,
        {"title": "Ombre", "question": "Comment trouver l'ombre ?", "datasets": [data.slug]},
    )
    assert hack.title in client.get("/hackathons/").get_data(as_text=True)
    page = client.get(f"/hackathons/{hack.slug}").get_data(as_text=True)
    assert "Comment trouver l&#39;ombre ?" in page and f"/catalogue/{data.slug}" in page
    assert client.get(f"/hackathons/{hack.slug}/calendar.ics").data.startswith(b"BEGIN:VCALENDAR")


def test_a_member_registers_creates_a_team_and_submits_a_proposal_with_missing_data(client, hack):
    person = factories.user()
    factories.login(client, person.email)
    assert client.post(f"/hackathons/{hack.slug}/register").status_code == 302
    response = client.post(f"/hackathons/{hack.slug}/teams/new", data={"name": "Les Ombres"})
    assert response.status_code == 302
    team = teams.team_of(person, hack)
    datasets = [h.dataset("Arbres"), h.dataset("Bancs")]
    form = {
        "title": "Ombre en ville",
        "pitch": "Une carte des rues ombragées.",
        "datasets": [d.slug for d in datasets],
        "team": str(team.id),
        "missing_title_1": "Températures de surface",
        "missing_description_1": "Les températures mesurées par satellite, par rue",
        "repository_url": "https://git.example.org/ombre",
        "stage": "idea",
    }
    response = client.post(f"/hackathons/{hack.slug}/proposals/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Températures de surface" in page and "Arbres" in page


def test_a_proposal_without_data_shows_the_message_on_the_field(client, hack):
    person = h.participant(hack)
    factories.login(client, person.email)
    response = client.post(
        f"/hackathons/{hack.slug}/proposals/new",
        data={"title": "Sans données", "pitch": "Rien du tout ici."},
    )
    assert response.status_code == 422
    message = fr(
        "Name at least one dataset of the catalogue that your app uses: an app proposal is built on public data."
    )
    assert message in response.get_data(as_text=True)


def test_unpublished_proposals_are_hidden_from_the_public(client, hack):
    proposal = h.proposal(hack)
    assert client.get(f"/hackathons/{hack.slug}/proposals/{proposal.id}").status_code == 404


def test_team_page_offers_the_finder_to_members_only(client, hack):
    creator = h.participant(hack)
    team = h.team(hack, creator=creator)
    page = client.get(f"/hackathons/{hack.slug}/teams/{team.id}").get_data(as_text=True)
    assert fr("Find teammates") not in page
    factories.login(client, creator.email)
    page = client.get(f"/hackathons/{hack.slug}/teams/{team.id}").get_data(as_text=True)
    assert fr("Find teammates") in page


def test_finder_page_never_shows_a_hidden_skill_or_name(client, hack):
    creator = h.participant(hack)
    team = h.team(hack, creator=creator)
    secret = h.participant(hack, name="Nom Très Secret")
    (skill,) = h.with_skills(secret, ["Cartographie"], {"skills": "members"})
    hackathons.set_looking(secret, hack.id, True)
    factories.login(client, creator.email)
    page = client.get(f"/hackathons/{hack.slug}/teams/{team.id}?skill={skill.id}").get_data(
        as_text=True
    )
    assert "Cartographie" in page and "Nom Très Secret" not in page


def test_dataset_page_lists_the_apps_built_on_it_once_approved(client, hack, moderator):
    data = h.dataset("Parkings vélo")
    proposal = h.proposal(hack, datasets=[data], title="Vélo tranquille")
    assert "Vélo tranquille" not in client.get(f"/catalogue/{data.slug}").get_data(as_text=True)
    h.approve(moderator, proposal)
    assert "Vélo tranquille" in client.get(f"/catalogue/{data.slug}").get_data(as_text=True)


def test_showcase_shows_released_apps_only(client, hack, moderator):
    idea = h.proposal(hack, title="Encore une idée")
    released = h.proposal(hack, title="Appli publiée")
    for row in (idea, released):
        h.approve(moderator, row)
    proposals.set_stage(released.author, released.id, "released")
    page = client.get("/showcase/").get_data(as_text=True)
    assert "Appli publiée" in page and "Encore une idée" not in page


def test_support_from_a_page_counts_once(client, hack, moderator):
    proposal = h.proposal(hack)
    h.approve(moderator, proposal)
    member = factories.user()
    factories.login(client, member.email)
    url = f"/hackathons/{hack.slug}/proposals/{proposal.id}"
    client.post(f"/proposals/{proposal.id}/support", data={"next": url})
    client.post(f"/proposals/{proposal.id}/support", data={"next": url})
    assert proposals.supporters_count(proposal.id) == 1


def test_jury_page_saves_scores_and_ranking_is_for_organisers(client, hack, organiser, moderator):
    proposal = h.proposal(hack)
    h.approve(moderator, proposal)
    juror = factories.user()
    h.to_judging(organiser, hack, jurors=[juror])
    factories.login(client, juror.email)
    form = {"proposal": proposal.id, **{f"criterion-{c.id}": "8" for c in hack.criteria}}
    assert client.post(f"/hackathons/{hack.slug}/jury", data=form).status_code == 302
    assert client.get(f"/hackathons/{hack.slug}/ranking").status_code == 403
    client.post("/logout")
    factories.login(client, organiser.email)
    assert "80.0" in client.get(f"/hackathons/{hack.slug}/ranking").get_data(as_text=True)
    csv_text = client.get(f"/hackathons/{hack.slug}/export/scores.csv").get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("proposal_id,")
    client.post(f"/hackathons/{hack.slug}/results")
    assert jury.ranking(factories.user(), hack.id)[1][0]["rank"] == 1


def test_organiser_creates_a_hackathon_from_the_form(client, organiser):
    factories.login(client, organiser.email)
    form = {
        "title": "Hackathon de l'eau",
        "starts_at": "2030-05-01T09:00",
        "ends_at": "2030-05-02T18:00",
        "capacity": "30",
        "team_size_max": "4",
        "address": "Médiathèque Zola",
    }
    response = client.post("/hackathons/new", data=form)
    assert response.status_code == 302
    assert hackathons.get("hackathon-de-l-eau").team_size_max == 4
    assert client.post("/hackathons/new", data={**form, "capacity": ""}).status_code == 422


def test_residents_cannot_reach_the_organisers_page(client, hack):
    factories.login(client, factories.user().email)
    assert client.get(f"/hackathons/{hack.slug}/manage").status_code == 403
    assert client.get("/hackathons/new").status_code == 403


def test_a_kind_whose_page_does_not_exist_yet_leaves_the_inbox_working(client, hack, monkeypatch):
    """A package may register a kind before its pages are served: no link, no error."""
    from dataclasses import replace

    from flask import url_for

    from crowdsourcing import registry

    kind = registry.KINDS[proposals.KIND]
    broken = replace(kind, url=lambda obj: url_for("nowhere.page", id=obj.id))
    monkeypatch.setitem(registry.KINDS, proposals.KIND, broken)
    proposal = h.proposal(hack, title="Projet sans page")
    moderator = factories.user(roles=["moderator"])
    factories.login(client, moderator.email)
    response = client.get("/moderation/")
    assert response.status_code == 200 and "Projet sans page" in response.get_data(as_text=True)
    submission = proposals.submission_of(proposal)
    assert client.get(f"/moderation/{submission.id}").status_code == 200
