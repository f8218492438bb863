"""Jury scores per criterion, the weighted ranking, published results, exports."""

import csv
import io
import json

import pytest

from crowdsourcing.services import hackathons, jury
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def setting(organiser):
    """A hackathon in judging with two jurors, two criteria (weights 2 and 1) and two
    approved proposals."""
    moderator = factories.user(roles=["moderator"])
    hack = h.hackathon(organiser)
    first = h.proposal(hack, title="Ombre en ville")
    second = h.proposal(hack, title="Bancs partout")
    for row in (first, second):
        h.approve(moderator, row)
    jurors = [factories.user(), factories.user()]
    h.to_judging(organiser, hack, jurors=jurors, criteria=[("Utilité", 2), ("Qualité", 1)])
    usefulness, quality = hack.criteria
    return hack, (first, second), jurors, (usefulness, quality)


def test_jurors_score_per_criterion_and_may_change_their_score(setting):
    hack, (first, _second), (juror, _other), (usefulness, _quality) = setting
    jury.score(juror, first.id, usefulness.id, 7)
    row = jury.score(juror, first.id, usefulness.id, 9)
    assert row.value == 9
    assert jury.my_scores(juror, hack) == {(first.id, usefulness.id): 9}


def test_only_jurors_score_and_only_during_judging(setting, organiser):
    hack, (first, _s), (juror, _o), (usefulness, _q) = setting
    with pytest.raises(PermissionDenied):
        jury.score(factories.user(), first.id, usefulness.id, 5)
    with pytest.raises(PermissionDenied):
        jury.score(organiser, first.id, usefulness.id, 5)
    jury.publish_results(organiser, hack.id)
    with pytest.raises(Conflict) as error:
        jury.score(juror, first.id, usefulness.id, 5)
    assert error.value.code == "score.not_judging"


@pytest.mark.parametrize("value", [-1, 11, 2.5, "8", True])
def test_scores_outside_the_scale_are_refused(setting, value):
    hack, (first, _s), (juror, _o), (usefulness, _q) = setting
    with pytest.raises(ValidationError) as error:
        jury.score(juror, first.id, usefulness.id, value)
    assert "value" in error.value.fields
    assert jury.my_scores(juror, hack) == {}


def test_a_criterion_of_another_hackathon_is_refused(setting, organiser):
    _hack, (first, _s), (juror, _o), _c = setting
    other = hackathons.add_criterion(organiser, h.hackathon(organiser).id, {"name": "Ailleurs"})
    with pytest.raises(ValidationError):
        jury.score(juror, first.id, other.id, 3)


def test_unpublished_proposals_cannot_be_scored(setting, organiser):
    _hack, _p, (juror, _o), _c = setting
    pending = h.hackathon(organiser)
    proposal = h.proposal(pending)
    hackathons.add_juror(organiser, pending.id, juror.id)
    h.to_judging(organiser, pending)
    with pytest.raises(NotFound):
        jury.score(juror, proposal.id, pending.criteria[0].id, 3)


def test_jurors_do_not_score_their_own_proposal(organiser):
    moderator = factories.user(roles=["moderator"])
    hack = h.hackathon(organiser)
    author = h.participant(hack)
    proposal = h.proposal(hack, author=author)
    h.approve(moderator, proposal)
    h.to_judging(organiser, hack, jurors=[author])
    with pytest.raises(PermissionDenied) as error:
        jury.score(author, proposal.id, hack.criteria[0].id, 10)
    assert error.value.code == "score.own_proposal"


def test_ranking_weights_the_criteria_and_averages_the_jurors(setting, organiser):
    hack, (first, second), (a, b), (usefulness, quality) = setting
    # first: usefulness (8 + 6) / 2 = 7 -> 0.7 * 2; quality 10 -> 1.0 * 1 => 2.4 / 3 = 80
    jury.score(a, first.id, usefulness.id, 8)
    jury.score(b, first.id, usefulness.id, 6)
    jury.score(a, first.id, quality.id, 10)
    # second: usefulness 9 -> 1.8; quality 3 -> 0.3 => 2.1 / 3 = 70
    jury.score(a, second.id, usefulness.id, 9)
    jury.score(a, second.id, quality.id, 3)
    _hack, rows = jury.ranking(organiser, hack.id)
    assert [(r["proposal"].id, r["total"], r["rank"]) for r in rows] == [
        (first.id, 80.0, 1),
        (second.id, 70.0, 2),
    ]
    assert rows[0]["per_criterion"] == {usefulness.id: 7.0, quality.id: 10.0}
    assert rows[0]["jurors"] == 2


def test_equal_totals_share_a_rank_and_unscored_come_last(setting, organiser):
    hack, (first, second), (a, _b), (usefulness, _q) = setting
    third = h.proposal(h.hackathon(organiser))  # another hackathon: not ranked
    jury.score(a, first.id, usefulness.id, 5)
    jury.score(a, second.id, usefulness.id, 5)
    _hack, rows = jury.ranking(organiser, hack.id)
    assert [r["rank"] for r in rows] == [1, 1]
    assert third.id not in [r["proposal"].id for r in rows]


def test_ranking_is_for_organisers_until_results_are_published(setting, organiser):
    hack, _p, (juror, _o), _c = setting
    participant = factories.user()
    for viewer in (participant, juror):
        with pytest.raises(PermissionDenied):
            jury.ranking(viewer, hack.id)
    jury.publish_results(organiser, hack.id)
    assert len(jury.ranking(participant, hack.id)[1]) == 2


def test_exports_are_formula_safe_csv_and_json_for_organisers_only(setting, organiser):
    hack, (first, _second), (a, _b), (usefulness, _q) = setting
    first.title = '=HYPERLINK("http://evil")'
    jury.score(a, first.id, usefulness.id, 4)
    text = jury.export_proposals(organiser, hack.id, "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["id", "title"]
    assert any(r[1].startswith("'=HYPERLINK") for r in rows[1:])
    body = json.loads(jury.export_proposals(organiser, hack.id, "json"))
    assert len(body["proposals"]) == 2 and body["proposals"][0]["datasets"]
    scores = json.loads(jury.export_scores(organiser, hack.id, "json"))
    assert scores["scores"] == [
        {
            "proposal_id": first.id,
            "criterion": "Utilité",
            "weight": 2,
            "scale_max": 10,
            "juror_id": a.id,
            "value": 4,
        }
    ]
    assert jury.export_scores(organiser, hack.id, "csv").lstrip("\ufeff").startswith("proposal_id,")
    with pytest.raises(PermissionDenied):
        jury.export_scores(a, hack.id, "csv")
