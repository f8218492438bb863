"""Screenshots of proposals: checked images only, metadata stripped, size and number limited."""

import io
import os

import pytest
from flask_babel import force_locale
from PIL import Image

from crowdsourcing.services import proposals, screenshots
from tests import factories
from tests.crowdsourcing import hackathon_helpers as h
from webapp.errors import PermissionDenied, ValidationError


@pytest.fixture
def proposal(session):
    hack = h.hackathon(factories.user(roles=["organiser"]))
    return h.proposal(hack)


def test_a_png_screenshot_is_stored_re_encoded(proposal):
    row = proposals.add_screenshot(proposal.author, proposal.id, h.png(), "Écran d'accueil")
    assert row.media_type == "image/png" and (row.width, row.height) == (40, 30)
    assert os.path.exists(os.path.join(screenshots.folder(), row.path))
    assert row.caption == "Écran d'accueil"


def test_exif_metadata_is_stripped(proposal):
    row = proposals.add_screenshot(proposal.author, proposal.id, h.png(exif=True))
    with open(os.path.join(screenshots.folder(), row.path), "rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert row.media_type == "image/jpeg"
        assert not stored.getexif()


@pytest.mark.parametrize(
    "data",
    [b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a" + b"\0" * 20, b"not an image"],
)
def test_non_images_and_empty_files_are_refused(proposal, data):
    with pytest.raises(ValidationError) as error:
        proposals.add_screenshot(proposal.author, proposal.id, data)
    assert "screenshot" in error.value.fields
    assert proposal.screenshots == []


def test_gif_is_refused_even_when_readable(proposal):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ValidationError):
        proposals.add_screenshot(proposal.author, proposal.id, out.getvalue())


def test_too_large_files_are_refused(proposal, monkeypatch):
    monkeypatch.setattr(screenshots, "MAX_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        proposals.add_screenshot(proposal.author, proposal.id, h.png(200, 200))
    with force_locale("en"):
        assert "5 MB" in str(error.value.fields["screenshot"][0])


def test_the_number_of_screenshots_is_limited(proposal, monkeypatch):
    monkeypatch.setattr(screenshots, "MAX_PER_PROPOSAL", 1)
    proposals.add_screenshot(proposal.author, proposal.id, h.png())
    with pytest.raises(ValidationError):
        proposals.add_screenshot(proposal.author, proposal.id, h.png())
    assert len(proposal.screenshots) == 1


def test_only_the_team_adds_or_removes_screenshots(proposal):
    with pytest.raises(PermissionDenied):
        proposals.add_screenshot(factories.user(), proposal.id, h.png())
    row = proposals.add_screenshot(proposal.author, proposal.id, h.png())
    with pytest.raises(PermissionDenied):
        proposals.remove_screenshot(factories.user(), row.id)
    path = os.path.join(screenshots.folder(), row.path)
    proposals.remove_screenshot(proposal.author, row.id)
    assert not os.path.exists(path)
