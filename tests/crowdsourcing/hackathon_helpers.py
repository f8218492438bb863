"""Hackathons, participants, teams and proposals for the tests, through their services."""

import io
import itertools
from datetime import timedelta

from PIL import Image

from crowdsourcing.models import Dataset
from crowdsourcing.services import hackathons, moderation, proposals, teams
from tests import factories
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db
from webapp.profiles import services as profiles

_seq = itertools.count(1)


def dataset(title=None):
    n = next(_seq)
    with unit_of_work():
        row = Dataset(
            identifier=f"ds-{n}",
            slug=f"jeu-{n}",
            title=title or f"Jeu de données {n}",
            description="Un jeu de données du catalogue",
        )
        db.session.add(row)
    return row


def hackathon(organiser=None, capacity=50, team_size_max=3, **data):
    organiser = organiser or factories.user(roles=["organiser"])
    starts = utcnow() + timedelta(days=10)
    fields = {
        "title": f"Hackathon des données {next(_seq)}",
        "summary": "Deux jours pour construire sur les données ouvertes",
        "description": "Venez construire des services avec les données de la ville.",
        "rules": "Code ouvert, données ouvertes.",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=2),
        "capacity": capacity,
        "address": "Hôtel de Ville, Montpellier",
        "lon": 3.8958,
        "lat": 43.5985,
        "team_size_max": team_size_max,
        **data,
    }
    return hackathons.create(organiser, fields)


def participant(hack, **kwargs):
    person = factories.user(**kwargs)
    hackathons.register(person, hack.id)
    return person


def team(hack, creator=None, name=None, **data):
    creator = creator or participant(hack)
    return teams.create(creator, hack.id, {"name": name or f"Équipe {next(_seq)}", **data})


def proposal_data(datasets, **data):
    return {
        "title": f"Ombre en ville {next(_seq)}",
        "pitch": "Une carte des rues ombragées pour l'été.",
        "problem": "Marcher en plein soleil en juillet.",
        "target_users": "Piétons, familles",
        "datasets": [d.slug for d in datasets],
        "repository_url": "https://git.example.org/ombre",
        "licence": "mit",
        **data,
    }


def proposal(hack, author=None, datasets=None, **data):
    author = author or participant(hack)
    datasets = datasets or [dataset()]
    return proposals.submit(author, hack.id, proposal_data(datasets, **data))


def approve(moderator, proposal_row):
    submission = proposals.submission_of(proposal_row)
    moderation.decide(moderator, submission.id, submission.version, "approve")
    return submission


def to_judging(organiser, hack, jurors=(), criteria=None):
    from crowdsourcing.services import hackathons as service

    for juror in jurors:
        service.add_juror(organiser, hack.id, juror.id)
    for name, weight in criteria or [("Utilité", 2), ("Qualité", 1)]:
        service.add_criterion(organiser, hack.id, {"name": name, "weight": weight})
    for phase in ("building", "submission_closed", "judging"):
        if hack.phase != "judging":
            service.set_phase(organiser, hack.id, phase)
    return hack


def with_skills(person, names, visibility=None):
    """Give skills (free additions) and field visibilities to a member's profile."""
    skills = profiles.set_skills(person, new_names=names)
    if visibility:
        profiles.set_visibility(person, visibility)
    return skills


def png(width=40, height=30, exif=False):
    image = Image.new("RGB", (width, height), (200, 50, 50))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="PNG")
    return out.getvalue()
