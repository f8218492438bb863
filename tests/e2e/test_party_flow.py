"""A resident on a phone finds the coming mapping party, registers, reserves a cell of its
area, and sees it marked as theirs; then follows the Contribute link."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
RESIDENT = "habitant@example.org"
PARTY = "Cartopartie des arbres de l'Écusson"


def test_resident_registers_and_reserves_a_cell(browsing, live_server, fr):
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
    response = page.request.get(href)
    if response.status != 404:  # the contribution page belongs to the inventory pages
        contribute.first.click()
        expect(page).to_have_url(re.compile(r"/contribute\?party=\d+$"))
