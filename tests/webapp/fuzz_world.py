"""A small world for the API fuzzer: one object of each kind the API addresses by id or slug,
made through the services, and the path parameters that reach them."""

from crowdsourcing.services import backlog, teams
from tests import factories
from tests.crowdsourcing import dataset_request, published_request
from tests.crowdsourcing import hackathon_helpers as hackathons
from tests.mapping.api_support import jpeg, photo_inventory
from tests.workshops import idea, workshop
from webapp.accounts import services as accounts
from webapp.notifications import services as notifications

POINTS_CSV = b"name,lon,lat\nChene vert,3.8767,43.6108\nPlatane,3.8801,43.6090\n"


def seed():
    """Create the world; return the admin's bearer token and the known path parameters."""
    from mapping.services import exports, features, imports, parties, photos, tasks

    admin = factories.user(roles=["admin"])
    organiser = factories.user(roles=["organiser"])
    moderator = factories.user(roles=["moderator"])
    resident = factories.user()
    _row, secret = accounts.create_api_token(admin, "fuzz")
    spare, _ = accounts.create_api_token(admin, "spare")
    notification = notifications.notify(admin, "registration.changed", {"title": "Atelier"})
    event = factories.event(organiser)

    request, submission = dataset_request(resident)
    published, _published_submission = published_request(moderator)
    item = backlog.create(admin, {"title": "Arbres des rues", "licence": "odbl"})
    dataset = hackathons.dataset()
    hack = hackathons.hackathon(organiser)
    team = hackathons.team(hack)
    invite = teams.invite(team.members[0].user, team.id, hackathons.participant(hack).id)
    proposal = hackathons.proposal(hack, datasets=[dataset])

    inventory = factories.inventory(organiser, moderation_mode="post")
    feature = factories.feature(inventory, resident)
    pictured = features.create(
        resident,
        photo_inventory(organiser).id,
        factories.point(),
        {"name": "Croix"},
        photos={"picture": jpeg()},
    )
    party = factories.party(organiser, [inventory])
    parties.split_grid(organiser, party.id, 500)
    task = tasks.of_party(party)[0]
    upload = imports.upload(admin, inventory.id, "points.csv", POINTS_CSV)
    job = exports.request_export(admin, inventory.id, "geojson")

    room = workshop(organiser)
    thought = idea(room, resident)

    known = {
        "job_id": [job.id],
        "token_id": [spare.id],
        "notification_id": [notification.id],
        "event_id": [event.id, party.registration_list_id],
        "user_id": [resident.id, organiser.id],
        "submission_id": [submission.id],
        "request_id": [request.id, published.id],
        "item_id": [item.id],
        "team_id": [team.id],
        "invite_id": [invite.id],
        "proposal_id": [proposal.id],
        "feature_id": [feature.id, pictured.id],
        "photo_id": [photo.id for photo in photos.of_feature(pictured)],
        "task_id": [task.id],
        "import_id": [upload.id],
        "idea_id": [thought.id],
    }
    slugs = {
        "/api/v1/hackathons/": [hack.slug],
        "/api/v1/datasets/": [dataset.slug],
        "/api/v1/inventories/": [inventory.slug],
        "/api/v1/parties/": [party.slug],
        "/api/v1/workshops/": [room.slug],
    }
    return secret, known, slugs
