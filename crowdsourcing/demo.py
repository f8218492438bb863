"""Demo data of the pipeline: rejection reasons, and dataset requests in every status."""

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from crowdsourcing.models import BacklogItem, DatasetRequest, RejectReason
from crowdsourcing.services import backlog, catalogue, moderation
from crowdsourcing.services import requests as dataset_requests
from webapp.extensions import db

REASONS = [
    ("duplicate", "Cette contribution existe déjà.", "This contribution already exists."),
    ("off-topic", "Hors sujet pour cette démarche.", "Off topic for this process."),
    ("personal-data", "Elle contient des données personnelles.", "It contains personal data."),
    ("not-verifiable", "Information impossible à vérifier.", "The information cannot be checked."),
    (
        "exists-elsewhere",
        "Ces données sont déjà publiées ailleurs.",
        "This data is already published elsewhere.",
    ),
]

REQUESTS = [
    # (requester, title, description, use, format, department, decision)
    (
        "habitant@example.org",
        "Arbres d'alignement avec l'année de plantation",
        "La liste des arbres des rues avec leur espèce, leur hauteur et leur année de plantation.",
        "Une carte des essences par quartier pour les écoles.",
        "GeoJSON",
        "espaces-verts",
        "approve",
    ),
    (
        "habitante@example.org",
        "Fréquentation des piscines en temps réel",
        "Le nombre de personnes présentes dans chaque piscine municipale, mis à jour toutes les 15 minutes.",
        "Une application qui conseille l'heure la plus calme.",
        "API JSON",
        None,
        "approve",
    ),
    (
        "habitant@example.org",
        "Comptages vélo sur les pistes cyclables",
        "Les données horaires des compteurs vélo de la Métropole.",
        "Suivre l'effet des nouvelles pistes.",
        "CSV",
        "mobilite",
        None,
    ),
    (
        "habitante@example.org",
        "Menus des cantines scolaires",
        "Les menus de la semaine avec les allergènes.",
        "Une appli pour les familles.",
        "CSV",
        None,
        "request_changes",
    ),
    (
        "habitant@example.org",
        "Adresses des habitants du quartier",
        "La liste nominative des habitants de mon immeuble.",
        None,
        None,
        None,
        "reject",
    ),
]


def seed(users):
    report = []
    moderator = users["moderateur@example.org"]
    admin = users["admin@example.org"]
    reasons = {}
    for code, text_fr, text_en in REASONS:
        row = db.session.scalar(select(RejectReason).where(RejectReason.code == code))
        if row is None:
            row = moderation.save_reason(admin, code, text_fr, text_en)
            report.append(f"rejection reason {code}: created")
        reasons[code] = row
    for email, title, description, use, fmt, dept, decision in REQUESTS:
        if (
            db.session.scalar(select(DatasetRequest).where(DatasetRequest.title == title))
            is not None
        ):
            continue
        request = dataset_requests.create(
            users[email],
            {
                "title": title,
                "description": description,
                "intended_use": use,
                "wished_format": fmt,
                "department": dept,
            },
        )
        submission = dataset_requests.submission_of(request)
        if decision == "reject":
            moderation.decide(
                moderator,
                submission.id,
                submission.version,
                "reject",
                reason_id=reasons["personal-data"].id,
            )
        elif decision == "request_changes":
            moderation.decide(
                moderator,
                submission.id,
                submission.version,
                "request_changes",
                note="Précisez les écoles concernées, s'il vous plaît.",
            )
        elif decision == "approve":
            moderation.decide(moderator, submission.id, submission.version, "approve")
        report.append(f"dataset request {title!r}: {decision or 'pending'}")
    supporter = users["organisatrice@example.org"]
    first = db.session.scalar(select(DatasetRequest).where(DatasetRequest.title == REQUESTS[0][1]))
    if first is not None and dataset_requests.is_public(first):
        dataset_requests.support(supporter, first.id)
    report += _backlog(users, moderator)
    report += _catalogue(admin)
    return report


CATALOGUE_FILE = Path(__file__).parent / "data" / "mtp_catalogue_opendata_2014.csv"


def _catalogue(admin):
    """The real 2014 catalogue of the Ville de Montpellier (idempotent: updates on re-run)."""
    rows = catalogue.parse(CATALOGUE_FILE.read_bytes())
    lines = catalogue.import_rows(admin, rows, "import:mtp-2014")
    counts = {}
    for line in lines:
        counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
    return [f"catalogue mtp-2014: {counts}"]


# (request title, department, steward, transitions as (status, note))
BACKLOG = [
    (
        REQUESTS[0][1],
        "espaces-verts",
        "referente.verts@example.org",
        [
            ("qualified", "Demande claire, plusieurs usages annoncés."),
            ("negotiating", "Rendez-vous pris avec la direction des espaces verts."),
        ],
    ),
    (REQUESTS[1][1], None, None, [("qualified", "Demande à préciser avec les piscines.")]),
]


def _backlog(users, moderator):
    """Route the approved demo requests into two backlog items in different statuses."""
    report = []
    for title, dept, steward, steps in BACKLOG:
        if db.session.scalar(select(BacklogItem).where(BacklogItem.title == title)):
            continue
        request = db.session.scalar(select(DatasetRequest).where(DatasetRequest.title == title))
        submission = dataset_requests.submission_of(request) if request else None
        if submission is None or submission.status != "approved":
            continue
        steward_user = users.get(steward) if steward else None
        item = backlog.route(
            moderator,
            submission.id,
            new={
                "title": title,
                "description": request.description,
                "department": dept,
                "steward": str(steward_user.id) if steward_user else None,
                "formats": request.wished_format,
                "priority": "high" if steward else "normal",
            },
        )
        for status, note in steps:
            backlog.transition(moderator, item.id, status, note)
        if steward:
            # An overdue item, so that the reminders have something to say.
            backlog.update(
                moderator,
                item.id,
                {
                    "title": item.title,
                    "description": item.description,
                    "department": dept,
                    "steward": str(steward_user.id),
                    "formats": item.formats,
                    "priority": item.priority,
                    "due_date": date.today() - timedelta(days=3),
                },
            )
        report.append(f"backlog item {title!r}: {item.status}")
    return report
