"""Demo data of workshops: one open workshop with a past session (minutes) and a full
upcoming one (waitlist), ideas of every category with dots, themes, requirements and its
published requirements document."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crowdsourcing.models import BacklogItem
from webapp.extensions import db
from workshops.models import Workshop
from workshops.services import ideas, participation, sessions, synthesis, votes
from workshops.services import workshops as workshop_services

SLUG = "ilots-de-fraicheur"

IDEAS = [
    # (author, category, text, needs data, (lon, lat) or None, theme)
    (
        "habitante@example.org",
        "need",
        "Savoir quels parcs et jardins restent ouverts le soir pendant les canicules.",
        True,
        None,
        "Se rafraîchir",
    ),
    (
        "habitant@example.org",
        "idea",
        "Une carte des fontaines à boire et des brumisateurs, avec leur état de fonctionnement.",
        False,
        (3.8795, 43.6084),
        "Se rafraîchir",
    ),
    (
        "habitante@example.org",
        "pain_point",
        "Les arrêts de tram de la ligne 1 manquent d'ombre : on attend en plein soleil.",
        False,
        (3.8865, 43.6047),
        "Se déplacer à l'ombre",
    ),
    (
        "habitant@example.org",
        "idea",
        "Signaler en un clic un banc à l'ombre ou un lieu frais qui manque sur la carte.",
        False,
        None,
        "Se déplacer à l'ombre",
    ),
    (
        "organisatrice@example.org",
        "need",
        "Connaître la température ressentie par quartier, heure par heure.",
        True,
        None,
        None,
    ),
]

# (voter, [idea index, …] one dot each)
DOTS = [
    ("habitant@example.org", [0, 2]),
    ("habitante@example.org", [0, 1, 1, 3]),
    ("admin@example.org", [2, 2, 0]),
]

REQUIREMENTS = [
    (
        "must",
        "habitant·e âgé·e ou fragile",
        "trouver le lieu frais ouvert le plus proche de chez moi",
        "m'y rendre à pied en moins de dix minutes pendant une canicule",
        [0, 1],
    ),
    (
        "should",
        "usager·ère du tram",
        "savoir quels arrêts sont ombragés",
        "choisir mon trajet les jours de forte chaleur",
        [2],
    ),
    (
        "could",
        "habitant·e",
        "signaler un lieu frais qui manque",
        "améliorer la carte avec les habitants",
        [3],
    ),
    (
        "wont",
        "chercheur·e",
        "la température ressentie heure par heure dans chaque quartier",
        "étudier les îlots de chaleur",
        [4],
    ),
]


def seed(users):
    if db.session.scalar(select(Workshop).where(Workshop.slug == SLUG)) is not None:
        return [f"workshop {SLUG}: already there"]
    organiser = users["organisatrice@example.org"]
    workshop = _workshop(users, organiser)
    past, upcoming = _sessions(organiser, workshop)
    workshop_services.set_status(organiser, workshop.id, "open")
    report = [f"workshop {SLUG}: created and open"]
    report += _registrations(users, workshop, upcoming)
    posted = _ideas(users, organiser, workshop, past)
    for email, picks in DOTS:
        for index in picks:
            votes.cast(users[email], posted[index].id)
    for role_priority, role, goal, benefit, refs in REQUIREMENTS:
        synthesis.save_requirement(
            organiser,
            workshop.id,
            {
                "priority": role_priority,
                "role": role,
                "goal": goal,
                "benefit": benefit,
                "ideas": [posted[i].id for i in refs],
            },
        )
    synthesis.publish(
        organiser,
        workshop.id,
        "Ce cahier des charges résume deux séances et les idées postées entre elles. "
        "Il guidera la conception du service « Îlots de fraîcheur » de la Métropole.",
    )
    report.append(f"workshop {SLUG}: {len(posted)} ideas, dots, themes, requirements published")
    return report


def _workshop(users, organiser):
    trees = db.session.scalar(
        select(BacklogItem.id).where(BacklogItem.title.like("Arbres d'alignement%"))
    )
    return workshop_services.create(
        organiser,
        {
            "slug": SLUG,
            "title": "Îlots de fraîcheur : une carte pour les jours de canicule",
            "question": "Comment aider chacun à trouver un lieu frais près de chez soi pendant les canicules ?",
            "description": (
                "La Métropole veut publier une carte des lieux frais : parcs, fontaines, "
                "bâtiments climatisés ouverts au public. Venez dire ce dont vous avez besoin."
            ),
            "audience": "Habitantes et habitants, associations de quartier, agents de la Métropole.",
            "accessibility": (
                "Salle de plain-pied, boucle magnétique. Dites-nous à l'inscription ce dont "
                "vous avez besoin."
            ),
            "department": "espaces-verts",
            "dots_per_participant": 5,
            "facilitators": ["organisatrice@example.org", "referente.verts@example.org"],
            "backlog_items": [trees] if trees else [],
            "inventory_urls": [],
            "questions": ["diet", "accessibility"],
        },
    )


def _sessions(organiser, workshop):
    paris = ZoneInfo("Europe/Paris")
    today = datetime.now(paris).replace(hour=18, minute=0, second=0, microsecond=0)
    place = {
        "address": "Maison de la démocratie, 16 rue de la République, 34000 Montpellier",
        "lon": 3.8793,
        "lat": 43.6047,
    }
    past = sessions.create(
        organiser,
        workshop.id,
        {
            "title": "Séance 1 : nos besoins",
            "starts_at": today - timedelta(days=10),
            "ends_at": today - timedelta(days=10) + timedelta(hours=2),
            "capacity": 20,
            "agenda": "Accueil\nTour de table : où allez-vous quand il fait trop chaud ?\nIdées et besoins",
            **place,
        },
    )
    sessions.set_minutes(
        organiser,
        past.id,
        "Douze participants. Trois besoins reviennent : trouver un lieu frais proche, "
        "savoir s'il est ouvert, s'y rendre à l'ombre. Prochaine séance : prioriser.",
    )
    sessions.add_link(
        organiser, past.id, "Support de présentation", "https://example.org/seance-1.pdf"
    )
    upcoming = sessions.create(
        organiser,
        workshop.id,
        {
            "title": "Séance 2 : priorités",
            "starts_at": today + timedelta(days=12),
            "ends_at": today + timedelta(days=12) + timedelta(hours=2),
            "capacity": 2,
            "agenda": "Vote par gommettes\nÉcriture des récits utilisateurs",
            **place,
        },
    )
    return past, upcoming


def _registrations(users, workshop, upcoming):
    for email in ("habitante@example.org", "admin@example.org", "moderateur@example.org"):
        participation.register(users[email], upcoming.id)
    participation.save_answers(
        users["habitante@example.org"], workshop.id, {"diet": "Végétarienne"}
    )
    return [f"workshop {SLUG}: upcoming session full, 1 person waiting"]


def _ideas(users, organiser, workshop, past):
    themes = {}
    posted = []
    for email, category, text, needs_data, point, theme in IDEAS:
        lon, lat = point if point else (None, None)
        idea = ideas.post(
            users[email],
            workshop.id,
            {
                "category": category,
                "text": text,
                "needs_data": needs_data,
                "session_id": past.id,
                "lon": lon,
                "lat": lat,
            },
        )
        if theme:
            if theme not in themes:
                themes[theme] = synthesis.create_theme(organiser, workshop.id, theme)
            ideas.set_theme(organiser, idea.id, themes[theme].id)
        posted.append(idea)
    ideas.request_dataset(
        organiser,
        posted[0].id,
        {
            "title": "Horaires d'ouverture des parcs et jardins",
            "description": posted[0].text,
            "intended_use": "Une carte des lieux frais ouverts le soir pendant les canicules.",
            "wished_format": "CSV",
            "department": "espaces-verts",
        },
    )
    return posted
