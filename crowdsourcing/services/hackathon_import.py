"""Import a hackathon platform's Frictionless Data Package (dribdat) as a past hackathon.

Both schema generations are read: `events` + `projects`, and the older `event` (singular)
with `participants` and `activities`. Usernames and participants' names are never stored:
each becomes a stable pseudonym (an HMAC of the name under the instance's secret key), and
they are replaced by their pseudonym in every imported text. Every row of the package is
accounted for in the report (created, updated, challenge, logged, not stored, rejected).
Importing the same file again updates, never duplicates.
"""

import hashlib
import hmac
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from crowdsourcing.hackathon_models import (
    BUILDING,
    IDEA,
    PROTOTYPE,
    RELEASED,
    RESULTS,
    Challenge,
    Hackathon,
    ProgressUpdate,
    Proposal,
)
from crowdsourcing.models import APPROVED, SubmissionEvent
from crowdsourcing.services import hackathons, moderation, proposals
from webapp.db import unit_of_work, utcnow
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.inputs import loads as strict_json
from webapp.text import one_line

SOURCE = "import:dribdat"
LOCAL_TIME = ZoneInfo("Europe/Zurich")
RELEASED_PHASES = ("launch", "launching", "live", "supporting", "release", "released", "complete")
PROTOTYPE_PHASES = ("prototype", "prototyping", "project", "building", "documented", "demo")
PITCH_MAX = 600


def reason_labels():
    return {
        "no_name": _l("The project has no name."),
        "no_pitch": _l("The project has no summary to show."),
        "unknown_project": _l("The activity refers to a project that is not in the file."),
        "no_content": _l("The activity has no text."),
    }


def outcome_labels():
    return {
        "created": _l("Created"),
        "updated": _l("Updated"),
        "challenge": _l("Imported as a challenge"),
        "logged": _l("Added to a progress log"),
        "not_stored": _l("Pseudonymised, not stored"),
        "rejected": _l("Rejected"),
    }


def parse(data):
    """Read a package's bytes: {"name", "event", "projects", "participants", "activities"}."""

    def refuse(message):
        return ValidationError("hackathon_import.invalid", fields={"file": [message]})

    try:
        package = strict_json(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except (UnicodeDecodeError, ValueError):
        raise refuse(_l("This file is not a JSON Data Package.")) from None
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        raise refuse(_l("This file is not a JSON Data Package."))
    resources = {
        r.get("name"): r.get("data")
        for r in package["resources"]
        if isinstance(r, dict) and isinstance(r.get("data"), list)
    }
    events = resources.get("events") or resources.get("event")
    if (
        not events
        or not isinstance(events[0], dict)
        or not isinstance(resources.get("projects"), list)
    ):
        raise refuse(_l("The package must hold an event and its projects."))
    projects = [p for p in resources["projects"] if isinstance(p, dict)]
    return {
        "name": str(package.get("name") or "dribdat"),
        "identifier": _event_identifier(package, events[0], projects),
        "licence": ", ".join(
            str(x.get("name")) for x in package.get("licenses") or [] if isinstance(x, dict)
        ),
        "event": events[0],
        "projects": projects,
        "participants": resources.get("participants") or [],
        "activities": resources.get("activities") or [],
    }


def _event_identifier(package, event, projects):
    """The event's address on its platform (package names like "event-1" repeat)."""
    for project in projects:
        url = str(project.get("event_url") or "")
        if url.startswith(("http://", "https://")):
            return url
    return f"dribdat:{package.get('homepage') or package.get('name')}:{event.get('id')}"


# --- pseudonyms ----------------------------------------------------------------------------------


def pseudonym(name):
    """A stable pseudonym: the same name always gives the same one on this instance."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"dribdat:" + name.strip().lower().encode(), hashlib.sha256)
    return f"participant-{digest.hexdigest()[:8]}"


class Pseudonymiser:
    """Every name of the package, and a function replacing them in texts and URLs."""

    def __init__(self, package):
        names = set()
        for project in package["projects"]:
            names.update(_team(project))
            if project.get("maintainer"):
                names.add(str(project["maintainer"]).strip())
        for person in package["participants"]:
            if isinstance(person, dict) and person.get("name"):
                names.add(str(person["name"]).strip())
        for activity in package["activities"]:
            if isinstance(activity, dict) and activity.get("user_name"):
                names.add(str(activity["user_name"]).strip())
        self.names = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(map(re.escape, self.names)) + r")(?!\w)", re.I)
            if self.names
            else None
        )

    def text(self, value):
        if not value or self._pattern is None:
            return value or ""
        return self._pattern.sub(lambda m: pseudonym(m.group(1)), value)

    def url(self, value):
        """An http(s) address, or None when it is not one or would reveal a username."""
        value = (value or "").strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
            return None
        if self._pattern is not None and self._pattern.search(value.split("://", 1)[1]):
            return None
        return value


def _team(project):
    team = project.get("team") or ""
    names = team if isinstance(team, list) else str(team).split(",")
    return [n.strip() for n in names if str(n).strip()]


# --- field mapping --------------------------------------------------------------------------------


def _when(value):
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIME)


def _stage(project):
    phase = str(project.get("phase") or "").strip().lower()
    if any(word in phase for word in RELEASED_PHASES):
        return RELEASED
    if any(word in phase for word in PROTOTYPE_PHASES):
        return PROTOTYPE
    return IDEA


def _plain(markdown):
    """The first paragraph of a markdown text, without headings, links' targets or markup."""
    text = re.sub(r"<[^>]+>", " ", markdown or "")
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    for paragraph in re.split(r"\r?\n\s*\r?\n", text):
        lines = [
            ln for ln in paragraph.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
        ]
        cleaned = " ".join(" ".join(lines).replace("*", "").replace("`", "").split())
        if len(cleaned) >= 10:
            return cleaned
    return ""


def _pitch(project, names):
    text = (project.get("summary") or "").strip() or _plain(
        project.get("excerpt") or project.get("longtext")
    )
    text = names.text(one_line(text))
    return text if len(text) <= PITCH_MAX else text[: PITCH_MAX - 1].rsplit(" ", 1)[0] + "…"


# --- the import -----------------------------------------------------------------------------------


def _hackathon(actor, package, names):
    event = package["event"]
    identifier = package["identifier"]
    hackathon = db.session.scalar(
        select(Hackathon).where(Hackathon.source_identifier == identifier)
    )
    starts = _when(event.get("starts_at")) or utcnow()
    ends = _when(event.get("ends_at"))
    ends = ends if ends and ends > starts else starts + timedelta(days=1)
    lat, lon = event.get("location_lat"), event.get("location_lon")
    try:
        lon, lat = (
            (float(lon), float(lat))
            if lat not in (None, "") and lon not in (None, "")
            else (None, None)
        )
    except ValueError:
        lon = lat = None
    description = names.text(_plain(event.get("description")) or event.get("summary") or "")
    created = hackathon is None
    if created:
        hackathon = hackathons.create(
            actor,
            {
                "title": str(event.get("name") or package["name"])[:200],
                "summary": names.text(" ".join(str(event.get("summary") or "").split()))[:300],
                "description": description[:10000],
                "rules": "",
                "team_size_max": 20,
                "starts_at": starts,
                "ends_at": ends,
                "capacity": 200,
                "online": not event.get("location"),
                "address": str(event.get("location") or "")[:300] or None,
                "lon": lon,
                "lat": lat,
                "source": SOURCE,
                "source_identifier": identifier,
            },
        )
    finished = str(event.get("has_finished")).lower() == "true" or ends < utcnow()
    hackathon.phase = RESULTS if finished else BUILDING
    hackathon.registration_list.is_open = not finished
    return hackathon, "created" if created else "updated"


def _approve(submission, actor, note):
    """An imported project was published on its platform: it arrives approved, audited."""
    submission.status, submission.decided_at, submission.decided_by_id = (
        APPROVED,
        utcnow(),
        actor.id,
    )
    db.session.add(
        SubmissionEvent(
            submission_id=submission.id,
            actor_id=actor.id,
            action="approve",
            from_status="pending",
            to_status=APPROVED,
            note=note,
        )
    )


def _identifier(package, project):
    url = str(project.get("url") or "")
    return (
        url
        if url.startswith(("http://", "https://"))
        else f"dribdat:{package['name']}:project:{project.get('id')}"
    )


def _project(actor, hackathon, package, project, names):
    """Import one project row; return (outcome, reason, proposal or None)."""
    title = " ".join(str(project.get("name") or "").split())[:200]
    if not title:
        return "rejected", "no_name", None
    if str(project.get("is_challenge")).lower() == "true":
        question = _pitch(project, names)
        exists = db.session.scalar(
            select(Challenge).where(
                Challenge.hackathon_id == hackathon.id, Challenge.title == title
            )
        )
        if exists is None:
            db.session.add(
                Challenge(
                    hackathon_id=hackathon.id,
                    title=title,
                    question=question or title,
                    position=len(hackathon.challenges),
                )
            )
        return "challenge", None, None
    pitch = _pitch(project, names)
    if not pitch:
        return "rejected", "no_pitch", None
    identifier = _identifier(package, project)
    proposal = db.session.scalar(select(Proposal).where(Proposal.source_identifier == identifier))
    outcome = "updated" if proposal is not None else "created"
    if proposal is None:
        proposal = Proposal(
            hackathon_id=hackathon.id,
            author_id=actor.id,
            source=SOURCE,
            source_identifier=identifier,
        )
        db.session.add(proposal)
    proposal.title, proposal.pitch = title, pitch
    proposal.stage = _stage(project)
    proposal.repository_url = names.url(project.get("source_url"))
    proposal.demo_url = names.url(project.get("webpage_url"))
    credits = {pseudonym(n) for n in _team(project)}
    if project.get("maintainer"):
        credits.add(pseudonym(str(project["maintainer"])))
    proposal.credits = sorted(credits)
    db.session.flush()
    if outcome == "created":
        submission = moderation.submit(
            proposals.KIND, proposal.id, title, actor, context=f"hackathon:{hackathon.slug}"
        )
        _approve(
            submission,
            actor,
            f"Imported from {package['name']} ({package['licence'] or 'no licence'})",
        )
    return outcome, None, proposal


def _activities(package, imported, names, report):
    cleared = set()
    for n, activity in enumerate(package["activities"], start=1):
        row = {
            "resource": "activities",
            "row": n,
            "identifier": str(activity.get("id", "")),
            "title": "",
        }
        proposal = imported.get(str(activity.get("project_id")))
        body = names.text(" ".join(str(activity.get("content") or "").split()))
        if not body and activity.get("name"):
            body = str(activity["name"]).capitalize()
        if proposal is None:
            report.append({**row, "outcome": "rejected", "reason": "unknown_project"})
            continue
        if not body:
            report.append({**row, "outcome": "rejected", "reason": "no_content"})
            continue
        if proposal.id not in cleared:
            db.session.execute(
                delete(ProgressUpdate).where(
                    ProgressUpdate.proposal_id == proposal.id,
                    ProgressUpdate.author_label.is_not(None),
                )
            )
            cleared.add(proposal.id)
        db.session.add(
            ProgressUpdate(
                proposal_id=proposal.id,
                author_label=pseudonym(str(activity.get("user_name") or "?")),
                body=body[:2000],
                stage=proposal.stage,
                created_at=_when(activity.get("date")) or utcnow(),
            )
        )
        report.append({**row, "title": proposal.title, "outcome": "logged", "reason": None})


def import_package(actor, package):
    """Import a parsed package in one unit of work; return (hackathon, report rows)."""
    names = Pseudonymiser(package)
    report, imported = [], {}
    with unit_of_work():
        hackathon, outcome = _hackathon(actor, package, names)
        report.append(
            {
                "resource": "event",
                "row": 1,
                "identifier": hackathon.source_identifier,
                "title": hackathon.title,
                "outcome": outcome,
                "reason": None,
            }
        )
        for n, project in enumerate(package["projects"], start=1):
            outcome, reason, proposal = _project(actor, hackathon, package, project, names)
            if proposal is not None:
                imported[str(project.get("id"))] = proposal
            report.append(
                {
                    "resource": "projects",
                    "row": n,
                    "identifier": str(project.get("id", "")),
                    "title": str(project.get("name") or ""),
                    "outcome": outcome,
                    "reason": reason,
                }
            )
        for n, person in enumerate(package["participants"], start=1):
            name = str(person.get("name") or "") if isinstance(person, dict) else ""
            report.append(
                {
                    "resource": "participants",
                    "row": n,
                    "identifier": pseudonym(name) if name else "",
                    "title": "",
                    "outcome": "not_stored",
                    "reason": None,
                }
            )
        _activities(package, imported, names, report)
    return hackathon, report
