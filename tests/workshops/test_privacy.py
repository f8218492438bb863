"""A person's workshop data in their export, and what erasing their account removes."""

import io
import json
import zipfile

from sqlalchemy import select

from tests import factories
from tests.workshops import add_session, creator, idea, image_bytes, workshop
from webapp.extensions import db
from webapp.privacy import services as privacy
from workshops import document
from workshops.models import Idea, RegistrationAnswers, Vote
from workshops.services import ideas, participation, synthesis, votes


def _zip(user):
    result = privacy.build_export(user.id)
    with open(f"{privacy.export_folder()}/{result['file']}", "rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


def test_the_export_holds_answers_ideas_photos_comments_and_dots(session):
    row = workshop(questions=["diet"])
    person = factories.user()
    participation.register(person, add_session(row).id)
    participation.save_answers(person, row.id, {"diet": "Végétarien"})
    posted = ideas.post(
        person, row.id, {"category": "idea", "text": "Fontaines"}, photo=image_bytes()
    )
    ideas.comment(person, posted.id, "Et des bancs")
    votes.cast(person, posted.id)
    archive = _zip(person)
    data = json.loads(archive.read("workshops.json"))
    assert data["registration_answers"][0]["answers"] == {"diet": "Végétarien"}
    assert data["ideas"][0]["text"] == "Fontaines"
    assert data["comments"][0]["body"] == "Et des bancs"
    assert data["dots"] == [{"workshop_id": row.id, "idea_id": posted.id, "dots": 1}]
    assert archive.read(data["ideas"][0]["photo"]).startswith(b"\xff\xd8")


def test_erasure_deletes_answers_keeps_contributions_credited_anonymously(session):
    row = workshop(questions=["diet"])
    person = factories.user(name="Camille Effacée")
    part = add_session(row)
    participation.register(person, part.id)
    participation.save_answers(person, row.id, {"diet": "Sans gluten"})
    posted = idea(row, person)
    votes.cast(person, posted.id)
    synthesis.save_requirement(
        creator(row),
        row.id,
        {
            "role": "habitante",
            "goal": "de l'eau",
            "benefit": "boire",
            "priority": "must",
            "ideas": [posted.id],
        },
    )
    privacy.erase_account(person, factories.PASSWORD)
    assert db.session.scalars(select(RegistrationAnswers)).all() == []
    assert db.session.get(Idea, posted.id).author_id == person.id
    assert db.session.scalar(select(Vote.dots)) == 1
    doc = document.build(factories.user(roles=["admin"]), row)
    assert "Camille Effacée" not in doc["contributors"]
    assert doc["authors"][posted.id] != "Camille Effacée"
    assert part.registration_list.confirmed_count == 0
