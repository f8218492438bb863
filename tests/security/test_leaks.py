"""Secrets never leak through any surface: a sensitive feature's real position and locating
fields (pages, API, OGC, exports, search, party live feed and summary, history, error
messages), and a person's private profile fields, e-mail and staff-only name (attendee
pages, team finder, requirement credits, search, CSV exports, people pages).

Each surface is visited by each viewer who must not see the secret, and the answer is
searched for the exact secret values; a staff control shows the secret is really there."""

import html
import re
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from crowdsourcing.services import hackathons
from mapping.services import features
from tests import factories
from tests.mapping.api_support import SECRET_LAT, SECRET_LON, SECRET_MARKERS, jpeg
from tests.security import harness
from tests.security.world import (
    OWNER_EMAIL,
    OWNER_NAME,
    PRIVATE_BIO,
    PRIVATE_NEIGHBOURHOOD,
)
from webapp.profiles import services as profiles
from workshops.services import synthesis

NON_STAFF = ("anonymous", "resident", "participant", "owner")
NOT_THE_OWNER = (
    "anonymous",
    "resident",
    "participant",
    "organiser",
    "moderator",
    "steward",
    "admin",
)
# The skill's name is public vocabulary; what is private is that the owner has it, so the
# lists filtered by it must not name the owner (see SKILL_FILTERED).
PROFILE_SECRETS = (PRIVATE_BIO, PRIVATE_NEIGHBOURHOOD, OWNER_EMAIL)

# Where a sensitive feature shows, by template: {f} feature, {inv} inventory, {party} party.
POSITION_SURFACES = [
    "/mapping/features/{f}",
    "/mapping/features/{f}/history",
    "/mapping/features/{f}/edit",
    "/mapping/inventories/{inv}",
    "/mapping/",
    "/api/v1/features/{f}",
    "/api/v1/features/{f}/history",
    "/api/v1/inventories/{inv}/features",
    "/api/v1/inventories/{inv}/features?attr=notes:behind the old mill, third oak",
    "/api/v1/inventories/{inv}/map?bbox=3.85,43.58,3.92,43.63",
    "/ogc/collections/{inv}/items",
    "/ogc/collections/{inv}/items/{f}",
    "/mapping/inventories/{inv}/export.geojson",
    "/mapping/inventories/{inv}/export.csv",
    "/mapping/inventories/{inv}/export.osm",
    "/mapping/inventories/{inv}/export.geojson?exact=1",
    "/mapping/inventories/{inv}/export.csv?exact=1",
    "/search?q=Emys",
    "/search?q=old+mill",
    "/api/v1/search?q=Emys",
    "/api/v1/search?q=old+mill",
    "/api/v1/parties/{party}/features",
    "/api/v1/parties/{party}/summary",
    "/mapping/parties/{party}",
    "/mapping/parties/{party}/live",
    "/mapping/parties/{party}/summary",
    "/my/contributions",
    "/api/v1/my/submissions",
]
# Pages refused to some non-staff (the exact exports, editing, one's own lists).
REFUSED_TO_SOME = {
    "/mapping/features/{f}/edit",
    "/mapping/inventories/{inv}/export.geojson?exact=1",
    "/mapping/inventories/{inv}/export.csv?exact=1",
    "/my/contributions",
    "/api/v1/my/submissions",
}
# Answers to bad or refused calls about the feature: errors must not quote it.
POSITION_ERRORS = [
    ("PATCH", "/api/v1/features/{f}", {"revision": 99, "properties": {"notes": "x"}}),
    ("POST", "/api/v1/features/{f}/revert", {"revision": 1}),
    ("POST", "/api/v1/features/{f}/photos", {}),
    ("GET", "/api/v1/inventories/{inv}/features?bbox=3.8812345,43.6123456", None),
    ("GET", "/ogc/collections/{inv}/items?notes=behind+the+old+mill", None),
]
# Where a person shows, by template: {slug}s, {list}s, {team}, {skill}, {owner}.
PROFILE_SURFACES = [
    ("organiser", "/events/{event}/attendees"),
    ("organiser", "/events/{event}/attendees.csv"),
    ("organiser", "/events/{party_list}/attendees"),
    ("organiser", "/events/{party_list}/attendees.csv"),
    ("organiser", "/events/{hackathon_list}/attendees"),
    ("organiser", "/events/{hackathon_list}/attendees.csv"),
    ("organiser", "/events/{session_list}/attendees"),
    ("organiser", "/events/{session_list}/attendees.csv"),
    ("organiser", "/workshops/{workshop}/registration-answers"),
    ("organiser", "/workshops/{workshop}/registration-answers.csv"),
    ("organiser", "/hackathons/{hackathon}/export/proposals.csv"),
    ("organiser", "/api/v1/hackathons/{hackathon}/export/proposals?format=csv"),
    ("moderator", "/backlog/export.csv"),
    ("moderator", "/moderation/"),
    (None, "/hackathons/{hackathon}"),
    (None, "/hackathons/{hackathon}/teams/{other_team}?skill={skill}"),
    (None, "/hackathons/{hackathon}/teams/{team}"),
    (None, "/api/v1/hackathons/{hackathon}/finder?skill={skill}"),
    (None, "/api/v1/hackathons/{hackathon}/teams"),
    (None, "/workshops/{workshop}/requirements"),
    (None, "/workshops/{workshop}/requirements.md"),
    (None, "/workshops/{workshop}/requirements/print"),
    (None, "/api/v1/workshops/{workshop}/requirements"),
    (None, "/workshops/{workshop}/ideas"),
    (None, "/api/v1/workshops/{workshop}/ideas"),
    (None, "/search?q=SECRET-bio-4d1c"),
    (None, "/search?q=SECRET-quartier-4d1c"),
    (None, "/search?q=Quillon"),
    (None, "/api/v1/search?q=SECRET-bio-4d1c"),
    (None, "/api/v1/search?q=Quillon"),
    (None, "/people/"),
    (None, "/people/?skill={skill}"),
    (None, "/api/v1/people?skill={skill}"),
    (None, "/people/{owner}"),
    (None, "/api/v1/people/{owner}"),
    (None, "/mapping/parties/{party}/summary"),
    (None, "/api/v1/parties/{party}/summary"),
]

SKILL_FILTERED = {
    "/hackathons/{hackathon}/teams/{other_team}?skill={skill}",
    "/api/v1/hackathons/{hackathon}/finder?skill={skill}",
    "/people/?skill={skill}",
    "/api/v1/people?skill={skill}",
}

# One world per backend per module: keep the module on one worker.
pytestmark = pytest.mark.xdist_group("security-leaks")


@pytest.fixture(scope="module")
def world(app):
    with harness.world_transaction(app) as built:
        _add_secrets(built)
        yield built


def _add_secrets(world):
    """A protected species seen by the owner at a secret place, during the party; the
    requirements published; the owner looking for a team, named for staff only."""
    people, shared = world["people"], world["shared"]
    organiser, owner = people["organiser"], people["owner"]
    inventory = factories.inventory(organiser, moderation_mode="post", generalise_m=1000)
    shared["party"] = factories.party(organiser, [inventory])
    from webapp.registrations import services as registrations

    registrations.register(owner, shared["party"].registration_list_id)
    feature = features.create(
        owner,
        inventory.id,
        factories.point(SECRET_LON, SECRET_LAT),
        {
            "scientific_name": "Emys orbicularis",
            "protection": "protected",
            "observed_on": "2026-05-01",
            "notes": "behind the old mill, third oak",
        },
        photos={"photo": jpeg()},
        party_id=shared["party"].id,
    )
    world["secret"] = {"feature": feature, "inventory": inventory}
    synthesis.publish(organiser, shared["workshop"].id)
    hackathons.set_looking(owner, shared["hackathon"].id, True, "Je cherche une équipe")
    profiles.set_visibility(owner, {"display_name": "staff"})


def _position_url(template, world):
    secret, party = world["secret"], world["shared"]["party"]
    return template.format(f=secret["feature"].id, inv=secret["inventory"].slug, party=party.slug)


def _profile_url(template, world):
    shared, people = world["shared"], world["people"]
    return template.format(
        event=shared["event"].id,
        party_list=shared["party"].registration_list_id,
        hackathon_list=shared["hackathon"].registration_list_id,
        session_list=shared["session"].registration_list_id,
        workshop=shared["workshop"].slug,
        hackathon=shared["hackathon"].slug,
        other_team=world["other_team"].id,
        team=world["owner"]["team"].id,
        skill=world["skill"].id,
        owner=people["owner"].id,
        party=shared["party"].slug,
    )


def _get(app, world, role, url, method="GET", body=None):
    """The status and the text of the answer, without the echo of a search query."""
    client = harness.client_as(app, world, role)
    kwargs = {} if body is None else {"json": body}
    with world["isolated"]():
        response = client.open(url, method=method, **kwargs)
        status, text = response.status_code, response.get_data(as_text=True)
        response.close()
    assert status < 500, (role, url, status)
    query = parse_qs(urlsplit(url).query).get("q")
    if query:
        # The search box shows what was asked: that echo is not a leak.
        for form in {query[0], html.escape(query[0]), quote_plus(query[0])}:
            text = text.replace(form, "")
    return status, text


def _names_owner(text, owner_id):
    return bool(re.search(rf'(/people/{owner_id}\b|"id":\s*{owner_id}\b)', text))


@pytest.mark.parametrize("template", POSITION_SURFACES)
def test_no_surface_gives_non_staff_the_real_place_of_a_sensitive_feature(app, world, template):
    url = _position_url(template, world)
    for role in NON_STAFF:
        status, text = _get(app, world, role, url)
        leaked = [marker for marker in SECRET_MARKERS if marker in text]
        assert leaked == [], f"{role} {url}"
        # The page is really served (not an error page that would hide nothing).
        assert status == 200 or template in REFUSED_TO_SOME, (role, url, status)


@pytest.mark.parametrize(("method", "template", "body"), POSITION_ERRORS)
def test_errors_about_a_sensitive_feature_do_not_quote_it(app, world, method, template, body):
    url = _position_url(template, world)
    for role in NON_STAFF:
        status, text = _get(app, world, role, url, method, body)
        leaked = [marker for marker in SECRET_MARKERS if marker in text]
        assert leaked == [], f"{role} {method} {url} ({status})"


def test_staff_do_see_the_real_place_so_the_markers_are_the_right_ones(app, world):
    feature = world["secret"]["feature"]
    for url in (f"/api/v1/features/{feature.id}", f"/api/v1/features/{feature.id}/history"):
        _status, text = _get(app, world, "organiser", url)
        assert all(marker in text for marker in SECRET_MARKERS[:2]), url


@pytest.mark.parametrize(("needs", "template"), PROFILE_SURFACES)
def test_no_surface_shows_private_profile_fields_to_anyone_but_the_owner(
    app, world, needs, template
):
    url = _profile_url(template, world)
    owner_id = world["people"]["owner"].id
    for role in (needs,) if needs else NOT_THE_OWNER:
        status, text = _get(app, world, role, url)
        if needs:
            assert status == 200, (role, url, status)
        leaked = [secret for secret in PROFILE_SECRETS if secret in text]
        assert leaked == [], f"{role} {url}"
        if role in NON_STAFF:
            assert OWNER_NAME not in text, f"{role} {url}"
        if template in SKILL_FILTERED:
            assert not _names_owner(text, owner_id), f"{role} {url}"


def test_the_owner_does_see_their_private_fields_so_the_values_are_the_right_ones(app, world):
    _status, text = _get(app, world, "owner", f"/people/{world['people']['owner'].id}")
    assert PRIVATE_BIO in text and PRIVATE_NEIGHBOURHOOD in text
    _status, text = _get(app, world, "organiser", _profile_url("/events/{event}/attendees", world))
    assert OWNER_NAME in text
    url = _profile_url("/api/v1/people?skill={skill}", world)
    with world["isolated"]():
        profiles.set_visibility(world["people"]["owner"], {"skills": "public"})
        assert _names_owner(_get(app, world, "resident", url)[1], world["people"]["owner"].id)
