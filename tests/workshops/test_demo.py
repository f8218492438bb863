"""The demo workshop: what `flask seed-demo` shows of workshops, created once."""

from sqlalchemy import func, select

from crowdsourcing.models import Submission
from webapp import demo
from webapp.db import utcnow
from webapp.extensions import db
from webapp.registrations.models import WAITLISTED, Registration
from workshops import queries
from workshops.demo import SLUG
from workshops.models import Theme, Workshop


def test_the_demo_workshop_has_a_past_and_a_full_session_ideas_votes_and_its_document(session):
    demo.seed()
    row = db.session.scalar(select(Workshop).where(Workshop.slug == SLUG))
    past, upcoming = queries.sessions_of(row.id)
    assert past.ends_at < utcnow() < upcoming.starts_at
    assert past.minutes and past.materials
    assert upcoming.registration_list.seats_left == 0
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.list_id == upcoming.registration_list_id, Registration.status == WAITLISTED
        )
    )
    assert waiting == 1
    ideas = queries.visible_ideas(row.id)
    assert {i.category for i in ideas} == {"idea", "need", "pain_point"}
    assert sum(queries.dots_by_idea(row.id).values()) > 0
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 2
    assert row.requirements_published_at is not None
    assert len(queries.requirements_of(row.id)) == 4
    request = db.session.scalar(
        select(Submission).where(
            Submission.kind == "dataset_request", Submission.context == f"workshop:{SLUG}"
        )
    )
    assert request is not None and request.status == "pending"
    assert any(line == f"workshop {SLUG}: already there" for line in demo.seed())
