"""What the mapping API and OGC tests share: clients per user, the error shape, a
sensitive feature and the check that its real place never shows."""

import io

from PIL import Image

from tests import factories

# A protected species' real position; non-staff only ever see the centre of a 1 km cell.
SECRET_LON, SECRET_LAT = 3.8812345, 43.6123456
SECRET_NOTE = "behind the old mill, third oak"
# 5 decimals (about a metre) of the real position: none may appear in what non-staff get.
SECRET_MARKERS = ("3.88123", "43.61234", "old mill")


def as_user(client, user):
    """Another test client, logged in as `user`."""
    other = client.application.test_client()
    factories.login(other, user.email)
    return other


def error_of(response, status, code=None):
    """Check the status and the one error shape; return the error body."""
    assert response.status_code == status, response.text[:500]
    assert set(response.json) == {"error"}
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def sensitive_feature(inventory, author=None, **kwargs):
    """A protected species observed at SECRET_LON, SECRET_LAT with a locating note."""
    return factories.feature(
        inventory,
        author,
        factories.point(SECRET_LON, SECRET_LAT),
        {
            "scientific_name": "Emys orbicularis",
            "protection": "protected",
            "observed_on": "2026-05-01",
            "notes": SECRET_NOTE,
        },
        **kwargs,
    )


def assert_no_secret(text):
    for marker in SECRET_MARKERS:
        assert marker not in text, f"{marker!r} leaked"


def jpeg(width=40, height=30):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


def photo_inventory(organiser):
    """An open, post-moderated inventory whose form requires a photo."""
    return factories.inventory(
        organiser,
        moderation_mode="post",
        form_schema={
            "fields": [
                {"key": "name", "type": "text", "label_fr": "Nom", "label_en": "Name"},
                {
                    "key": "picture",
                    "type": "photo",
                    "label_fr": "Photo",
                    "label_en": "Photo",
                    "required": True,
                },
            ]
        },
    )
