"""A participant's path through a hackathon on a phone: register, create a team, find a
teammate by skill and invite them, submit a proposal with two datasets and one missing one."""

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
RESIDENT = "habitant@example.org"
HACKATHON = "/hackathons/hackathon-climat-et-donnees-ouvertes"


def test_participant_registers_teams_up_and_submits_a_proposal_on_a_phone(browsing, fr):
    page = browsing.new_page(user=RESIDENT, viewport=PHONE)
    page.goto(HACKATHON)
    main = page.get_by_role("main")

    register = main.get_by_role("button", name=fr("Register for the hackathon"))
    if register.count():
        register.click()
    expect(main.get_by_test_id("registration-status")).to_have_text(fr("You are registered."))
    expect(main.get_by_role("link", name=fr("Add to my calendar"))).to_be_visible()

    team_name = f"Équipe {uuid.uuid4().hex[:6]}"
    main.get_by_role("link", name=fr("Create a team")).click()
    page.get_by_label(fr("Team name"), exact=True).fill(team_name)
    page.get_by_label(fr("Skills the team is looking for")).select_option(
        label="Visualisation de données"
    )
    page.get_by_role("button", name=fr("Create the team")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(team_name)
    expect(page.get_by_role("status")).to_contain_text(fr("Your team is created."))

    page.get_by_label(fr("Skill"), exact=True).select_option(label="Visualisation de données")
    page.get_by_role("button", name=fr("Search")).click()
    results = page.get_by_test_id("finder-results")
    expect(results).to_contain_text("Lina Garcia")
    expect(results).to_contain_text(fr("Looking for a team"))
    results.get_by_role("button", name=fr("Invite %(name)s", name="Lina Garcia")).click()
    expect(page.get_by_role("status")).to_contain_text(fr("The invitation is sent."))

    page.goto(HACKATHON)
    page.get_by_role("link", name=fr("Submit an app proposal")).click()
    page.get_by_label(fr("Title of the app"), exact=True).fill("Parcours frais")
    page.get_by_label(fr("Pitch"), exact=True).fill(
        "Une carte des rues ombragées pour marcher au frais."
    )
    datasets = page.get_by_label(fr("Catalogue datasets used"))
    labels = datasets.locator("option").all_inner_texts()[:2]
    datasets.select_option(label=labels)
    page.get_by_label(fr("Missing dataset %(n)d: title", n=1), exact=True).fill(
        "Températures de surface"
    )
    page.get_by_label(fr("Missing dataset %(n)d: what it should contain", n=1), exact=True).fill(
        "Les températures mesurées en été, rue par rue."
    )
    page.get_by_label(fr("Submitted by")).select_option(label=team_name)
    page.get_by_label(fr("Source code repository")).fill("https://git.example.org/parcours-frais")
    page.get_by_role("button", name=fr("Send the proposal")).click()

    expect(page).to_have_url(re.compile(r"/proposals/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parcours frais")
    for label in labels:
        expect(page.get_by_test_id("datasets")).to_contain_text(label)
    expect(page.get_by_test_id("missing")).to_contain_text("Températures de surface")
    expect(page.get_by_test_id("moderation-status")).to_be_visible()
    layout = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert layout[0] <= layout[1] + 1, f"the proposal page scrolls sideways: {layout}"
