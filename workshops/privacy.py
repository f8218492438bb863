"""What workshops hold about a person, for their data export, and what erasure removes.

Registration answers are personal data and are deleted. Ideas, comments and dots are
contributions: they stay, credited to the anonymised account.
"""

import os

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.privacy import services as privacy
from workshops import files
from workshops.models import (
    Facilitator,
    Idea,
    IdeaComment,
    RegistrationAnswers,
    Vote,
    Workshop,
)


def _iso(value):
    return value.isoformat() if value is not None else None


def _titles(ids):
    if not ids:
        return {}
    rows = db.session.execute(select(Workshop.id, Workshop.title).where(Workshop.id.in_(ids)))
    return dict(rows.all())


def _ideas(user):
    rows = db.session.scalars(select(Idea).where(Idea.author_id == user.id)).all()
    data, photos = [], []
    for idea in rows:
        entry = {
            "workshop_id": idea.workshop_id,
            "category": idea.category,
            "text": idea.text,
            "lon": idea.lon,
            "lat": idea.lat,
            "needs_data": idea.needs_data,
            "dataset_request_id": idea.dataset_request_id,
            "hidden": idea.hidden,
            "created_at": _iso(idea.created_at),
        }
        path = files.path_of("photos", idea.photo_name) if idea.photo_name else None
        if path and os.path.exists(path):
            entry["photo"] = f"workshops/idea-{idea.id}.jpg"
            with open(path, "rb") as fh:
                photos.append((entry["photo"], fh.read()))
        data.append(entry)
    return data, photos


def export(user):
    ideas, photos = _ideas(user)
    answers = db.session.scalars(
        select(RegistrationAnswers).where(RegistrationAnswers.user_id == user.id)
    ).all()
    comments = db.session.scalars(select(IdeaComment).where(IdeaComment.author_id == user.id))
    votes = db.session.execute(
        select(Vote.idea_id, Vote.dots, Idea.workshop_id)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user.id)
    ).all()
    facilitated = db.session.scalars(
        select(Facilitator.workshop_id).where(Facilitator.user_id == user.id)
    ).all()
    titles = _titles({i["workshop_id"] for i in ideas} | {a.workshop_id for a in answers})
    data = {
        "workshop_titles": {str(k): v for k, v in titles.items()},
        "registration_answers": [
            {"workshop_id": a.workshop_id, "answers": a.answers, "updated_at": _iso(a.updated_at)}
            for a in answers
        ],
        "ideas": ideas,
        "comments": [
            {"idea_id": c.idea_id, "body": c.body, "created_at": _iso(c.created_at)}
            for c in comments
        ],
        "dots": [{"workshop_id": w, "idea_id": i, "dots": d} for i, d, w in votes],
        "facilitates": list(facilitated),
    }
    return "workshops", data, photos


def erase(user):
    """Delete the person's registration answers and facilitator roles; contributions stay."""
    db.session.execute(delete(RegistrationAnswers).where(RegistrationAnswers.user_id == user.id))
    db.session.execute(delete(Facilitator).where(Facilitator.user_id == user.id))


def register():
    if export not in privacy.EXPORTERS:
        privacy.register_exporter(export)
    if erase not in privacy.ERASERS:
        privacy.register_eraser(erase)
