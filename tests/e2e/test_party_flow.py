"""A resident on a phone finds the coming mapping party, registers, reserves a cell of its
area and sees it marked as theirs, then adds a point with a photo through the map and sees
it on the inventory's map (waiting for review: the demo's tree inventory is pre-moderated)."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
RESIDENT = "habitant@example.org"
PARTY = "Cartopartie des arbres de l'Écusson"


def test_resident_registers_reserves_a_cell_and_maps_a_point_with_a_photo(
    browsing, live_server, fr
):
    page = browsing.new_page(user=RESIDENT, viewport=PHONE)
    page.goto("/mapping/parties/")
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Mapping parties"))
    page.get_by_role("link", name=PARTY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PARTY)
    # The map drew the cells from the page.
    expect(page.locator(".leaflet-container[data-cells]")).to_be_visible()

    registration = page.get_by_role("region", name=fr("Registration"))
    if registration.get_by_role("button", name=fr("Register"), exact=True).count():
        registration.get_by_role("button", name=fr("Register"), exact=True).click()
    expect(page.get_by_test_id("registration-status")).to_be_visible()

    table = page.locator("#tasks-table")
    mine = table.locator("tr[data-mine=true]")
    if not mine.count():
        row = table.locator("tr[data-status=open]").first
        cell_id = row.get_attribute("id")
        row.get_by_role("button", name=re.compile(fr("Reserve"))).click()
        expect(page.get_by_role("status")).to_contain_text(
            fr("The cell is yours. Map it, then mark it done.")
        )
        mine = table.locator(f"tr#{cell_id}")
    expect(mine).to_have_attribute("data-mine", "true")
    expect(mine.get_by_role("button", name=re.compile(fr("Mark done")))).to_be_visible()

    contribute = page.get_by_role("link", name=re.compile(fr("Contribute to %(title)s", title="")))
    href = contribute.first.get_attribute("href")
    assert re.search(r"/mapping/inventories/[\w-]+/contribute\?party=\d+$", href)
    inventory = href.split("/contribute")[0]
    page.goto(inventory)
    expect(page.locator(".folium-map[data-loaded]")).to_have_count(1)
    before = _loaded(page)

    page.goto(href)
    the_map = page.locator(".folium-map")
    the_map.scroll_into_view_if_needed()
    the_map.click()  # the map opens over the inventory's area
    expect(page.locator("#geometry")).to_have_value(re.compile('"type":"Point"'))
    page.locator("#field-species-input").fill("Celtis australis")
    page.locator("#field-photo-input").set_input_files(
        files=[{"name": "micocoulier.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.get_by_role("button", name=fr("Send my contribution")).click()
    expect(page.locator(".flash-messages")).to_contain_text(
        fr("Thank you! Your contribution waits for a moderator before it is published.")
    )
    expect(page.locator(".feature-thumb")).to_have_count(1)

    page.goto(inventory)
    expect(page.locator(".folium-map[data-loaded]")).to_have_count(1)
    # The resident's own waiting point is drawn (once the map has settled on its viewport).
    expect(page.locator(".folium-map")).to_have_attribute("data-loaded", str(before + 1))


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (70, 120, 50)).save(out, format="JPEG")
    return out.getvalue()


def _loaded(page):
    # The map loads once at once and again after it settles (a debounced `moveend`): read
    # the count only when no request is under way any more.
    page.wait_for_load_state("networkidle")
    value = page.locator(".folium-map").get_attribute("data-loaded")
    return int(value) if value and value.isdigit() else -1
