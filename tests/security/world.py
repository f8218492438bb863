"""One world for the access tests: every kind of person, and for two residents (the owner
and a second resident) one object of every kind that belongs to someone, all built
through the services."""

from sqlalchemy import select

from crowdsourcing.services import backlog, moderation, proposals
from crowdsourcing.services import requests as dataset_requests
from mapping.services import exports, imports, parties, tasks
from tests import factories
from tests.crowdsourcing import hackathon_helpers as hack_helpers
from tests.mapping.api_support import jpeg
from tests.workshops import add_session, image_bytes, workshop
from webapp.accounts import services as accounts
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.privacy import services as privacy
from webapp.profiles import services as profiles
from webapp.registrations import services as registrations
from workshops.services import ideas, participation, sessions, synthesis

ROLES = (
    "anonymous",
    "resident",
    "participant",
    "organiser",
    "moderator",
    "steward",
    "admin",
    "owner",
)

# What the owner writes in the fields of their profile that only they may see.
PRIVATE_BIO = "SECRET-bio-4d1c"
PRIVATE_SKILL = "SECRET-skill-4d1c"
PRIVATE_NEIGHBOURHOOD = "SECRET-quartier-4d1c"
OWNER_EMAIL = "owner-4d1c@example.org"
OWNER_NAME = "Zephyrin Quillon"


def _people():
    home = factories.department()
    elsewhere = factories.department()
    organiser = factories.user(roles=["organiser"], name="Organiser Person")
    people = {
        "resident": factories.user(name="Resident Person"),
        "participant": factories.user(name="Participant Person"),
        "organiser": organiser,
        "moderator": factories.user(roles=["moderator"], name="Moderator Person"),
        "steward": factories.user(
            roles=["data_steward"], department_slug=elsewhere.slug, name="Steward Person"
        ),
        "admin": factories.user(roles=["admin"], name="Admin Person"),
        "owner": factories.user(email=OWNER_EMAIL, name=OWNER_NAME),
        "second": factories.user(name="Second Resident"),
    }
    return people, home


def _private_profile(person, admin):
    profiles.update_profile(person, {"bio": PRIVATE_BIO, "neighbourhood": PRIVATE_NEIGHBOURHOOD})
    skill = profiles.add_skill(admin, PRIVATE_SKILL, PRIVATE_SKILL)
    profiles.set_skills(person, [skill.id])
    profiles.set_visibility(
        person, {"bio": "private", "neighbourhood": "private", "skills": "private"}
    )
    return skill


def _shared(people, home):
    """What organisers and staff run: inventory, event, party, hackathon, workshop…"""
    organiser, admin = people["organiser"], people["admin"]
    inventory = factories.inventory(organiser, moderation_mode="pre", department=home.slug)
    event = factories.event(organiser=organiser, capacity=20)
    party = factories.party(organiser, [inventory])
    parties.split_grid(organiser, party.id, 500)
    task = tasks.of_party(party)[0]
    hackathon = hack_helpers.hackathon(organiser, team_size_max=4)
    dataset = hack_helpers.dataset()
    room = workshop(organiser)
    session_row = add_session(room, organiser, capacity=20)
    material = sessions.add_file(organiser, session_row.id, "Plan", image_bytes("PNG"))
    theme = synthesis.create_theme(organiser, room.id, "Fraîcheur")
    item = backlog.create(
        people["moderator"], {"title": "Arbres remarquables", "department": home.slug}
    )
    reason = moderation.save_reason(admin, "spam-4d1c", "Indésirable", "Spam")
    run = imports.upload(
        organiser, inventory.id, "points.csv", b"lon;lat;scientific_name\n3.87;43.61;Quercus\n"
    )
    return {
        "department": home,
        "inventory": inventory,
        "event": event,
        "party": party,
        "task": task,
        "hackathon": hackathon,
        "dataset": dataset,
        "workshop": room,
        "session": session_row,
        "material": material,
        "theme": theme,
        "backlog_item": item,
        "reason": reason,
        "import": run,
    }


def _owned(person, shared, other_team):
    """One object of every kind that belongs to `person`."""
    from crowdsourcing.services import hackathons, teams
    from mapping.models import Photo

    inventory, hackathon = shared["inventory"], shared["hackathon"]
    feature = factories.feature(inventory, person, photos={"photo": jpeg()})
    photo = db.session.scalar(select(Photo).where(Photo.feature_id == feature.id))
    feature_submission = moderation_submission("feature", feature.id)
    registration = registrations.register(person, shared["event"].id)
    participation.register(person, shared["session"].id)
    registrations.register(person, shared["party"].registration_list_id)
    request = dataset_requests.create(
        person,
        {
            "title": f"Horaires des piscines {person.id}",
            "description": "Les horaires d'ouverture, jour par jour.",
            "department": shared["department"].slug,
        },
    )
    token, _plaintext = accounts.create_api_token(person, "script")
    hackathons.register(person, hackathon.id)
    invite = teams.invite(other_team["creator"], other_team["team"].id, person.id)
    team = teams.create(person, hackathon.id, {"name": f"Équipe {person.id}"})
    proposal = proposals.submit(
        person, hackathon.id, hack_helpers.proposal_data([shared["dataset"]], team=team.id)
    )
    screenshot = proposals.add_screenshot(person, proposal.id, hack_helpers.png(), "Écran")
    posted = ideas.post(
        person,
        shared["workshop"].id,
        {"category": "idea", "text": "Une carte des fontaines à boire."},
        photo=image_bytes(),
    )
    profiles.set_avatar(person, image_bytes())
    profiles.set_visibility(person, {"avatar": "private"})
    job = privacy.request_export(person)
    export_job = exports.request_export(person, inventory.id, "geojson")
    notification = db.session.scalar(
        select(Notification)
        .where(Notification.user_id == person.id)
        .order_by(Notification.id.desc())
    )
    return {
        "user": person,
        "feature": feature,
        "photo": photo,
        "submission": feature_submission,
        "registration": registration,
        "request": request,
        "token": token,
        "invite": invite,
        "team": team,
        "proposal": proposal,
        "screenshot": screenshot,
        "idea": posted,
        "job": job,
        "export_job": export_job,
        "notification": notification,
    }


def moderation_submission(kind, object_id):
    from crowdsourcing.models import Submission

    return db.session.scalar(
        select(Submission).where(Submission.kind == kind, Submission.object_id == object_id)
    )


def build():
    """Every person, the shared objects, and the owner's and second resident's objects."""
    from crowdsourcing.services import hackathons, teams

    people, home = _people()
    shared = _shared(people, home)
    skill = _private_profile(people["owner"], people["admin"])
    hackathons.register(people["participant"], shared["hackathon"].id)
    other_team = {
        "creator": people["participant"],
        "team": teams.create(people["participant"], shared["hackathon"].id, {"name": "Autre"}),
    }
    owner = _owned(people["owner"], shared, other_team)
    second = _owned(people["second"], shared, other_team)
    shared["requirement"] = synthesis.save_requirement(
        people["organiser"],
        shared["workshop"].id,
        {
            "role": "habitant",
            "goal": "trouver un lieu frais",
            "benefit": "supporter l'été",
            "priority": "must",
            "ideas": [owner["idea"].id],
        },
    )
    return {
        "people": people,
        "shared": shared,
        "skill": skill,
        "owner": owner,
        "second": second,
        "other_team": other_team["team"],
    }
