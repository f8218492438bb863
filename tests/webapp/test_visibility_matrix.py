"""The one access rule, field by field: every field × every level × every kind of viewer,
on the profile page, the photo and the API."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from tests import factories
from webapp.accounts import services as accounts
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db
from webapp.profiles import services as profiles
from webapp.profiles import visibility
from webapp.profiles.models import Profile, Skill
from webapp.registrations import services as registrations

ORDER = ("public", "members", "staff", "hierarchy", "private")
# The narrowest audience each viewer belongs to, written out here rather than asked
# of the code under test; "private" means "only the owner".
VIEWERS = {
    "anonymous": "public",
    "member": "members",
    "other_staff": "staff",
    "manager": "hierarchy",
    "admin": "hierarchy",
    "self": "private",
}
SENTINELS = {
    "display_name": "SENTINEL-name-7f3a",
    "bio": "SENTINEL-bio-7f3a",
    "skills": "SENTINEL-skill-7f3a",
    "interests": "SENTINEL-interest-7f3a",
    "languages": "SENTINEL-language-7f3a",
    "neighbourhood": "SENTINEL-neighbourhood-7f3a",
    "links": "https://sentinel-links.example.org/x",
    "department": "SENTINEL-dept-7f3a",
    "job_title": "SENTINEL-job-7f3a",
    "grade": "SENTINEL-grade-7f3a",
}
# Fields whose value is a choice, recognised by their key rather than by a sentinel.
CHOICES = {"availability": "available", "category": "B"}
OWNER_EMAIL = "sentinel-owner-7f3a@example.org"


def png(size=(8, 8), colour="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def expected_level(field, chosen):
    """The owner's choice brought back within the field's bounds, by the level ordering."""
    spec = visibility.FIELDS[field]
    index = min(
        max(ORDER.index(chosen), ORDER.index(spec.most_open)), ORDER.index(spec.most_private)
    )
    return ORDER[index]


def sees(viewer, level):
    return ORDER.index(VIEWERS[viewer]) >= ORDER.index(level)


def fill_profile(owner, admin):
    """Give the owner a distinct value in every field, through the services."""
    profiles.update_profile(
        owner,
        {
            "bio": SENTINELS["bio"],
            "interests": [SENTINELS["interests"]],
            "languages": [SENTINELS["languages"]],
            "neighbourhood": SENTINELS["neighbourhood"],
            "links": [SENTINELS["links"]],
            "availability": CHOICES["availability"],
            "job_title": SENTINELS["job_title"],
            "grade": SENTINELS["grade"],
            "category": CHOICES["category"],
        },
    )
    skill = profiles.add_skill(admin, SENTINELS["skills"], SENTINELS["skills"])
    profiles.set_skills(owner, [skill.id])
    profiles.set_avatar(owner, png())


def choose(owner, visibility_map):
    """Write the owner's choices as stored, even outside the current bounds."""
    with unit_of_work():
        db.session.get(Profile, owner.id).visibility = dict(visibility_map)


@pytest.fixture
def world(app, client, session):
    """A staff owner with every field filled, and one logged-in client per kind of viewer."""
    admin = factories.user(roles=["admin"])
    home = factories.department(name_fr=SENTINELS["department"], name_en=SENTINELS["department"])
    elsewhere = factories.department()
    owner = factories.user(
        email=OWNER_EMAIL, department_slug=home.slug, name=SENTINELS["display_name"]
    )
    manager = factories.user(department_slug=home.slug)
    accounts.update_user(admin, manager.id, [], home.slug, True, is_manager=True)
    people = {
        "member": factories.user(),
        "other_staff": factories.user(department_slug=elsewhere.slug),
        "manager": manager,
        "admin": admin,
        "self": owner,
    }
    fill_profile(owner, admin)
    clients = {"anonymous": client}
    for name, person in people.items():
        clients[name] = app.test_client()
        factories.login(clients[name], person.email)
    return {"owner": owner, "admin": admin, "clients": clients, "people": people}


def html_shows(field, page, owner_id):
    if field == "avatar":
        return f'src="/people/{owner_id}/photo"' in page
    if field in CHOICES:
        return f'data-field="{field}"' in page
    return SENTINELS[field] in page


def api_shows(field, body, text):
    """Whether the API shows the field; a field shown carries the owner's value."""
    if field == "display_name":
        shown = body["display_name"] == SENTINELS[field]
    else:
        shown = field in body["fields"]
    if field in SENTINELS:
        assert (SENTINELS[field] in text) == shown, (field, text)
    if shown and field in CHOICES:
        assert body["fields"][field] == CHOICES[field]
    if shown and field == "avatar":
        assert body["fields"]["avatar"] is True
    return shown


def photo_answers(client, owner_id):
    response = client.get(f"/people/{owner_id}/photo")
    status = response.status_code
    if status == 200:
        assert response.mimetype == "image/jpeg"
    response.close()
    return status


def observe(field, clients, owner_id):
    """What each viewer gets of `field` on each surface."""
    seen = {}
    for viewer, client in clients.items():
        page = client.get(f"/people/{owner_id}")
        assert page.status_code == 200
        seen[viewer, "html"] = html_shows(field, page.text, owner_id)
        response = client.get(f"/api/v1/people/{owner_id}")
        assert response.status_code == 200
        seen[viewer, "api"] = api_shows(field, response.get_json(), response.text)
        if field == "avatar":
            seen[viewer, "photo"] = photo_answers(client, owner_id) == 200
    return seen


MATRIX = [
    pytest.param(field, level, id=f"{field}-{level}")
    for field in visibility.FIELDS
    for level in visibility.LEVELS
]


@pytest.mark.parametrize(("field", "level"), MATRIX)
def test_field_is_shown_exactly_to_the_viewers_its_clamped_level_allows(world, field, level):
    owner = world["owner"]
    choose(owner, {field: level})
    audience = expected_level(field, level)
    surfaces = ("html", "api", "photo") if field == "avatar" else ("html", "api")
    expected = {(v, s): sees(v, audience) for v in VIEWERS for s in surfaces}
    assert observe(field, world["clients"], owner.id) == expected


def test_levels_and_fields_cover_the_product_rule():
    assert tuple(visibility.LEVELS) == ORDER
    assert set(visibility.FIELDS) == set(SENTINELS) | set(CHOICES) | {"avatar"}


def test_email_is_never_shown_to_anyone_but_the_owner(world):
    owner = world["owner"]
    choose(owner, dict.fromkeys(visibility.FIELDS, "public"))
    for viewer, client in world["clients"].items():
        if viewer == "self":
            continue
        for url in (f"/people/{owner.id}", f"/api/v1/people/{owner.id}"):
            response = client.get(url)
            assert response.status_code == 200
            assert OWNER_EMAIL not in response.text, (viewer, url)
            assert "sentinel-owner-7f3a" not in response.text, (viewer, url)


def test_non_staff_owner_never_shows_staff_only_fields(app, client, session):
    admin = factories.user(roles=["admin"])
    resident = factories.user(name="Resident Sentinel")
    assert not resident.is_staff
    profiles.update_profile(resident, {"bio": "resident bio"})
    with unit_of_work():
        record = db.session.get(Profile, resident.id)
        record.job_title, record.grade, record.category = "SENTINEL-job", "SENTINEL-grade", "B"
        record.visibility = dict.fromkeys(visibility.FIELDS, "public")
    staff_only = {k for k, spec in visibility.FIELDS.items() if spec.staff_only}
    for viewer in (None, admin, resident):
        browser = client if viewer is None else app.test_client()
        if viewer is not None:
            factories.login(browser, viewer.email)
        body = browser.get(f"/api/v1/people/{resident.id}").get_json()
        assert "bio" in body["fields"]
        assert not staff_only & set(body["fields"])
        page = browser.get(f"/people/{resident.id}").text
        assert "SENTINEL-job" not in page and "SENTINEL-grade" not in page
        assert 'data-field="category"' not in page


def test_tightened_policy_clamps_an_earlier_public_choice(app, world):
    owner, member = world["owner"], world["clients"]["member"]
    profiles.set_visibility(owner, {"bio": "public"})
    assert SENTINELS["bio"] in member.get(f"/people/{owner.id}").text

    profiles.set_field_policy(world["admin"], "bio", "staff", "private", "staff")

    assert db.session.get(Profile, owner.id).visibility["bio"] == "public"
    for viewer, allowed in (("anonymous", False), ("member", False), ("other_staff", True)):
        client = world["clients"][viewer]
        assert (SENTINELS["bio"] in client.get(f"/people/{owner.id}").text) is allowed
        body = client.get(f"/api/v1/people/{owner.id}").get_json()
        assert ("bio" in body["fields"]) is allowed


def test_manager_of_another_department_does_not_get_hierarchy_fields(app, world):
    owner, admin = world["owner"], world["admin"]
    elsewhere = factories.department()
    stranger = factories.user(department_slug=elsewhere.slug)
    accounts.update_user(admin, stranger.id, [], elsewhere.slug, True, is_manager=True)
    browser = app.test_client()
    factories.login(browser, stranger.email)
    choose(owner, {"grade": "hierarchy", "category": "hierarchy", "bio": "staff"})

    body = browser.get(f"/api/v1/people/{owner.id}").get_json()
    assert "grade" not in body["fields"] and "category" not in body["fields"]
    assert body["fields"]["bio"] == SENTINELS["bio"]
    page = browser.get(f"/people/{owner.id}").text
    assert SENTINELS["grade"] not in page and 'data-field="category"' not in page
    colleague = world["clients"]["manager"].get(f"/api/v1/people/{owner.id}").get_json()
    assert colleague["fields"]["grade"] == SENTINELS["grade"]


def test_erased_person_shows_nothing_and_is_named_anonymous_contributor(app, world):
    owner, clients = world["owner"], world["clients"]
    choose(owner, dict.fromkeys(visibility.FIELDS, "public"))
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, starts_in=timedelta(days=3))
    registrations.register(owner, event.id)
    skill = db.session.scalar(select(Skill).where(Skill.name_fr == SENTINELS["skills"]))
    search = f"/api/v1/people?skill={skill.id}"
    assert [p["id"] for p in clients["member"].get(search).get_json()] == [owner.id]
    with unit_of_work():
        owner.erased_at = utcnow()

    assert clients["member"].get(search).get_json() == []
    directory = clients["admin"].get(f"/people/?skill={skill.id}").text
    assert f'href="/people/{owner.id}"' not in directory

    for viewer in ("anonymous", "member", "admin"):
        assert clients[viewer].get(f"/people/{owner.id}").status_code == 404
        assert clients[viewer].get(f"/api/v1/people/{owner.id}").status_code == 404
        assert photo_answers(clients[viewer], owner.id) == 404
    browser = app.test_client()
    factories.login(browser, organiser.email)
    assert browser.post("/language", data={"locale": "en"}).status_code == 302
    page = browser.get(f"/events/{event.id}/attendees")
    assert page.status_code == 200
    assert "Anonymous contributor" in page.text
    assert SENTINELS["display_name"] not in page.text
    csv = browser.get(f"/events/{event.id}/attendees.csv").text
    assert "Anonymous contributor" in csv and SENTINELS["display_name"] not in csv
