"""The issue's done-when scenario, end to end through the services."""

from crowdsourcing import hackathon_queries, queries
from crowdsourcing.services import backlog, hackathons, jury, moderation, proposals, teams
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h


def test_register_team_up_by_skill_submit_route_missing_data_rank_and_showcase(session):
    organiser = factories.user(roles=["organiser"])
    moderator = factories.user(roles=["moderator"])
    hack = h.hackathon(organiser, team_size_max=4)
    trees, benches = h.dataset("Arbres d'alignement"), h.dataset("Bancs publics")

    # A participant registers and creates a team looking for a cartographer.
    alice = factories.user(name="Alice")
    assert hackathons.register(alice, hack.id).status == "confirmed"
    bob = h.participant(hack, name="Bob")
    (mapping,) = h.with_skills(
        bob, ["Cartographie"], {"skills": "members", "display_name": "members"}
    )
    hackathons.set_looking(bob, hack.id, True, "Je fais des cartes")
    team = teams.create(alice, hack.id, {"name": "Les Ombres", "skills": [mapping.id]})

    # She finds Bob by skill, invites him, he accepts.
    (found,) = teams.find_people(alice, hack, skill_id=mapping.id)
    assert found["id"] == bob.id and found["looking"]
    invitation = teams.invite(alice, team.id, bob.id)
    teams.accept(bob, invitation.id)
    assert team.member_count == 2

    # The team submits a proposal naming two datasets and one missing dataset.
    data = h.proposal_data(
        [trees, benches],
        team=team.id,
        missing=[
            {"title": "Températures de surface", "description": "Les îlots de chaleur, rue par rue"}
        ],
    )
    proposal = proposals.submit(alice, hack.id, data)
    (request,) = proposal.missing

    # The missing dataset reaches the moderation inbox and is routed into the backlog.
    request_submission = dataset_requests.submission_of(request)
    inbox, _after = queries.inbox({"status": "pending", "kind": "dataset_request"})
    assert request_submission.id in [s.id for s in inbox]
    item = backlog.route(
        moderator,
        request_submission.id,
        new={"title": "Températures de surface"},
        version=request_submission.version,
    )

    # The proposal is approved and supported: it counts as demand on the item.
    h.approve(moderator, proposal)
    supporter = factories.user()
    proposals.support(supporter, proposal.id)
    demand = queries.demand([item.id])[item.id]
    assert demand["proposals"] == 1
    assert demand["people"] == 2  # Alice (requester) and the proposal's supporter
    assert {p.id for p in queries.linked_people(item.id)} == {alice.id, supporter.id}

    # Released, it shows in the showcase and on both datasets' pages.
    proposals.set_stage(bob, proposal.id, "released", "En ligne !")
    assert proposal in hackathon_queries.showcase()
    for dataset in (trees, benches):
        assert proposal in hackathon_queries.apps_of_dataset(dataset.id)

    # The jury scores; the ranking follows; results are published.
    other = h.proposal(hack, title="Bancs partout")
    h.approve(moderator, other)
    juror = factories.user()
    h.to_judging(organiser, hack, jurors=[juror])
    for criterion in hack.criteria:
        jury.score(juror, proposal.id, criterion.id, 9)
        jury.score(juror, other.id, criterion.id, 5)
    jury.publish_results(organiser, hack.id)
    _hack, rows = jury.ranking(factories.user(), hack.id)
    assert [(r["rank"], r["proposal"].id) for r in rows] == [(1, proposal.id), (2, other.id)]
    assert moderation  # the pipeline carried both submissions
