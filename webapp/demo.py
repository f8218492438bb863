"""Demo data for `flask seed-demo`: idempotent, extended by each domain package."""

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.accounts import services as accounts
from webapp.accounts.models import Department
from webapp.db import unit_of_work
from webapp.extensions import db
from webapp.models import InstitutionSettings
from webapp.registrations import services as registrations
from webapp.registrations.models import RegistrationList

# Directions of Montpellier Méditerranée Métropole.
DEPARTMENTS = [
    (
        "espaces-verts",
        "Direction des paysages et de la biodiversité",
        "Landscapes and biodiversity",
    ),
    ("mobilite", "Direction de la mobilité et des transports", "Mobility and transport"),
    ("patrimoine", "Direction de la culture et du patrimoine", "Culture and heritage"),
    ("eau", "Direction de l'eau et de l'assainissement", "Water and sanitation"),
    ("numerique", "Direction du numérique", "Digital services"),
    ("urbanisme", "Direction de l'urbanisme et du projet urbain", "Urban planning"),
]

USERS = [
    ("admin@example.org", "Camille Admin", ["admin"], None),
    ("organisatrice@example.org", "Inès Organisatrice", ["organiser"], "numerique"),
    ("moderateur@example.org", "Hugo Modérateur", ["moderator"], "numerique"),
    ("referente.verts@example.org", "Léa Référente", ["data_steward"], "espaces-verts"),
    ("habitant@example.org", "Nour Habitant", [], None),
    ("habitante@example.org", "Jeanne Habitante", [], None),
]

# Extra seeders registered by domain packages: functions returning report lines.
SEEDERS = []


def seed():
    """Create what is missing and return a report; existing rows are left alone."""
    report = []
    _departments(report)
    _settings(report)
    users = _users(report)
    _events(users, report)
    _profiles(users, report)
    for seeder in SEEDERS:
        report.extend(seeder(users))
    from webapp import search

    counts = search.reindex()
    report.append("search index: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    return report


def _departments(report):
    with unit_of_work():
        for slug, name_fr, name_en in DEPARTMENTS:
            if db.session.scalar(select(Department).where(Department.slug == slug)) is None:
                db.session.add(Department(slug=slug, name_fr=name_fr, name_en=name_en))
                report.append(f"department {slug}: created")


def _settings(report):
    with unit_of_work():
        if db.session.get(InstitutionSettings, 1) is None:
            db.session.add(
                InstitutionSettings(
                    id=1,
                    name="Montpellier Méditerranée Métropole",
                    contact_email="participation@example.org",
                    map_center_lon=3.8767,
                    map_center_lat=43.6108,
                    map_zoom=13,
                )
            )
            report.append("institution settings: created")


def _users(report):
    users = {}
    for email, name, roles, department in USERS:
        user = accounts.find_by_email(email)
        if user is None:
            password = secrets.token_urlsafe(10)
            user = accounts.create_user(email, password, name, roles, department)
            report.append(f"user {email} ({', '.join(roles) or 'resident'}): password {password}")
        else:
            report.append(f"user {email}: already there (password unchanged)")
        users[email] = user
    return users


SKILLS = [
    ("Cartographie", "Mapping"),
    ("QGIS", "QGIS"),
    ("Python", "Python"),
    ("Développement web", "Web development"),
    ("Visualisation de données", "Data visualisation"),
    ("Design de service", "Service design"),
    ("Animation d'atelier", "Workshop facilitation"),
    ("Botanique", "Botany"),
    ("Patrimoine", "Heritage"),
    ("Accessibilité", "Accessibility"),
    ("Statistiques", "Statistics"),
    ("Rédaction", "Writing"),
]

PROFILES = {
    "organisatrice@example.org": {
        "data": {
            "bio": "J'organise les cartoparties et les ateliers de la Métropole.",
            "interests": ["données ouvertes", "vélo"],
            "languages": ["français", "anglais"],
            "availability": "occasionally",
            "job_title": "Cheffe de projet participation",
        },
        "skills": ["Animation d'atelier", "Cartographie", "Design de service"],
        "visibility": {
            "display_name": "public",
            "bio": "public",
            "skills": "members",
            "availability": "members",
            "job_title": "staff",
        },
    },
    "habitant@example.org": {
        "data": {
            "bio": "Développeur le soir, jardinier le week-end.",
            "neighbourhood": "Antigone",
            "interests": ["arbres", "applications citoyennes"],
            "availability": "available",
            "links": ["https://example.org/nour"],
        },
        "skills": ["Python", "Développement web", "QGIS"],
        "visibility": {
            "display_name": "members",
            "skills": "members",
            "availability": "members",
            "interests": "members",
        },
    },
    "habitante@example.org": {
        "data": {"interests": ["botanique"], "neighbourhood": "Les Beaux-Arts"},
        "skills": ["Botanique"],
        "visibility": {"display_name": "members"},
    },
}


def _profiles(users, report):
    """A shared skills vocabulary and a few profiles with different visibility choices."""
    from webapp.profiles import services as profiles
    from webapp.profiles.models import Profile, Skill

    with unit_of_work():
        for name_fr, name_en in SKILLS:
            key = profiles.skill_key(name_fr)
            if db.session.scalar(select(Skill).where(Skill.key == key)) is None:
                db.session.add(Skill(key=key, name_fr=name_fr, name_en=name_en, curated=True))
    for email, spec in PROFILES.items():
        user = users[email]
        if db.session.get(Profile, user.id) is not None:
            continue
        profiles.update_profile(user, spec["data"])
        keys = [profiles.skill_key(name) for name in spec["skills"]]
        ids = db.session.scalars(select(Skill.id).where(Skill.key.in_(keys))).all()
        profiles.set_skills(user, ids)
        profiles.set_visibility(user, spec["visibility"])
        report.append(f"profile of {email}: created")


def _events(users, report):
    organiser = users["organisatrice@example.org"]
    paris = ZoneInfo("Europe/Paris")
    today = datetime.now(paris).replace(hour=18, minute=0, second=0, microsecond=0)
    events = [
        (
            "Réunion publique : programme d'ouverture des données 2027",
            "Présentation des jeux de données que la Métropole prévoit d'ouvrir, et recueil de vos demandes.",
            today + timedelta(days=14),
            2,
            120,
            "Hôtel de Ville, 1 place Georges Frêche, 34000 Montpellier",
            3.8966,
            43.5989,
        ),
        (
            "Atelier d'accueil des nouveaux contributeurs",
            "Découvrir Fabrique : contribuer à un inventaire, proposer une idée, suivre ses contributions.",
            today + timedelta(days=21),
            2,
            12,
            "Médiathèque Émile Zola, 218 boulevard de l'Aéroport International, 34000 Montpellier",
            3.8904,
            43.6078,
        ),
    ]
    for title, description, starts, hours, capacity, address, lon, lat in events:
        exists = db.session.scalar(select(RegistrationList).where(RegistrationList.title == title))
        if exists is not None:
            continue
        registrations.create_list(
            organiser,
            title,
            starts,
            starts + timedelta(hours=hours),
            capacity,
            kind="meeting",
            description=description,
            address=address,
            lon=lon,
            lat=lat,
        )
        report.append(f"event {title!r}: created")
