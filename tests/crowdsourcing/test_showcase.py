"""The showcase, the apps of a dataset, and a participant's hackathon data (export, erasure)."""

from crowdsourcing.hackathon_models import Seeker
from crowdsourcing.services import hackathons, proposals
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h
from webapp.extensions import db
from webapp.privacy import services as privacy


def _published(moderator, hack, **data):
    row = h.proposal(hack, **data)
    h.approve(moderator, row)
    return row


def test_showcase_lists_released_approved_apps_newest_first_with_their_datasets(session):
    from crowdsourcing import hackathon_queries

    moderator = factories.user(roles=["moderator"])
    hack = h.hackathon()
    data = h.dataset("Qualité de l'air")
    first = _published(moderator, hack, datasets=[data])
    second = _published(moderator, hack)
    pending = h.proposal(hack)
    for row in (first, second, pending):
        proposals.set_stage(row.author, row.id, "released")
    shown = hackathon_queries.showcase()
    assert set(shown) == {first, second} and pending not in shown
    assert [d.title for d in first.datasets] == ["Qualité de l'air"]


def test_a_hidden_proposal_leaves_the_showcase_and_the_dataset_page(session):
    from crowdsourcing import hackathon_queries

    moderator = factories.user(roles=["moderator"])
    hack = h.hackathon()
    data = h.dataset()
    row = _published(moderator, hack, datasets=[data])
    proposals.set_stage(row.author, row.id, "released")
    submission = proposals.submission_of(row)
    submission.hidden = True
    db.session.flush()
    assert row not in hackathon_queries.showcase()
    assert hackathon_queries.apps_of_dataset(data.id) == []


def test_apps_of_a_dataset_put_released_ones_first(session):
    from crowdsourcing import hackathon_queries

    moderator = factories.user(roles=["moderator"])
    hack = h.hackathon()
    data = h.dataset()
    idea = _published(moderator, hack, datasets=[data], title="Aaa idée")
    released = _published(moderator, hack, datasets=[data], title="Zzz publiée")
    proposals.set_stage(released.author, released.id, "released")
    assert hackathon_queries.apps_of_dataset(data.id) == [released, idea]


def test_export_holds_proposals_teams_and_notes_and_erasure_removes_the_notes(session):
    hack = h.hackathon()
    person = h.participant(hack)
    team = h.team(hack, creator=person, name="Équipe export")
    h.proposal(hack, author=person, team=team.id, title="Mon appli à exporter")
    other = h.hackathon()
    hackathons.register(person, other.id)
    hackathons.set_looking(person, other.id, True, "Je code en Python")
    sections = {name: data for name, data, _files in (fn(person) for fn in privacy.EXPORTERS)}
    mine = sections["hackathons"]
    assert mine["proposals"][0]["title"] == "Mon appli à exporter"
    assert mine["teams"][0]["team"] == "Équipe export"
    assert mine["looking_for_a_team"][0]["note"] == "Je code en Python"
    for eraser in privacy.ERASERS:
        eraser(person)
    assert db.session.query(Seeker).filter_by(user_id=person.id).count() == 0
