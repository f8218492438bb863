"""Profiles: editing and its checks, skills and the vocabulary, the directory, the privacy
rules page, photos, and names on attendee lists."""

import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import factories
from webapp.extensions import db
from webapp.profiles import services as profiles
from webapp.profiles.models import FieldPolicy, Profile, Skill, UserSkill
from webapp.registrations import services as registrations


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB", exif=None):
    buffer = io.BytesIO()
    img = Image.new(mode, size, "white" if mode == "1" else "navy")
    if exif is not None:
        img.save(buffer, format=fmt, exif=exif)
    else:
        img.save(buffer, format=fmt)
    return buffer.getvalue()


def browser_for(app, person):
    browser = app.test_client()
    factories.login(browser, person.email)
    return browser


def staff_user(**kwargs):
    dept = factories.department()
    return factories.user(department_slug=dept.slug, locale="en", **kwargs)


def skills_of(user):
    return set(
        db.session.scalars(
            select(Skill.key).join(UserSkill).where(UserSkill.user_id == user.id)
        ).all()
    )


def fresh_profile(user):
    db.session.expire_all()
    return db.session.get(Profile, user.id)


@pytest.fixture
def owner(client, session):
    """A logged-in staff member (English) with a profile to change."""
    user = staff_user(name="Camille Before")
    profiles.update_profile(
        user, {"bio": "Before", "interests": ["Vélo"], "links": ["https://before.example.org"]}
    )
    profiles.set_visibility(user, {"bio": "members"})
    factories.login(client, user.email)
    return user


# --- editing ---------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "display_name": "Camille After",
        "bio": "After",
        "interests": "Jardinage\nCartes anciennes",
        "languages": "français, occitan",
        "neighbourhood": "Berriat",
        "links": "https://camille.example.org\nhttp://blog.example.org",
        "availability": "occasionally",
        "job_title": "Cartographe",
        "grade": "Ingénieur principal",
        "category": "A",
        "new_skills": "",
        "visibility_bio": "staff",
        "visibility_grade": "private",
    }
    data.update(overrides)
    return data


def test_owner_edits_profile_skills_and_visibility_through_the_form(client, owner, session):
    skill = profiles.add_skill(factories.user(roles=["admin"]), "Cartographie", "Mapping")
    response = client.post(
        "/account/profile", data=form_data(skills=[str(skill.id)], new_skills="QGIS, Vélo")
    )
    assert response.status_code == 302, response.text[-2000:]
    record = fresh_profile(owner)
    assert (record.bio, record.neighbourhood, record.availability) == (
        "After",
        "Berriat",
        "occasionally",
    )
    assert record.interests == ["Jardinage", "Cartes anciennes"]
    assert record.languages == ["français", "occitan"]
    assert record.links == ["https://camille.example.org", "http://blog.example.org"]
    assert (record.job_title, record.grade, record.category) == (
        "Cartographe",
        "Ingénieur principal",
        "A",
    )
    assert record.visibility["bio"] == "staff" and record.visibility["grade"] == "private"
    assert owner.display_name == "Camille After"
    assert skills_of(owner) == {"cartographie", "qgis", "velo"}
    page = client.get("/account/profile").text
    assert "Ingénieur principal" in page and "Berriat" in page


def test_owner_edits_profile_through_the_api(client, owner, session):
    payload = {
        "display_name": "Camille Api",
        "bio": "Written by a script",
        "interests": ["Arbres"],
        "languages": ["breton"],
        "links": ["https://api.example.org"],
        "availability": "available",
        "grade": "Attaché",
        "new_skills": ["Python"],
        "visibility": {"bio": "public", "availability": "members"},
    }
    response = client.put("/api/v1/me/profile", json=payload)
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["bio"] == "Written by a script" and body["grade"] == "Attaché"
    assert body["visibility"]["bio"] == "public"
    assert body["visibility"]["availability"] == "members"
    assert body["visibility"]["grade"] == "hierarchy"
    assert client.get("/api/v1/me/profile").get_json() == body
    record = fresh_profile(owner)
    assert record.interests == ["Arbres"] and record.neighbourhood is None
    assert owner.display_name == "Camille Api"
    assert skills_of(owner) == {"python"}


BAD_INPUT = [
    pytest.param({"bio": "x" * 2001}, {"bio": "x" * 2001}, "bio", id="bio-too-long"),
    pytest.param(
        {"interests": "\n".join(f"interest {i}" for i in range(21))},
        {"interests": [f"interest {i}" for i in range(21)]},
        "interests",
        id="too-many-interests",
    ),
    pytest.param(
        {"links": "https://ok.example.org\njavascript:alert(1)"},
        {"links": ["https://ok.example.org", "javascript:alert(1)"]},
        "links",
        id="link-not-http",
    ),
    pytest.param(
        {"links": "ftp://files.example.org"}, {"links": ["ftp://x.org"]}, "links", id="ftp"
    ),
    pytest.param(
        {"availability": "sometimes"}, {"availability": "sometimes"}, "availability", id="avail"
    ),
    pytest.param(
        {"visibility_grade": "public"},
        {"visibility": {"grade": "public"}},
        "visibility_grade",
        id="grade-public-outside-policy",
    ),
    pytest.param(
        {"visibility_display_name": "private"},
        {"visibility": {"display_name": "private"}},
        "visibility_display_name",
        id="name-hidden-from-staff",
    ),
    pytest.param(
        {"visibility_bio": "friends"},
        {"visibility": {"bio": "friends"}},
        "visibility",
        id="unknown-level",
    ),
    pytest.param({"display_name": "X"}, {"display_name": "X"}, "display_name", id="name-1-char"),
]


def assert_unchanged(owner):
    record = fresh_profile(owner)
    assert record.bio == "Before"
    assert record.interests == ["Vélo"] and record.links == ["https://before.example.org"]
    assert record.availability is None and record.job_title is None
    assert record.visibility == {"bio": "members"}
    assert owner.display_name == "Camille Before"
    assert skills_of(owner) == set()


@pytest.mark.parametrize(("form_fields", "api_fields", "error_key"), BAD_INPUT)
def test_bad_profile_form_is_refused_and_nothing_changes(
    client, owner, form_fields, api_fields, error_key
):
    response = client.post("/account/profile", data=form_data(new_skills="Nouvelle", **form_fields))
    assert response.status_code == 422
    if error_key in ("bio", "interests", "links", "display_name"):
        assert f'id="{error_key}-errors"' in response.text
    elif error_key.startswith("visibility"):
        assert "This choice is not allowed for this field." in response.text
    else:
        assert "Please correct the fields marked below." in response.text
    assert_unchanged(owner)


@pytest.mark.parametrize(("form_fields", "api_fields", "error_key"), BAD_INPUT)
def test_bad_profile_through_the_api_is_refused_with_field_errors_and_nothing_changes(
    client, owner, form_fields, api_fields, error_key
):
    payload = {"bio": "After", "job_title": "Cartographe", "new_skills": ["Nouvelle"]}
    payload["visibility"] = {"bio": "public"}
    payload.update(api_fields)
    if "visibility" in api_fields:
        payload["visibility"] = {"bio": "public", **api_fields["visibility"]}
    response = client.put("/api/v1/me/profile", json=payload)
    assert response.status_code == 422, response.text
    fields = response.get_json()["error"]["fields"]
    assert any(key == error_key or key.startswith(f"{error_key}.") for key in fields), fields
    assert_unchanged(owner)


def test_non_staff_cannot_set_grade_or_job_title(app, client, session):
    resident = factories.user(locale="en")
    factories.login(client, resident.email)
    response = client.put(
        "/api/v1/me/profile",
        json={"bio": "Habitante", "grade": "Attaché", "job_title": "Cheffe", "category": "A"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["bio"] == "Habitante"
    assert (body["grade"], body["job_title"], body["category"]) == (None, None, None)
    response = client.post(
        "/account/profile",
        data={"display_name": resident.display_name, "grade": "Attaché", "job_title": "Cheffe"},
    )
    assert response.status_code == 302
    record = fresh_profile(resident)
    assert (record.grade, record.job_title, record.category) == (None, None, None)
    assert 'name="visibility_grade"' not in client.get("/account/profile").text


def test_edit_page_offers_only_the_levels_the_policy_allows(client, owner):
    page = client.get("/account/profile").text
    grade = page.split('name="visibility_grade"', 1)[1].split("</select>", 1)[0]
    assert 'value="hierarchy"' in grade and 'value="private"' in grade
    assert 'value="public"' not in grade and 'value="staff"' not in grade
    name = page.split('name="visibility_display_name"', 1)[1].split("</select>", 1)[0]
    assert 'value="private"' not in name and 'value="hierarchy"' not in name


# --- skills ----------------------------------------------------------------------------------


def test_free_skills_are_created_uncurated_and_match_whatever_their_spelling(app, session):
    first, second = factories.user(), factories.user()
    profiles.set_skills(first, new_names=["Cartographie"])
    browser = browser_for(app, second)
    response = browser.put("/api/v1/me/profile", json={"new_skills": [" cartographie "]})
    assert response.status_code == 200, response.text
    rows = db.session.scalars(select(Skill).where(Skill.key == "cartographie")).all()
    assert len(rows) == 1 and rows[0].curated is False and rows[0].name_fr == "Cartographie"
    assert skills_of(first) == skills_of(second) == {"cartographie"}
    assert profiles.skill_key("  CARTOGRAPHIÉ ") == profiles.skill_key("cartographie")


def test_skills_are_chosen_from_the_vocabulary_through_the_api(client, owner, session):
    admin = factories.user(roles=["admin"])
    skill = profiles.add_skill(admin, "Animation", "Facilitation")
    vocabulary = client.get("/api/v1/skills").get_json()
    assert {"id": skill.id, "name": "Facilitation", "curated": True} in vocabulary
    response = client.put("/api/v1/me/profile", json={"skill_ids": [skill.id]})
    assert response.status_code == 200
    assert response.get_json()["skill_ids"] == [skill.id]


def test_unknown_skill_is_refused_and_skills_stay(client, owner, session):
    profiles.set_skills(owner, new_names=["Vélo"])
    response = client.put("/api/v1/me/profile", json={"skill_ids": [987654], "bio": "After"})
    assert response.status_code == 422
    assert "skills" in response.get_json()["error"]["fields"]
    response = client.post("/account/profile", data=form_data(skills=["987654"]))
    assert response.status_code == 422
    assert skills_of(owner) == {"velo"}
    assert fresh_profile(owner).bio == "Before"


# --- directory -------------------------------------------------------------------------------


@pytest.fixture
def directory(app, client, session):
    """Three people sharing a skill, an interest and an availability with different audiences."""
    admin = factories.user(roles=["admin"])
    skill = profiles.add_skill(admin, "Botanique", "Botany")
    people = {}
    for level in ("public", "staff", "private"):
        person = factories.user(name=f"Name {level} 91c2")
        profiles.update_profile(
            person,
            {
                "bio": f"SECRET-bio-{level}",
                "interests": ["Jardinage partagé"],
                "availability": "available",
                "neighbourhood": f"SECRET-place-{level}",
            },
        )
        profiles.set_skills(person, [skill.id])
        profiles.set_visibility(
            person, {"skills": level, "interests": level, "availability": level, "bio": "private"}
        )
        people[level] = person
    member = factories.user()
    staff = factories.user(roles=["organiser"])
    factories.login(client, member.email)
    return {
        "skill": skill,
        "people": people,
        "member": client,
        "staff": browser_for(app, staff),
    }


def found_ids(browser, query):
    response = browser.get(f"/api/v1/people?{query}")
    assert response.status_code == 200, response.text
    api = {person["id"] for person in response.get_json()}
    page = browser.get(f"/people/?{query}")
    assert page.status_code == 200
    return api, page.text


@pytest.mark.parametrize("criterion", ["skill", "interest", "availability"])
def test_directory_finds_people_only_by_what_they_show_the_viewer(directory, criterion):
    query = {
        "skill": f"skill={directory['skill'].id}",
        "interest": "interest=jardinage",
        "availability": "availability=available",
    }[criterion]
    people = directory["people"]
    for viewer, visible in (("member", {"public"}), ("staff", {"public", "staff"})):
        api, page = found_ids(directory[viewer], query)
        assert api == {people[level].id for level in visible}, viewer
        for level, person in people.items():
            assert (f'href="/people/{person.id}"' in page) is (level in visible), (viewer, level)


def test_directory_results_never_include_fields_the_viewer_cannot_see(directory):
    people = directory["people"]
    results = directory["member"].get(f"/api/v1/people?skill={directory['skill'].id}").get_json()
    assert [r["id"] for r in results] == [people["public"].id]
    shown = results[0]
    assert set(shown["fields"]) == {"skills", "interests", "availability"}
    assert shown["display_name"] != "Name public 91c2"
    page = directory["member"].get(f"/people/?skill={directory['skill'].id}").text
    assert "SECRET-" not in page and "Name public 91c2" not in page
    staff_view = directory["staff"].get("/api/v1/people?interest=jardinage").get_json()
    assert {r["display_name"] for r in staff_view} == {"Name public 91c2", "Name staff 91c2"}
    assert all("bio" not in r["fields"] and "neighbourhood" not in r["fields"] for r in staff_view)


def test_directory_requires_login(client, session):
    response = client.get("/people/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


# --- admins: vocabulary and privacy rules ----------------------------------------------------


@pytest.fixture
def admin(app, client, session):
    user = factories.user(roles=["admin"], locale="en")
    factories.login(client, user.email)
    return user


def test_admin_adds_a_curated_skill_once(client, admin, session):
    response = client.post("/admin/skills", data={"name_fr": "Cartographie", "name_en": "Mapping"})
    assert response.status_code == 302
    skill = db.session.scalar(select(Skill).where(Skill.key == "cartographie"))
    assert (skill.name_fr, skill.name_en, skill.curated) == ("Cartographie", "Mapping", True)
    again = client.post("/admin/skills", data={"name_fr": "cartographie", "name_en": "Maps"})
    assert again.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Skill)) == 1
    assert "Mapping" in client.get("/admin/skills").text


def test_admin_curates_a_free_addition_with_both_names(client, admin, session):
    member = factories.user()
    (skill,) = profiles.set_skills(member, new_names=["carto participative"])
    assert skill.curated is False
    response = client.post(
        f"/admin/skills/{skill.id}",
        data={"name_fr": "Cartographie participative", "name_en": "Participatory mapping"},
    )
    assert response.status_code == 302
    db.session.refresh(skill)
    assert (skill.name_fr, skill.name_en, skill.curated) == (
        "Cartographie participative",
        "Participatory mapping",
        True,
    )
    assert (
        client.post(f"/admin/skills/{skill.id}", data={"name_fr": "", "name_en": "x"}).status_code
        == 422
    )
    db.session.refresh(skill)
    assert skill.name_fr == "Cartographie participative"


def test_merging_skills_leaves_everyone_with_exactly_one_of_them(client, admin, session):
    source = profiles.add_skill(admin, "Carto", "Maps")
    target = profiles.add_skill(admin, "Cartographie", "Mapping")
    both, only_source, only_target = factories.user(), factories.user(), factories.user()
    profiles.set_skills(both, [source.id, target.id])
    profiles.set_skills(only_source, [source.id])
    profiles.set_skills(only_target, [target.id])
    response = client.post(
        "/admin/skills/merge", data={"source": str(source.id), "target": str(target.id)}
    )
    assert response.status_code == 302, response.text[-2000:]
    db.session.expire_all()
    assert db.session.get(Skill, source.id) is None
    for person in (both, only_source, only_target):
        rows = db.session.scalars(select(UserSkill).where(UserSkill.user_id == person.id)).all()
        assert [r.skill_id for r in rows] == [target.id]


def test_merging_a_skill_into_itself_is_refused(client, admin, session):
    skill = profiles.add_skill(admin, "Carto", "Maps")
    response = client.post(
        "/admin/skills/merge", data={"source": str(skill.id), "target": str(skill.id)}
    )
    assert response.status_code == 422
    assert db.session.get(Skill, skill.id) is not None


@pytest.mark.parametrize("roles", [[], ["organiser"], ["moderator"]])
def test_non_admins_cannot_manage_skills_or_privacy_rules(client, session, roles):
    skill = profiles.add_skill(factories.user(roles=["admin"]), "Carto", "Maps")
    user = factories.user(roles=roles)
    factories.login(client, user.email)
    requests = [
        ("get", "/admin/skills", None),
        ("post", "/admin/skills", {"name_fr": "Intrus", "name_en": "Intruder"}),
        ("post", f"/admin/skills/{skill.id}", {"name_fr": "Pirate", "name_en": "Pirate"}),
        ("post", "/admin/skills/merge", {"source": skill.id, "target": skill.id}),
        ("get", "/admin/privacy", None),
        (
            "post",
            "/admin/privacy",
            {"field": "bio", "most_open": "public", "most_private": "public", "default": "public"},
        ),
    ]
    for method, url, data in requests:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    db.session.refresh(skill)
    assert skill.name_fr == "Carto"
    assert db.session.scalar(select(func.count()).select_from(Skill)) == 1
    assert db.session.get(FieldPolicy, "bio") is None


def test_admin_sets_a_field_policy(client, admin, session):
    data = {"field": "bio", "most_open": "members", "most_private": "private", "default": "staff"}
    response = client.post("/admin/privacy", data=data)
    assert response.status_code == 302
    row = db.session.get(FieldPolicy, "bio")
    assert (row.most_open, row.most_private, row.default) == ("members", "private", "staff")
    page = client.get("/admin/privacy").text
    assert 'id="bio-most_open"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"field": "job_title", "most_open": "staff", "most_private": "hierarchy"}
            | {"default": "public"},
            "The default must lie between the most open and the most private choice.",
        ),
        (
            {"field": "bio", "most_open": "members", "most_private": "nobody"}
            | {"default": "members"},
            "The default must lie between the most open and the most private choice.",
        ),
        (
            {"field": "display_name", "most_open": "public", "most_private": "private"}
            | {"default": "staff"},
            "Staff must always be able to read participants&#39; names.",
        ),
        (
            {"field": "display_name", "most_open": "public", "most_private": "hierarchy"}
            | {"default": "hierarchy"},
            "Staff must always be able to read participants&#39; names.",
        ),
    ],
    ids=["default-outside-bounds", "unknown-level", "names-private", "names-hierarchy"],
)
def test_admin_privacy_rule_outside_the_rules_is_refused_and_nothing_changes(
    client, admin, session, data, message
):
    response = client.post("/admin/privacy", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.get(FieldPolicy, data["field"]) is None


# --- photos ----------------------------------------------------------------------------------


def stored_avatar(user):
    record = fresh_profile(user)
    assert record is not None and record.avatar_path
    return os.path.join(profiles.avatar_folder(), record.avatar_path)


def upload(client, data, name):
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"avatar": FileStorage(io.BytesIO(data), name)})
    return client.post(
        "/account/profile/photo",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_jpeg_photo_is_stored_resized_without_exif(client, owner):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (45.0, 11.0, 20.0), 3: "E", 4: (5.0, 43.0, 0.0)}
    original = image_bytes("JPEG", size=(800, 600), exif=exif)
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif()[0x010F] == "CameraMaker"

    response = upload(client, original, "me.jpg")

    assert response.status_code == 302, response.text[-2000:]
    with Image.open(stored_avatar(owner)) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) <= 256
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info


def test_png_photo_is_stored_as_jpeg_and_replaces_the_old_one(client, owner):
    assert upload(client, image_bytes("PNG"), "first.png").status_code == 302
    first = stored_avatar(owner)
    assert upload(client, image_bytes("PNG", size=(50, 50)), "second.png").status_code == 302
    second = stored_avatar(owner)
    with Image.open(second) as stored:
        assert stored.format == "JPEG"
    assert second != first and not os.path.exists(first)
    photo = client.get(f"/people/{owner.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    photo.close()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


UNREADABLE = "This file is not a readable image."


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: b"this is not an image at all", "notes.png", UNREADABLE),
        (lambda: SVG, "photo.svg", UNREADABLE),
        (
            lambda: image_bytes("GIF"),
            "anim.gif",
            "The photo must be a PNG, JPEG or WebP image under 5 MB.",
        ),
        (
            lambda: image_bytes("PNG") + b"\0" * (5 * 1024 * 1024),
            "heavy.png",
            "The photo must be under 5 MB.",
        ),
        (
            lambda: image_bytes("PNG", size=(6001, 6001), mode="1"),
            "huge.png",
            "The photo has too many pixels (at most 36 megapixels).",
        ),
    ],
    ids=["not-an-image", "svg", "gif", "over-5-mb", "too-many-pixels"],
)
def test_bad_photo_is_refused_and_the_old_one_stays(client, owner, make, name, message):
    assert upload(client, image_bytes("PNG"), "old.png").status_code == 302
    old = stored_avatar(owner)

    response = upload(client, make(), name)

    assert response.status_code == 422
    assert message in response.text
    assert stored_avatar(owner) == old and os.path.exists(old)


def test_upload_without_a_file_is_refused(client, owner):
    response = client.post("/account/profile/photo", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert fresh_profile(owner).avatar_path is None


def test_owner_removes_their_photo(client, owner):
    assert upload(client, image_bytes("PNG"), "old.png").status_code == 302
    path = stored_avatar(owner)
    response = client.post(
        "/account/profile/photo", data={"remove": "1"}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert fresh_profile(owner).avatar_path is None and not os.path.exists(path)
    assert client.get(f"/people/{owner.id}/photo").status_code == 404


# --- names on attendee lists -----------------------------------------------------------------


def test_organiser_reads_attendee_names_but_never_their_email(app, client, session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=1)
    first = factories.user(email="first-attendee@example.org", name="Alix Premier")
    second = factories.user(email="second-attendee@example.org", name="Bao Second")
    registrations.register(first, event.id)
    registrations.register(second, event.id)
    factories.login(client, organiser.email)

    page = client.get(f"/events/{event.id}/attendees")
    csv = client.get(f"/events/{event.id}/attendees.csv")

    assert page.status_code == 200 and csv.status_code == 200
    for text in (page.text, csv.text):
        assert "Alix Premier" in text and "Bao Second" in text
        assert "@example.org" not in text


def test_participant_cannot_hide_their_name_from_organisers(client, session):
    participant = factories.user()
    factories.login(client, participant.email)
    response = client.put("/api/v1/me/profile", json={"visibility": {"display_name": "private"}})
    assert response.status_code == 422
    assert db.session.get(Profile, participant.id) is None


def test_free_skills_of_others_are_not_listed_until_curated(client, session):
    from webapp.profiles import services as profile_services

    author = factories.user()
    profile_services.set_skills(author, [], ["Tricot urbain"])
    other = factories.user()
    factories.login(client, other.email)
    assert "Tricot urbain" not in client.get("/account/profile").text
    assert "Tricot urbain" not in client.get("/people/").text
    assert all(s["name"] != "Tricot urbain" for s in client.get("/api/v1/skills").json)
    client.post("/logout")
    factories.login(client, author.email)
    assert "Tricot urbain" in client.get("/account/profile").text
