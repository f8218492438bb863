"""Photos of features: which files are accepted, what is stripped, where they are stored,
thumbnails, limits, deletion, and no file left behind by a failed change."""

import contextlib
import io
import os
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import event

from crowdsourcing.models import Submission
from mapping.models import Feature, Photo
from mapping.services import features, photos
from tests import factories
from tests.mapping.helpers import count, image_bytes, jpeg, messages, moderator
from webapp.errors import PermissionDenied, ValidationError

pytestmark = pytest.mark.usefixtures("english")

OAK = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
GPS_IFD, ORIENTATION = 0x8825, 0x0112


def refused(data, field="photo"):
    with pytest.raises(ValidationError) as caught:
        photos.clean(data, field=field)
    assert caught.value.code == "photo.invalid"
    assert list(caught.value.fields) == [field]
    return messages(caught.value, field)[0]


def png_declaring(width, height):
    """A PNG header claiming a huge size over a few bytes of data."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def jpeg_with_gps(size=(60, 30), orientation=None):
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (43.0, 36.0, 39.0), 3: "E", 4: (3.0, 52.0, 36.0)})
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    data = jpeg(size, exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


def opened(data):
    with Image.open(io.BytesIO(data)) as picture:
        picture.load()
        return picture


def stored_files():
    found = set()
    for root, _dirs, names in os.walk(photos.folder()):
        found |= {os.path.join(root, n) for n in names}
    return found


def photo_inventory(required=False, **overrides):
    inventory = factories.inventory(**overrides)
    schema = dict(inventory.form_schema)
    schema["fields"] = [
        {**f, "required": required} if f["key"] == "photo" else f for f in schema["fields"]
    ]
    inventory.form_schema = schema
    return inventory


def with_photo(inventory, author=None, data=None):
    return factories.feature(inventory, author, photos={"photo": data or jpeg()})


# --- which files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode"), [("JPEG", "RGB"), ("PNG", "RGBA"), ("PNG", "P"), ("WEBP", "RGB")]
)
def test_clean_accepts_jpeg_png_and_webp_and_re_encodes_them_as_jpeg(fmt, mode):
    color = 3 if mode == "P" else (10, 120, 30, 255)[: len(mode)]
    clean = photos.clean(image_bytes(fmt, (80, 50), color=color, mode=mode))
    assert opened(clean.data).format == "JPEG"
    assert (clean.width, clean.height) == (80, 50)


def test_clean_accepts_a_phone_jpeg_holding_several_pictures():
    out = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")
    first.save(out, format="MPO", save_all=True, append_images=[second])
    clean = photos.clean(out.getvalue())
    assert (opened(clean.data).format, clean.width) == ("JPEG", 40)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The photo file is empty."),
        (b"Bonjour, ceci n'est pas une photo.", "This file is not a readable image."),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>',
            "This file is not a readable image.",
        ),
        (image_bytes("GIF", mode="P", color=1), "The photo must be a JPEG, PNG or WebP image."),
        (image_bytes("BMP"), "The photo must be a JPEG, PNG or WebP image."),
    ],
)
def test_clean_refuses_files_that_are_not_accepted_photos(data, expected):
    assert refused(data) == expected


def test_clean_refuses_a_truncated_jpeg():
    data = jpeg((400, 300), quality=95)
    assert refused(data[: len(data) // 2]) == "This file is not a readable image."


def test_clean_refuses_a_file_over_ten_megabytes():
    too_big = jpeg() + b"\x00" * (photos.MAX_BYTES)
    assert refused(too_big) == "The photo must be under 10 MB."


@pytest.mark.parametrize("side", [7000, 10_000, 50_000])
def test_clean_refuses_images_declaring_too_many_pixels(side):
    # 49 Mpx is over our limit; 100 Mpx makes Pillow warn; 2.5 Gpx makes it refuse.
    assert refused(png_declaring(side, side)) == (
        "The photo has too many pixels (at most 40 megapixels)."
    )


def test_clean_strips_exif_including_the_gps_position():
    clean = photos.clean(jpeg_with_gps())
    picture = opened(clean.data)
    assert not picture.getexif()
    assert b"Exif" not in clean.data and b"PhoneMaker" not in clean.data


def test_clean_applies_the_orientation_before_dropping_it():
    clean = photos.clean(jpeg_with_gps((60, 30), orientation=6))
    assert (clean.width, clean.height) == (30, 60)
    assert ORIENTATION not in opened(clean.data).getexif()


def test_clean_shrinks_big_photos_to_the_maximum_side():
    clean = photos.clean(jpeg((3000, 1000)))
    assert (clean.width, clean.height) == (photos.MAX_SIDE, 683)


def test_clean_reports_under_the_photo_field_s_key():
    assert refused(b"nope", field="facade") == "This file is not a readable image."


# --- storing -------------------------------------------------------------------------------------


def test_create_stores_a_clean_photo_and_the_job_makes_its_thumbnail(session):
    inventory = photo_inventory()
    feature = with_photo(inventory, data=jpeg_with_gps((1200, 900)))
    [photo] = photos.of_feature(feature)
    assert (photo.field_key, photo.width, photo.height) == ("photo", 1200, 900)
    assert photo.path.startswith(f"{feature.id}{os.sep}") and photo.path.endswith(".jpg")
    path = os.path.join(photos.folder(), photo.path)
    with open(path, "rb") as handle:
        data = handle.read()
    assert len(data) == photo.size and b"Exif" not in data
    assert photo.thumb_path is not None
    with Image.open(os.path.join(photos.folder(), photo.thumb_path)) as thumb:
        assert max(thumb.size) == photos.THUMB_SIDE


def test_thumbnail_job_is_safe_to_run_twice_and_for_a_gone_photo(session):
    feature = with_photo(photo_inventory())
    [photo] = photos.of_feature(feature)
    assert photos.make_thumbnail(photo.id) is None
    assert photos.make_thumbnail(10_000_000) is None


def test_a_required_photo_is_satisfied_by_one_already_held(session):
    inventory = photo_inventory(required=True)
    author = factories.user()
    with pytest.raises(ValidationError) as caught:
        factories.feature(inventory, author)
    assert messages(caught.value, "photo") == ["A photo is required."]
    feature = with_photo(inventory, author)
    updated = features.update(author, feature.id, 1, properties={**OAK, "count": 4})
    assert updated.revision == 2


def test_update_adds_photos_up_to_five_per_field(session):
    author = factories.user()
    feature = with_photo(photo_inventory(), author)
    for revision in range(1, photos.MAX_PER_FIELD):
        features.update(author, feature.id, revision, photos={"photo": jpeg()})
    assert count(Photo) == photos.MAX_PER_FIELD
    files = stored_files()
    with pytest.raises(ValidationError) as caught:
        features.update(author, feature.id, photos.MAX_PER_FIELD, photos={"photo": jpeg()})
    assert caught.value.code == "photo.too_many"
    assert messages(caught.value, "photo") == ["At most 5 photos per field."]
    assert count(Photo) == photos.MAX_PER_FIELD and stored_files() == files


def test_delete_refuses_to_remove_the_last_required_photo(session):
    inventory = photo_inventory(required=True)
    author = factories.user()
    feature = with_photo(inventory, author)
    [photo] = photos.of_feature(feature)
    with pytest.raises(ValidationError) as caught:
        photos.delete(author, photo.id)
    assert caught.value.code == "photo.required"
    assert count(Photo) == 1
    assert os.path.exists(os.path.join(photos.folder(), photo.path))


def test_delete_removes_the_row_and_files_of_an_optional_photo(session):
    author = factories.user()
    feature = with_photo(photo_inventory(), author)
    [photo] = photos.of_feature(feature)
    paths = [os.path.join(photos.folder(), p) for p in (photo.path, photo.thumb_path)]
    photos.delete(author, photo.id)
    assert count(Photo) == 0
    assert not any(os.path.exists(p) for p in paths)


def test_delete_is_refused_to_other_members_and_allowed_to_moderators(session):
    feature = with_photo(photo_inventory())
    [photo] = photos.of_feature(feature)
    with pytest.raises(PermissionDenied) as caught:
        photos.delete(factories.user(), photo.id)
    assert caught.value.code == "photo.cannot_delete"
    photos.delete(moderator(), photo.id)
    assert count(Photo) == 0


@contextlib.contextmanager
def refusing_submissions():
    """The database refuses new submissions (which come after the photo files are written)."""

    def refuse(mapper, connection, target):
        raise RuntimeError("the database refused the submission")

    event.listen(Submission, "before_insert", refuse)
    try:
        yield
    finally:
        event.remove(Submission, "before_insert", refuse)


def test_a_failed_create_leaves_no_photo_file_behind(session):
    inventory = photo_inventory()
    files = stored_files()
    with refusing_submissions(), pytest.raises(RuntimeError):
        with_photo(inventory)
    assert stored_files() == files
    assert count(Feature) == count(Photo) == 0


def test_a_failed_update_leaves_no_photo_file_behind(session):
    author = factories.user()
    feature = with_photo(photo_inventory(moderation_mode="post"), author)
    files = stored_files()
    # The author's edit of a published feature is queued as a submission, after the file.
    with refusing_submissions(), pytest.raises(RuntimeError):
        features.update(author, feature.id, 1, photos={"photo": jpeg()})
    assert stored_files() == files
    assert count(Photo) == 1
