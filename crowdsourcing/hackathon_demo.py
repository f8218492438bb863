"""Demo hackathons: one open for registration, one finished with scores and published
results, and the real project lists of five dribdat hackathons, imported."""

import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from crowdsourcing.hackathon_models import Hackathon
from crowdsourcing.models import Dataset
from crowdsourcing.services import hackathon_import, hackathons, jury, moderation, proposals, teams
from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db
from webapp.profiles import services as profiles
from webapp.profiles.models import Skill

DATA = Path(__file__).parent / "data" / "hackathons"
OPEN_SLUG, PAST_SLUG = "hackathon-climat-et-donnees-ouvertes", "hackathon-mobilite-2025"
PARTICIPANTS = [
    ("alex.participant@example.org", "Alex Martin"),
    ("sam.participante@example.org", "Sam Diallo"),
    ("yanis.participant@example.org", "Yanis Roux"),
    ("lina.participante@example.org", "Lina Garcia"),
]


def _datasets(*words):
    found = []
    for word in words:
        row = db.session.scalar(
            select(Dataset).where(Dataset.title.ilike(f"%{word}%")).order_by(Dataset.title).limit(1)
        )
        if row is not None and row not in found:
            found.append(row)
    if len(found) < 2:
        found += [
            d
            for d in db.session.scalars(select(Dataset).order_by(Dataset.id).limit(3))
            if d not in found
        ]
    return found


def _people(users, report):
    people = []
    for email, name in PARTICIPANTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password = secrets.token_urlsafe(10)
            user = accounts.create_user(email, password, name, [], None, "fr")
            report.append(f"user {email} (resident): password {password}")
        people.append(user)
    return [users["habitant@example.org"], users["habitante@example.org"], *people]


def _hackathon(organiser, slug_title, starts, days, capacity=60):
    return hackathons.create(
        organiser,
        {
            "title": slug_title,
            "summary": "Deux jours pour construire des services sur les données ouvertes de la Métropole.",
            "description": (
                "Développeuses, designers, habitants curieux : venez construire en équipe des "
                "applications sur les jeux de données du catalogue, et dites-nous quelles données "
                "vous manquent."
            ),
            "rules": "Code sous licence libre, données citées, une équipe de 5 personnes au plus.",
            "starts_at": starts,
            "ends_at": starts + timedelta(days=days),
            "capacity": capacity,
            "team_size_max": 5,
            "address": "Hôtel de Ville, 1 place Georges Frêche, Montpellier",
            "lon": 3.8958,
            "lat": 43.5985,
        },
    )


def _open(users, report):
    organiser = users["organisatrice@example.org"]
    hack = _hackathon(
        organiser, "Hackathon Climat et données ouvertes", utcnow() + timedelta(days=21), 2
    )
    hackathons.add_challenge(
        organiser,
        hack.id,
        {
            "title": "Trouver l'ombre en été",
            "question": "Comment aider piétons et familles à trouver des parcours frais pendant les canicules ?",
            "department": "espaces-verts",
            "datasets": [d.slug for d in _datasets("arbre", "parc", "jardin")],
        },
    )
    hackathons.add_challenge(
        organiser,
        hack.id,
        {
            "title": "Mieux circuler en ville",
            "question": "Quels services rendraient les déplacements quotidiens plus simples et moins polluants ?",
            "department": "mobilite",
            "datasets": [d.slug for d in _datasets("parking", "fourri", "vélo")],
        },
    )
    for name, weight in (
        ("Utilité pour les habitants", 3),
        ("Usage des données ouvertes", 2),
        ("Qualité", 1),
    ):
        hackathons.add_criterion(organiser, hack.id, {"name": name, "weight": weight})
    people = _people(users, report)
    for person in people[1:4]:
        hackathons.register(person, hack.id)
    team = teams.create(
        people[2],
        hack.id,
        {"name": "Les Îlots frais", "description": "Une carte des parcours à l'ombre."},
    )
    teams.join(people[3], team.id)
    hackathons.set_looking(people[1], hack.id, True, "Botaniste, je connais les essences d'arbres")
    # Someone the team finder can find by skill: skills and name shown to members.
    lina = people[5]
    hackathons.register(lina, hack.id)
    dataviz = db.session.scalar(
        select(Skill.id).where(Skill.key == profiles.skill_key("Visualisation de données"))
    )
    if dataviz is not None:
        profiles.set_skills(lina, [dataviz])
    profiles.set_visibility(lina, {"skills": "members", "display_name": "members"})
    hackathons.set_looking(lina, hack.id, True, "Je fais des cartes et des graphiques")
    report.append(f"hackathon {hack.slug}: created (registration open)")


def _proposal(author, hack, title, datasets, stage, team=None, missing=()):
    return proposals.submit(
        author,
        hack.id,
        {
            "title": title,
            "pitch": f"{title} : une application construite sur les données ouvertes de la Métropole.",
            "problem": "Les informations existent mais sont dispersées et difficiles à lire.",
            "target_users": "Habitants, familles, visiteurs",
            "datasets": [d.slug for d in datasets],
            "missing": list(missing),
            "repository_url": "https://git.example.org/" + title.lower().replace(" ", "-"),
            "licence": "agpl-3.0",
            "team": team.id if team else None,
            "stage": stage,
        },
    )


def _past(users, report):
    organiser, moderator = users["organisatrice@example.org"], users["moderateur@example.org"]
    hack = _hackathon(organiser, "Hackathon Mobilité 2025", utcnow() + timedelta(days=1), 2)
    for name, weight in (("Utilité", 2), ("Qualité technique", 1)):
        hackathons.add_criterion(organiser, hack.id, {"name": name, "weight": weight})
    people = _people(users, report)
    for person in people:
        hackathons.register(person, hack.id)
    first = teams.create(people[2], hack.id, {"name": "Vélo Malin"})
    teams.join(people[3], first.id)
    second = teams.create(people[4], hack.id, {"name": "Stationnement facile"})
    teams.join(people[5], second.id)
    mobility = _datasets("parking", "fourri", "quartier")
    rows = [
        _proposal(
            people[2],
            hack,
            "Vélo Malin",
            mobility[:2],
            "prototype",
            first,
            [
                {
                    "title": "Comptages vélo horaires",
                    "description": "Les compteurs vélo de la Métropole, heure par heure.",
                }
            ],
        ),
        _proposal(people[4], hack, "Place Libre", mobility[:1], "idea", second),
        _proposal(people[0], hack, "Fourrière Info", mobility[1:3], "idea"),
        _proposal(people[1], hack, "Hors sujet total", mobility[:1], "idea"),
    ]
    for row in rows[:3]:
        submission = proposals.submission_of(row)
        moderation.decide(moderator, submission.id, submission.version, "approve")
    rejected = proposals.submission_of(rows[3])
    moderation.decide(
        moderator,
        rejected.id,
        rejected.version,
        "reject",
        note="Sans lien avec les données du catalogue.",
    )
    proposals.set_stage(people[2], rows[0].id, "released", "L'application est en ligne.")
    proposals.log_progress(people[4], rows[1].id, "Maquette des écrans terminée.")
    hackathons.add_juror(organiser, hack.id, users["referente.verts@example.org"].id)
    hackathons.add_juror(organiser, hack.id, users["admin@example.org"].id)
    for phase in ("building", "submission_closed", "judging"):
        hackathons.set_phase(organiser, hack.id, phase)
    marks = {rows[0].id: (9, 8), rows[1].id: (6, 7), rows[2].id: (7, 5)}
    for juror in (users["referente.verts@example.org"], users["admin@example.org"]):
        for proposal_id, values in marks.items():
            for criterion, value in zip(hack.criteria, values, strict=True):
                jury.score(juror, proposal_id, criterion.id, value)
    jury.publish_results(organiser, hack.id)
    with unit_of_work():
        # It took place last year: the dates move back once everything is recorded.
        place = hack.registration_list
        place.starts_at, place.ends_at = (
            utcnow() - timedelta(days=200),
            utcnow() - timedelta(days=198),
        )
    report.append(f"hackathon {hack.slug}: created (results published)")


def seed(users):
    report = []
    if db.session.scalar(select(Hackathon.id).where(Hackathon.slug == OPEN_SLUG)) is None:
        _open(users, report)
    if db.session.scalar(select(Hackathon.id).where(Hackathon.slug == PAST_SLUG)) is None:
        _past(users, report)
    admin = users["admin@example.org"]
    for path in sorted(DATA.glob("*.datapackage.json")):
        package = hackathon_import.parse(path.read_bytes())
        if db.session.scalar(
            select(Hackathon.id).where(Hackathon.source_identifier == package["identifier"])
        ):
            continue
        hack, rows = hackathon_import.import_package(admin, package)
        created = sum(r["outcome"] == "created" for r in rows if r["resource"] == "projects")
        report.append(f"hackathon {hack.slug}: imported from {path.name} ({created} projects)")
    return report
