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
    for seeder in SEEDERS:
        report.extend(seeder(users))
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
