"""A resident contributes from a phone: open an inventory, place a point by tapping the
map, fill in the form, attach a photo, send, and find the point on the inventory's map.

Runs with the real Content-Security-Policy: the folium maps' inline scripts must carry the
nonce, and every asset comes from the app.
"""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
RESIDENT = "habitant@example.org"
INVENTORY = "/mapping/inventories/biodiversite-des-parcs"  # pre-moderated (mapping/demo.py)


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(out, format="JPEG")
    return out.getvalue()


def _loaded(page):
    # The map loads once at once and again after it settles (a debounced `moveend`): read
    # the count only when no request is under way any more.
    page.wait_for_load_state("networkidle")
    value = page.locator(".folium-map").get_attribute("data-loaded")
    return int(value) if value and value.isdigit() else -1


def test_resident_contributes_a_point_with_a_photo_on_a_phone(browsing, fr):
    page = browsing.new_page(user=RESIDENT, viewport=PHONE)
    page.goto(INVENTORY)
    expect(page.locator(".folium-map[data-loaded]")).to_have_count(1)
    before = _loaded(page)

    page.get_by_role("link", name=fr("Contribute"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/contribute$"))
    the_map = page.locator(".folium-map")
    the_map.scroll_into_view_if_needed()
    the_map.click()  # the centre of the map lies inside the inventory's area
    expect(page.locator("#geometry")).to_have_value(re.compile('"type":"Point"'))
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#draw-status")).not_to_be_empty()

    page.locator("#field-scientific_name-input").fill("Quercus ilex")
    page.locator("#field-observed_on-input").fill("2026-05-01")
    page.get_by_label("Non protégée").check()
    page.locator("#field-photo-input").set_input_files(
        files=[{"name": "chene.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.get_by_role("button", name=fr("Send my contribution")).click()

    expect(page.locator(".flash-messages")).to_contain_text(
        fr("Thank you! Your contribution waits for a moderator before it is published.")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quercus ilex")
    expect(page.locator(".feature-thumb")).to_have_count(1)

    page.goto(INVENTORY)
    expect(page.locator(".folium-map[data-loaded]")).to_have_count(1)
    # The resident's own waiting point is drawn (once the map has settled on its viewport).
    expect(page.locator(".folium-map")).to_have_attribute("data-loaded", str(before + 1))


def test_refused_geolocation_says_so(browsing, fr):
    page = browsing.new_page(user=RESIDENT, viewport=PHONE)
    page.goto(INVENTORY + "/contribute")
    page.get_by_role("button", name=fr("Use my position")).click()
    expect(page.locator("#draw-status")).to_have_text(
        re.compile(
            re.escape(
                fr(
                    "Your browser did not give your position. Allow it, or place the point on the map."
                )
            )
            + "|"
            + re.escape(fr("Your position could not be found. Place the point on the map."))
        )
    )


def test_keyboard_user_places_the_point_at_the_map_centre(browsing, fr):
    page = browsing.new_page(user=RESIDENT, viewport=PHONE)
    page.goto(INVENTORY + "/contribute")
    button = page.get_by_role("button", name=fr("Place at the centre of the map"))
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#geometry")).to_have_value(re.compile('"type":"Point"'))
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44


def test_navigation_stays_on_one_line_for_an_admin_at_1280_px(browsing):
    page = browsing.new_page(user="admin@example.org")
    page.goto("/mapping/")
    assert page.locator("nav.navbar").bounding_box()["height"] < 70
