"""App proposals: datasets required, missing data as dataset requests, moderation, stages,
progress log, supports."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from crowdsourcing.hackathon_models import Proposal, ProposalSupport
from crowdsourcing.models import DatasetRequest, Submission
from crowdsourcing.services import hackathons, proposals, teams
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def hack(organiser):
    return h.hackathon(organiser)


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(Proposal)),
        db.session.scalar(select(func.count()).select_from(DatasetRequest)),
        db.session.scalar(select(func.count()).select_from(Submission)),
    )


def test_submitting_a_proposal_puts_it_in_moderation_unpublished(hack):
    datasets = [h.dataset("Arbres"), h.dataset("Bancs")]
    author = h.participant(hack)
    proposal = h.proposal(hack, author=author, datasets=datasets)
    submission = proposals.submission_of(proposal)
    assert submission.status == "pending" and submission.context == f"hackathon:{hack.slug}"
    assert [d.title for d in proposal.datasets] == ["Arbres", "Bancs"]
    assert not proposals.is_public(proposal)
    assert proposals.get_visible(author, proposal.id) == proposal
    with pytest.raises(NotFound):
        proposals.get_visible(factories.user(), proposal.id)


def test_a_proposal_without_data_is_refused_with_a_clear_message_and_nothing_changes(hack):
    author = h.participant(hack)
    before = _counts()
    data = h.proposal_data(
        [], missing=[{"title": "Ombres portées", "description": "Les ombres des bâtiments"}]
    )
    with pytest.raises(ValidationError) as error:
        proposals.submit(author, hack.id, data)
    assert error.value.code == "proposal.invalid"
    with force_locale("en"):
        assert "at least one dataset of the catalogue" in str(error.value.fields["datasets"][0])
    assert _counts() == before


def test_unknown_datasets_bad_urls_and_licences_are_refused_field_by_field(hack):
    author = h.participant(hack)
    data = h.proposal_data(
        [h.dataset()],
        title="abc",
        repository_url="javascript:alert(1)",
        demo_url="ftp://example.org/app",
        licence="wtfpl",
    )
    data["datasets"].append("inconnu")
    before = _counts()
    with pytest.raises(ValidationError) as error:
        proposals.submit(author, hack.id, data)
    assert set(error.value.fields) == {"title", "repository_url", "demo_url", "licence", "datasets"}
    assert _counts() == before


@pytest.mark.parametrize("url", ["https://app.example.org/x?y=1", "http://localhost:8000/"])
def test_http_and_https_addresses_are_accepted(hack, url):
    proposal = h.proposal(hack, demo_url=url)
    assert proposal.demo_url == url


def test_each_missing_dataset_becomes_a_dataset_request_linked_back(hack, organiser):
    from crowdsourcing.hackathon_queries import proposals_of_requests

    department = factories.department(slug="mobilite")
    challenge = hackathons.add_challenge(
        organiser,
        hack.id,
        {"title": "Mobilité", "question": "Comment mieux circuler ?", "department": "mobilite"},
    )
    missing = [
        {"title": "Comptages vélo horaires", "description": "Les compteurs vélo, heure par heure"},
        {"title": "", "description": ""},  # an empty row of the form is ignored
    ]
    proposal = h.proposal(hack, missing=missing, challenge=challenge.id)
    (request,) = proposal.missing
    assert request.requester_id == proposal.author_id and request.department_id == department.id
    assert proposal.title in request.intended_use
    assert dataset_requests.submission_of(request).status == "pending"
    assert proposals_of_requests([request.id]) == {request.id: proposal}


def test_a_bad_missing_dataset_refuses_the_whole_proposal(hack):
    author = h.participant(hack)
    before = _counts()
    data = h.proposal_data([h.dataset()], missing=[{"title": "Eau", "description": "court"}])
    with pytest.raises(ValidationError) as error:
        proposals.submit(author, hack.id, data)
    assert set(error.value.fields) == {"missing.0.title", "missing.0.description"}
    assert _counts() == before


def test_only_participants_submit_and_only_while_submissions_are_open(hack, organiser):
    with pytest.raises(PermissionDenied):
        h.proposal(hack, author=factories.user())
    author = h.participant(hack)
    hackathons.set_phase(organiser, hack.id, "building")
    hackathons.set_phase(organiser, hack.id, "submission_closed")
    with pytest.raises(Conflict) as error:
        h.proposal(hack, author=author)
    assert error.value.code == "proposal.closed"


def test_a_team_submits_one_proposal_and_any_member_edits_it(hack):
    creator = h.participant(hack)
    team = h.team(hack, creator=creator)
    member = h.participant(hack)
    teams.join(member, team.id)
    proposal = h.proposal(hack, author=creator, team=team.id)
    with pytest.raises(Conflict) as error:
        h.proposal(hack, author=member, team=team.id)
    assert error.value.code == "proposal.team_has_one"
    with pytest.raises(PermissionDenied):
        h.proposal(hack, team=team.id)  # not a member
    data = h.proposal_data(proposal.datasets, title="Ombre en ville, version 2")
    proposals.update(member, proposal.id, data)
    assert proposals.submission_of(proposal).title == "Ombre en ville, version 2"
    with pytest.raises(PermissionDenied):
        proposals.update(h.participant(hack), proposal.id, data)


def test_stage_moves_forward_only_and_is_logged(hack):
    proposal = h.proposal(hack)
    author = proposal.author
    proposals.set_stage(author, proposal.id, "prototype", "Première version en ligne")
    with pytest.raises(Conflict) as error:
        proposals.set_stage(author, proposal.id, "idea")
    assert error.value.code == "proposal.stage_backwards"
    with pytest.raises(ValidationError):
        proposals.set_stage(author, proposal.id, "legendary")
    proposals.set_stage(author, proposal.id, "released")
    assert proposal.stage == "released"
    assert [u.stage for u in proposal.updates] == ["released", "prototype"]


def test_progress_log_is_frozen_while_the_jury_works(hack, organiser):
    proposal = h.proposal(hack)
    proposals.log_progress(proposal.author, proposal.id, "Carte des ombres terminée")
    with pytest.raises(ValidationError):
        proposals.log_progress(proposal.author, proposal.id, "")
    h.to_judging(organiser, hack, jurors=[factories.user()])
    with pytest.raises(Conflict) as error:
        proposals.log_progress(proposal.author, proposal.id, "Encore un peu")
    assert error.value.code == "proposal.frozen"
    assert len(proposal.updates) == 1


def test_members_support_a_published_proposal_once_and_may_withdraw(hack, moderator):
    proposal = h.proposal(hack)
    member = factories.user()
    with pytest.raises(NotFound):
        proposals.support(member, proposal.id)  # not published yet
    h.approve(moderator, proposal)
    assert proposals.support(member, proposal.id) == 1
    assert proposals.support(member, proposal.id) == 1
    assert proposals.supported_by(member, [proposal.id]) == {proposal.id}
    assert proposals.withdraw_support(member, proposal.id) == 0
    with pytest.raises(Conflict):
        proposals.support(proposal.author, proposal.id)


def test_the_database_keeps_one_support_per_member_and_proposal(hack, moderator):
    from sqlalchemy.exc import IntegrityError

    proposal = h.proposal(hack)
    h.approve(moderator, proposal)
    member = factories.user()
    proposals.support(member, proposal.id)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=member.id))
        db.session.flush()


def test_a_rejected_proposal_stays_unpublished(hack, moderator):
    from crowdsourcing.services import moderation

    proposal = h.proposal(hack)
    submission = proposals.submission_of(proposal)
    moderation.decide(moderator, submission.id, submission.version, "reject", note="Hors sujet")
    assert not proposals.is_public(proposal)
    with pytest.raises(NotFound):
        proposals.get_visible(factories.user(), proposal.id)
