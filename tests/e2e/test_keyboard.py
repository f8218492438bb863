"""The main flows with a keyboard only: Tab, Shift+Tab, Enter, Space and typing, never a
click. Each test walks the focus to its target with Tab, so an element that cannot be
reached with the keyboard fails the test; the focus must also be visible on the way.

These tests change the shared demo data: they act as people no other browser test uses.
"""

import re
import uuid

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e

KEYBOARD_USER = "sam.participante@example.org"
MODERATOR = "moderateur@example.org"
INVENTORY = "/mapping/inventories/biodiversite-des-parcs"  # a point inventory of the demo
PARTY = "/mapping/parties/cartopartie-arbres-ecusson"  # upcoming, seats left
IDEA = "/workshops/ilots-de-fraicheur/ideas/1"
PENDING_REQUEST = 6  # submission of a dataset request left pending by the demo

IS_FOCUSED = "(selector) => !!document.activeElement && document.activeElement.matches(selector)"
# The focused element's ring, as computed: app.css draws a 3 px yellow outline (#ffbf47)
# over a near-black shadow (#0b0c0c), so that one of them contrasts with any background.
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    ring: style.outlineStyle === 'solid' && parseFloat(style.outlineWidth) >= 3
      && style.outlineColor === 'rgb(255, 191, 71)' && style.boxShadow.includes('rgb(11, 12, 12)'),
    outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor,
    shadow: style.boxShadow,
    tag: el.tagName,
  };
}"""


def assert_focus_ring(page, what):
    """The ring is there once Bootstrap's short box-shadow transition is over."""
    try:
        page.wait_for_function(f"() => ({FOCUS_RING})().ring", timeout=2000)
    except PlaywrightTimeout:
        pytest.fail(f"no visible focus ring on {what}: {page.evaluate(FOCUS_RING)}")


def tab_to(page, selector, limit=150, backwards=False):
    """Press Tab until the focus is on `selector`; fail if it never gets there."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(IS_FOCUSED, selector):
            assert_focus_ring(page, selector)
            return
    pytest.fail(f"{selector} is not reachable with {key} in {limit} presses on {page.url}")


def _query(server, sql, **params):
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def test_skip_link_is_the_first_stop_and_moves_the_focus_to_the_content(page, fr):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=fr("Skip to content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert_focus_ring(page, "the skip link")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_sign_up_with_the_keyboard(page, fr):
    email = f"clavier-{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/signup")
    tab_to(page, "main input[name=display_name]")
    page.keyboard.type("Claude Clavier")
    tab_to(page, "main input[name=email]")
    page.keyboard.type(email)
    tab_to(page, "main input[name=password]")
    page.keyboard.type("un mot de passe assez long 42")
    tab_to(page, "main input[type=checkbox]")
    page.keyboard.press("Space")
    expect(
        page.get_by_role("checkbox", name=fr("I accept the contribution licence"))
    ).to_be_checked()
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Check your mailbox"))
    expect(page.get_by_role("main")).to_contain_text(email)


def test_log_in_with_the_keyboard(browsing, live_server, fr):
    page = browsing.new_page()
    page.goto("/login")
    tab_to(page, "main input[name=email]")
    page.keyboard.type(KEYBOARD_USER)
    tab_to(page, "main input[name=password]")
    page.keyboard.type(live_server.passwords[KEYBOARD_USER])
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name=fr("Main navigation"))).to_contain_text("Sam Diallo")


def test_contribute_a_point_by_typing_its_coordinates(browsing, live_server, fr):
    page = browsing.new_page(user=KEYBOARD_USER)
    page.goto(INVENTORY + "/contribute")
    expect(page.locator(".leaflet-container")).to_have_count(1)

    tab_to(page, "#lat")
    page.keyboard.type("43,6080")
    page.keyboard.press("Tab")
    expect(page.locator("#lon")).to_be_focused()
    page.keyboard.type("3,8755")
    page.keyboard.press("Tab")  # leaving the box places the point: the map follows
    expect(page.locator("#geometry")).to_have_value(re.compile(r'"coordinates":\[3\.8755,43\.608'))
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#draw-status")).to_contain_text("43.60800")

    tab_to(page, "#field-scientific_name-input")
    page.keyboard.type("Erithacus rubecula clavier")
    tab_to(page, "#field-observed_on-input")
    page.keyboard.type("05052026")  # day and month alike: the box's order follows the OS
    tab_to(page, "main form.contribute-form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator(".flash-messages")).to_contain_text(
        fr("Thank you! Your contribution waits for a moderator before it is published.")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erithacus rubecula clavier")
    feature_id = int(re.search(r"/mapping/features/(\d+)", page.url).group(1))
    rows = _query(
        live_server,
        "SELECT status, CAST(properties AS TEXT) FROM mapping_feature WHERE id = :id",
        id=feature_id,
    )
    assert len(rows) == 1 and rows[0][0] == "pending"
    assert "Erithacus rubecula clavier" in rows[0][1] and "2026-05-05" in rows[0][1]
    assert "3.8755" in page.content() and "43.608" in page.content()  # the point as typed


def test_the_coordinate_boxes_follow_the_map(browsing, fr):
    page = browsing.new_page(user=KEYBOARD_USER)
    page.goto(INVENTORY + "/contribute")
    tab_to(page, "button[data-draw-action=centre]")
    page.keyboard.press("Enter")
    expect(page.locator("#geometry")).to_have_value(re.compile('"type":"Point"'))
    expect(page.locator("#lat")).to_have_value(re.compile(r"^43,\d{6}$"))  # French: a comma
    expect(page.locator("#lon")).to_have_value(re.compile(r"^3,\d{6}$"))
    tab_to(page, "button[data-draw-action=clear]")
    page.keyboard.press("Enter")
    expect(page.locator("#lat")).to_have_value("")


def test_coordinates_outside_the_area_get_a_clear_error(browsing, fr):
    page = browsing.new_page(user=KEYBOARD_USER)
    page.goto(INVENTORY + "/contribute")
    tab_to(page, "#lat")
    page.keyboard.type("48,8566")
    page.keyboard.press("Tab")
    page.keyboard.type("2,3522")
    tab_to(page, "#field-scientific_name-input")
    page.keyboard.type("Passer domesticus")
    page.keyboard.press("Enter")  # implicit submission from a text box
    outside = fr(
        "This position is outside the inventory's area: latitude between %(south)s and "
        "%(north)s, longitude between %(west)s and %(east)s."
    )
    expect(page.locator("#lat-errors")).to_contain_text(outside.split("%(south)s")[0].strip())
    expect(page.locator("#lat")).to_have_value("48,8566")
    expect(page.locator("#lat")).to_have_attribute("aria-invalid", "true")


def test_register_to_a_mapping_party_with_the_keyboard(browsing, fr):
    page = browsing.new_page(user=KEYBOARD_USER)
    page.goto(PARTY)
    tab_to(page, "main form[action$='/register'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("registration-status")).to_have_text(fr("You are registered."))


def test_place_a_dot_on_a_workshop_idea_with_the_keyboard(browsing, fr):
    page = browsing.new_page(user=KEYBOARD_USER)
    page.goto(IDEA)
    before = page.get_by_test_id("dot-total").inner_text()
    tab_to(page, "main form[action$='/dots'] button")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("my-dots")).to_be_visible()
    expect(page.get_by_test_id("dot-total")).not_to_have_text(before)


def test_moderator_approves_from_the_inbox_with_the_keyboard(browsing, live_server, fr):
    page = browsing.new_page(user=MODERATOR)
    page.goto("/moderation/")
    tab_to(page, f"[data-row-link][href$='/moderation/{PENDING_REQUEST}']")
    page.keyboard.press("Enter")  # the list's own keys (j, k, x) are tested elsewhere
    expect(page).to_have_url(re.compile(rf"/moderation/{PENDING_REQUEST}$"))
    tab_to(page, "main form[action$='/approve'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-messages")).to_be_visible()
    rows = _query(
        live_server,
        "SELECT status FROM crowdsourcing_submission WHERE id = :id",
        id=PENDING_REQUEST,
    )
    assert rows[0][0] == "approved"
