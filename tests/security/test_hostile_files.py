"""Files: every picture upload refuses what is not a PNG, JPEG or WebP picture (text, HTML,
SVG with a script, GIF, truncated files, decompression bombs) with a translated message,
keeps no file and no row; an accepted picture loses its metadata. File names are never
used as paths."""

import io
import os

import pytest
from PIL import Image

from mapping.services import imports
from tests import factories
from tests.crowdsourcing import hackathon_helpers as hack
from tests.security import hostile
from tests.security.support import page_text, row_counts
from tests.workshops import workshop


def _files(app):
    found = set()
    for root, _dirs, names in os.walk(app.config["UPLOAD_DIR"]):
        found.update(os.path.join(root, n) for n in names)
    return found


@pytest.fixture
def staff(client, session):
    person = factories.user(roles=["admin", "organiser", "moderator"])
    factories.login(client, person.email)
    return person


# Each row: the set-up that returns (url, other form fields), and the file's field name.
def _avatar(client, staff):
    return "/account/profile/photo", {}


def _logo(client, staff):
    settings = {"name": "Ville", "map_center_lon": "3.87", "map_center_lat": "43.61"}
    return "/admin/settings", {**settings, "map_zoom": "13"}


def _feature_photo(client, staff):
    feature = factories.feature(factories.inventory(staff), staff)
    return f"/api/v1/features/{feature.id}/photos", {}


def _screenshot(client, staff):
    proposal = hack.proposal(hack.hackathon(staff))
    client.post("/logout")
    factories.login(client, proposal.author.email)
    return f"/api/v1/proposals/{proposal.id}/screenshots", {}


def _idea_photo(client, staff):
    row = workshop(staff)
    return f"/workshops/{row.slug}/ideas/new", {
        "category": "idea",
        "text": "Une carte des fontaines à boire.",
    }


UPLOADS = [
    ("avatar", _avatar, "avatar"),
    ("logo", _logo, "logo"),
    ("feature photo", _feature_photo, "photo"),
    ("screenshot", _screenshot, "file"),
    ("idea photo", _idea_photo, "photo"),
]
FRENCH_HINTS = ("image", "photo", "logo", "pixels", "vide", "lisible")


def _message(response):
    if response.mimetype == "application/json":
        return " ".join(sum(response.json["error"]["fields"].values(), []))
    return page_text(response)


@pytest.mark.parametrize(("place", "prepare", "field"), UPLOADS, ids=[p for p, *_ in UPLOADS])
def test_bad_pictures_are_refused_with_a_french_message_and_leave_nothing(
    app, client, staff, place, prepare, field
):
    url, form = prepare(client, staff)
    for name, data in hostile.bad_images():
        files_before, rows_before = _files(app), row_counts()
        response = client.post(
            url,
            data={**form, field: (io.BytesIO(data), f"{name}.png")},
            content_type="multipart/form-data",
        )
        assert 400 <= response.status_code < 500, (place, name, response.status_code)
        message = _message(response)
        assert any(h in message.lower() for h in FRENCH_HINTS), (place, name, response.text[:300])
        assert " not " not in message, (place, name, message)  # French, not English
        assert _files(app) == files_before, (place, name)
        assert row_counts() == rows_before, (place, name)


def test_an_accepted_avatar_loses_its_gps_position(app, client, staff):
    response = client.post(
        "/account/profile/photo",
        data={"avatar": (io.BytesIO(hostile.jpeg_with_gps()), "../../../etc/passwd")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    stored = _files(app)
    avatar = [p for p in stored if "avatars" in p]
    assert len(avatar) == 1
    # Stored under a generated name inside the upload folder, never under the sent name.
    assert os.path.realpath(avatar[0]).startswith(os.path.realpath(app.config["UPLOAD_DIR"]))
    assert "passwd" not in avatar[0]
    with Image.open(avatar[0]) as img:
        assert not img.getexif(), "EXIF survived"


@pytest.mark.parametrize(("name", "filename"), hostile.TRAVERSAL_NAMES, ids=lambda v: str(v))
def test_import_file_names_are_display_names_only(app, client, staff, name, filename):
    inventory = factories.inventory(staff)
    geojson = b'{"type": "FeatureCollection", "features": []}'
    files_before = _files(app)
    try:
        record = imports.upload(staff, inventory.id, filename, geojson)
    except Exception as error:  # refused is fine; what matters is what was written
        record = None
        assert getattr(error, "status", 500) < 500, error
    for path in _files(app) - files_before:
        assert os.path.realpath(path).startswith(os.path.realpath(app.config["UPLOAD_DIR"]))
        assert ".." not in path and "passwd" not in path and "win.ini" not in path
    if record is not None:
        shown = record.filename
        assert "/" not in shown and "\\" not in shown and "\x00" not in shown
        assert "\r" not in shown and "\n" not in shown
