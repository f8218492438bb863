"""Hackathons, teams, proposals, scores and the showcase through /api/v1."""

import pytest

from crowdsourcing.services import proposals
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def hack(organiser):
    return h.hackathon(organiser)


def test_organiser_creates_a_hackathon_and_anyone_reads_it(client, organiser):
    factories.login(client, organiser.email)
    body = {
        "title": "Hackathon API",
        "starts_at": "2030-03-01T09:00:00+01:00",
        "ends_at": "2030-03-02T18:00:00+01:00",
        "capacity": 20,
        "online": True,
    }
    response = client.post("/api/v1/hackathons", json=body)
    assert response.status_code == 201, response.json
    assert response.json["phase"] == "registration" and response.json["online"]
    client.post("/logout")
    assert client.get("/api/v1/hackathons/hackathon-api").json["capacity"] == 20


def test_errors_have_the_one_shape_and_a_translated_message(client, hack):
    person = h.participant(hack)
    factories.login(client, person.email)
    response = client.post(
        f"/api/v1/hackathons/{hack.slug}/proposals",
        json={"title": "Sans données", "pitch": "Une appli sans données", "datasets": []},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "proposal.invalid" and "datasets" in error["fields"]
    assert client.post("/api/v1/hackathons", json={}).status_code in (403, 422)


def test_anonymous_calls_that_need_an_account_get_401(client, hack):
    assert client.post(f"/api/v1/hackathons/{hack.slug}/registration").status_code == 401
    assert client.get(f"/api/v1/hackathons/{hack.slug}/finder").status_code == 401


def test_register_team_up_and_submit_through_the_api(client, hack):
    person = factories.user()
    factories.login(client, person.email)
    assert client.post(f"/api/v1/hackathons/{hack.slug}/registration").json["status"] == "confirmed"
    team = client.post(f"/api/v1/hackathons/{hack.slug}/teams", json={"name": "API team"}).json
    assert team["member_count"] == 1
    datasets = [h.dataset(), h.dataset()]
    body = {
        "title": "Appli par l'API",
        "pitch": "Une appli construite par l'API",
        "datasets": [d.slug for d in datasets],
        "missing": [
            {"title": "Horaires des bus", "description": "Les horaires théoriques des bus"}
        ],
        "team": team["id"],
        "demo_url": "https://demo.example.org",
    }
    response = client.post(f"/api/v1/hackathons/{hack.slug}/proposals", json=body)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["status"] == "pending" and len(created["missing_data_requests"]) == 1
    assert client.get(f"/api/v1/proposals/{created['id']}").status_code == 200
    client.post("/logout")
    assert client.get(f"/api/v1/proposals/{created['id']}").status_code == 404


def test_join_leave_and_invite_through_the_api(client, hack):
    team = h.team(hack)
    person = h.participant(hack)
    factories.login(client, person.email)
    assert client.post(f"/api/v1/teams/{team.id}/members").json["member_count"] == 2
    assert client.put(f"/api/v1/teams/{team.id}/role", json={"role": "Data"}).json["role"] == "Data"
    invited = factories.user()
    response = client.post(f"/api/v1/teams/{team.id}/invites", json={"user_id": invited.id})
    assert response.status_code == 201 and response.json["status"] == "pending"
    assert client.delete(f"/api/v1/teams/{team.id}/members").status_code == 204


def test_finder_through_the_api_respects_privacy(client, hack):
    viewer = h.participant(hack)
    shown = h.participant(hack)
    (skill,) = h.with_skills(shown, ["SIG"], {"skills": "members"})
    hidden = h.participant(hack)
    h.with_skills(hidden, ["SIG"])  # skills private by default
    factories.login(client, viewer.email)
    people = client.get(f"/api/v1/hackathons/{hack.slug}/finder?skill={skill.id}").json
    assert [p["id"] for p in people] == [shown.id]
    assert people[0]["fields"] == {"skills": ["SIG"]}


def test_support_scores_ranking_exports_and_showcase(client, hack, organiser):
    moderator = factories.user(roles=["moderator"])
    data = h.dataset("Fontaines")
    proposal = h.proposal(hack, datasets=[data])
    h.approve(moderator, proposal)
    proposals.set_stage(proposal.author, proposal.id, "released")
    juror = factories.user()
    factories.login(client, juror.email)
    assert client.post(f"/api/v1/proposals/{proposal.id}/support").json == {"supporters": 1}
    assert client.delete(f"/api/v1/proposals/{proposal.id}/support").json == {"supporters": 0}
    h.to_judging(organiser, hack, jurors=[juror])
    criterion = hack.criteria[0]
    response = client.put(
        f"/api/v1/proposals/{proposal.id}/scores", json={"criterion_id": criterion.id, "value": 11}
    )
    assert response.status_code == 422
    response = client.put(
        f"/api/v1/proposals/{proposal.id}/scores", json={"criterion_id": criterion.id, "value": 7}
    )
    assert response.json["value"] == 7
    assert client.get(f"/api/v1/hackathons/{hack.slug}/ranking").status_code == 403
    client.post("/logout")
    factories.login(client, organiser.email)
    # One criterion of weight 2 scored 7/10, the other (weight 1) not scored: 2 * 0.7 / 3.
    assert client.get(f"/api/v1/hackathons/{hack.slug}/ranking").json[0]["total"] == 46.67
    export = client.get(f"/api/v1/hackathons/{hack.slug}/export/scores?format=csv")
    assert export.mimetype == "text/csv"
    assert (
        client.get(f"/api/v1/hackathons/{hack.slug}/export/proposals").json["proposals"][0]["id"]
        == proposal.id
    )
    assert client.post(f"/api/v1/hackathons/{hack.slug}/results").status_code == 204
    assert [p["id"] for p in client.get("/api/v1/showcase").json] == [proposal.id]
    assert [p["title"] for p in client.get(f"/api/v1/datasets/{data.slug}/apps").json] == [
        proposal.title
    ]


def test_screenshots_upload_through_the_api(client, hack):
    proposal = h.proposal(hack)
    factories.login(client, proposal.author.email)
    response = client.post(
        f"/api/v1/proposals/{proposal.id}/screenshots",
        data={"file": (__import__("io").BytesIO(h.png()), "ecran.png"), "caption": "Accueil"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    url = response.json["screenshots"][0]
    image = client.get(url)
    assert image.mimetype == "image/png"
    image.close()
    bad = client.post(
        f"/api/v1/proposals/{proposal.id}/screenshots",
        data={"file": (__import__("io").BytesIO(b"nope"), "x.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and bad.json["error"]["code"] == "screenshot.invalid"
