"""A resident's path through a co-design workshop on a phone, in a real browser: find the
workshop, join the waitlist of a full session, get the seat when others leave (with the
invitation and its calendar file), post an idea and vote with dots.

Works on the demo data: "Séance 2 : priorités" of the workshop "ilots-de-fraicheur" is full
(two seats taken) with one person already waiting.
"""

import re
import time
from pathlib import Path

import pytest
from babel.support import Translations
from icalendar import Calendar
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
RESIDENT = "habitant@example.org"
SEATED = "habitante@example.org"
WAITING = "moderateur@example.org"
ADMIN = "admin@example.org"
ROOT = Path(__file__).resolve().parents[2]


def plural(singular, plural_form, num):
    """A plural message as the French pages show it (the `fr` fixture has no plurals)."""
    translations = Translations.load(str(ROOT / "webapp" / "translations"), ["fr"])
    return translations.ngettext(singular, plural_form, num) % {"num": num}


def _wait_for_invitation(mailbox, address, summary, timeout=5.0):
    """The invitation to one event (other browser tests may invite the same person)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mailbox.to(address):
            for part in message.iter_attachments():
                if part.get_content_type() != "text/calendar":
                    continue
                calendar = Calendar.from_ical(part.get_content())
                if any(summary in str(e["SUMMARY"]) for e in calendar.walk("VEVENT")):
                    return message, calendar
        time.sleep(0.1)
    raise AssertionError(f"no invitation to {address}")


def _leave(browsing, email, session_url, button):
    other = browsing.new_page(user=email, viewport=PHONE)
    other.goto(session_url)
    other.get_by_role("button", name=button).click()
    expect(other.get_by_role("status")).to_be_visible()


def test_a_resident_waits_for_a_seat_gets_it_then_posts_and_votes_on_a_phone(
    browsing, live_server, fr
):
    page = browsing.new_page(user=RESIDENT, viewport=PHONE)
    page.goto("/")
    nav = page.get_by_role("navigation", name=fr("Main navigation"))
    nav.get_by_role("button", name=fr("Show or hide the menu")).click()
    nav.get_by_role("button", name=fr("Take part")).click()
    nav.get_by_role("link", name=fr("Workshops"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Co-design workshops"))

    page.get_by_role("link", name=re.compile("Îlots de fraîcheur")).click()
    page.get_by_role("link", name="Séance 2 : priorités").click()
    session_url = page.url
    expect(page.get_by_test_id("seats")).to_contain_text(
        fr("%(left)d left out of %(capacity)d", left=0, capacity=2)
    )
    page.get_by_role("button", name=fr("Join the waitlist")).click()
    waiting = fr(
        "You are on the waitlist, number %(position)d. We will tell you if a place frees up.",
        position=2,
    )
    expect(page.get_by_test_id("registration-status")).to_have_text(waiting)

    # Two others leave: the person ahead leaves the waitlist, then a seat frees up.
    _leave(browsing, WAITING, session_url, fr("Leave the waitlist"))
    _leave(browsing, SEATED, session_url, fr("Cancel my registration"))

    page.reload()
    expect(page.get_by_test_id("registration-status")).to_have_text(fr("You are registered."))
    message, calendar = _wait_for_invitation(live_server.mailbox, RESIDENT, "Séance 2 : priorités")
    (event,) = calendar.walk("VEVENT")
    assert "Séance 2 : priorités" in str(event["SUMMARY"])
    assert str(event["URL"]) == session_url
    calendar_link = page.get_by_role("link", name=fr("Add to my calendar (.ics)"))
    expect(calendar_link).to_have_attribute("href", re.compile(r"/calendar\.ics$"))

    page.get_by_role("link", name=re.compile("Îlots de fraîcheur")).first.click()
    page.get_by_role("link", name=fr("Ideas and votes")).first.click()
    page.get_by_role("link", name=fr("Post an idea, a need or a pain point")).click()
    page.get_by_role("radio", name=fr("Need")).check()
    page.get_by_label(fr("Your contribution"), exact=True).fill(
        "Des bancs à l'ombre devant la médiathèque."
    )
    page.get_by_role("button", name=fr("Publish"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Des bancs à l'ombre devant la médiathèque."
    )

    add_dot = page.get_by_role("button", name=re.compile(re.escape(fr("Add a dot"))))
    add_dot.click()
    add_dot.click()
    expect(page.get_by_test_id("my-dots")).to_have_text(
        plural("You placed %(num)d dot here", "You placed %(num)d dots here", 2)
    )
    expect(page.get_by_test_id("dot-total")).to_contain_text("2")
    dots_left = page.get_by_test_id("dots-left")
    expect(dots_left).to_have_text(
        plural("You have %(num)d dot left to place.", "You have %(num)d dots left to place.", 1)
    )


def test_the_menu_with_workshops_fits_on_one_line_at_1280_px_for_an_admin(browsing, fr):
    page = browsing.new_page(user=ADMIN, viewport={"width": 1280, "height": 800})
    page.goto("/")
    nav = page.get_by_role("navigation", name=fr("Main navigation"))
    nav.get_by_role("button", name=fr("Take part")).click()
    expect(nav.get_by_role("link", name=fr("Workshops"), exact=True)).to_be_visible()
    layout = page.evaluate(
        """() => {
          const nav = document.querySelector('nav.navbar');
          const items = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item')];
          const boxes = items.map((e) => e.getBoundingClientRect());
          return {
            right: Math.max(...boxes.map((b) => b.right)),
            tops: boxes.map((b) => Math.round(b.top)),
          };
        }"""
    )
    # Everything on the bar's one row (no item pushed below the others), inside the window.
    assert layout["right"] <= 1280, layout
    assert max(layout["tops"]) < 40, layout
