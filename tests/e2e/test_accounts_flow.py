"""Sign-up, confirmation, log-in, language switch and log-out, in a real browser.

Elements are found by their accessible role and name (label, button text), so these tests
also check that the forms and the navigation are usable with assistive technology.
"""

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe solide"


def _nav(page, name):
    return page.get_by_role("navigation", name=name)


def _wait_for_mail(mailbox, address, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = mailbox.to(address)
        if messages:
            return messages
        time.sleep(0.1)
    raise AssertionError(f"no message to {address} in {mailbox.folder}")


def test_sign_up_confirm_log_in_switch_language_and_log_out(page, live_server, fr):
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.org"
    name = "Aïcha Testeuse"
    html = page.locator("html")

    page.goto("/")
    expect(html).to_have_attribute("lang", "fr")
    nav = _nav(page, fr("Main navigation"))
    nav.get_by_role("link", name=fr("Sign up"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/signup$"))

    page.get_by_label(fr("Display name"), exact=True).fill(name)
    page.get_by_label(fr("E-mail address"), exact=True).fill(email)
    page.get_by_label(fr("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("checkbox", name=fr("I accept the contribution licence")).check()
    page.get_by_role("button", name=fr("Create my account")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Check your mailbox"))
    expect(page.get_by_role("main")).to_contain_text(email)

    messages = _wait_for_mail(live_server.mailbox, email)
    assert len(messages) == 1
    link = live_server.mailbox.link(messages[0], "/confirm/")
    assert link.startswith(f"{live_server.url}/confirm/"), link

    page.goto(link)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text(fr("Your e-mail address is confirmed."))
    expect(page.locator(".alert-success")).to_be_visible()

    main = page.get_by_role("main")
    main.get_by_label(fr("E-mail address"), exact=True).fill(email)
    main.get_by_label(fr("Password"), exact=True).fill(PASSWORD)
    main.get_by_role("button", name=fr("Log in"), exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text(fr("Welcome, %(name)s.", name=name))
    # The person's menu (a dropdown toggle) carries their name.
    expect(nav.get_by_role("button", name=name)).to_be_visible()

    nav.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    nav = _nav(page, "Main navigation")
    expect(nav.get_by_role("button", name="Français")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Build the city's services and open data together"
    )

    nav.get_by_role("button", name=name).click()
    nav.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(nav.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name=name)).to_have_count(0)
    # The language choice outlives the session (cookie); the account page now needs a log-in.
    expect(html).to_have_attribute("lang", "en")
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)account$"))


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, live_server, fr):
    page.goto("/login")
    main = page.get_by_role("main")
    main.get_by_label(fr("E-mail address"), exact=True).fill("habitant@example.org")
    main.get_by_label(fr("Password"), exact=True).fill("not the right password")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/login")
    ) as answer:
        main.get_by_role("button", name=fr("Log in"), exact=True).click()

    assert answer.value.status == 401
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".flash-messages .alert-danger")).to_have_text(
        fr("Wrong e-mail address or password.")
    )
    # Still the log-in form, with the address kept and no one logged in.
    expect(main.get_by_label(fr("E-mail address"), exact=True)).to_have_value(
        "habitant@example.org"
    )
    expect(main.get_by_label(fr("Password"), exact=True)).to_be_visible()
    nav = _nav(page, fr("Main navigation"))
    expect(nav.get_by_role("link", name=fr("Log in"), exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name=fr("Log out"))).to_have_count(0)


def test_sign_up_with_an_invalid_email_shows_a_field_error_and_creates_no_account(
    page, live_server, fr
):
    mailbox = live_server.mailbox
    mailbox.clear()
    name = f"Sans Adresse {uuid.uuid4().hex[:6]}"

    page.goto("/signup")
    page.get_by_label(fr("Display name"), exact=True).fill(name)
    email = page.get_by_label(fr("E-mail address"), exact=True)
    email.fill("pas-une-adresse@")
    page.get_by_label(fr("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("checkbox", name=fr("I accept the contribution licence")).check()
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/signup")
    ) as answer:
        page.get_by_role("button", name=fr("Create my account")).click()

    assert answer.value.status == 422
    expect(page).to_have_url(f"{live_server.url}/signup")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    error = fr("Enter a valid e-mail address.")
    # The message is tied to the field, for screen readers too.
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile(re.escape(error)))
    expect(page.locator("#email-errors")).to_have_text(error)
    expect(email).to_have_value("pas-une-adresse@")
    # The other fields were valid: no error on them, and the form is shown again.
    expect(page.get_by_label(fr("Display name"), exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.get_by_role("heading", level=1)).not_to_have_text(fr("Check your mailbox"))

    assert mailbox.messages() == []
    assert live_server.count_users(display_name=name) == 0
