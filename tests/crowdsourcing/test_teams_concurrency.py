"""A team's size limit holds when many people join at the same moment (real commits, threads)."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.hackathon_models import Team, TeamMember
from crowdsourcing.services import teams
from tests import concurrency
from tests.crowdsourcing import hackathon_helpers as h
from webapp.errors import Conflict
from webapp.extensions import db

pytestmark = pytest.mark.xdist_group("concurrency")


@pytest.fixture(params=[pytest.param("postgis", marks=pytest.mark.pg_only), "sqlite"])
def committing_app(request, tmp_root):
    yield from concurrency.committing_app(request.param, "teams", tmp_root)


def test_team_never_exceeds_its_size_when_people_join_together(committing_app):
    with committing_app.app_context():
        hack = h.hackathon(team_size_max=3)
        team = h.team(hack)
        people = [h.participant(hack) for _ in range(8)]
        team_id, person_ids = team.id, [p.id for p in people]

    def join(person_id):
        from webapp.accounts.models import User

        return teams.join(db.session.get(User, person_id), team_id).id

    results, errors = concurrency.all_at_once(committing_app, join, person_ids)
    assert len(results) == 2
    assert len(errors) == 6 and all(
        isinstance(e, Conflict) and e.code == "team.full" for _p, e in errors
    )
    with committing_app.app_context():
        row = db.session.get(Team, team_id)
        members = db.session.scalar(
            select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team_id)
        )
        assert row.member_count == members == 3


def test_one_person_clicking_join_on_two_teams_at_once_ends_in_one(committing_app):
    with committing_app.app_context():
        hack = h.hackathon(team_size_max=5)
        first, second = h.team(hack), h.team(hack)
        person = h.participant(hack)
        team_ids, person_id = [first.id, second.id], person.id

    def join(team_id):
        from webapp.accounts.models import User

        return teams.join(db.session.get(User, person_id), team_id).id

    results, errors = concurrency.all_at_once(committing_app, join, team_ids)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0][1], Conflict)
    with committing_app.app_context():
        rows = db.session.scalars(select(Team).where(Team.id.in_(team_ids))).all()
        assert sorted(t.member_count for t in rows) == [1, 2]
