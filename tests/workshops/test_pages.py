"""Public and participants' pages: workshops, sessions (register, waitlist, calendar), the
registration questions, ideas and dot votes; nothing private leaks into them."""

import io
import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests import factories
from tests.workshops import add_session, creator, fr, idea, image_bytes, workshop
from webapp.extensions import db
from workshops.models import Idea, RegistrationAnswers
from workshops.services import participation, sessions, votes


def _member(client, **kwargs):
    user = factories.user(**kwargs)
    factories.login(client, user.email)
    return user


def test_the_list_shows_published_workshops_only_and_the_menu_links_to_it(client, session):
    shown = workshop(title="Atelier publié sur les fontaines")
    hidden = workshop(status="draft", title="Atelier brouillon secret")
    page = client.get("/workshops/").text
    assert shown.title in page and hidden.title not in page
    assert f'href="/workshops/{shown.slug}"' in page
    assert 'href="/workshops/"' in client.get("/").text
    assert client.get(f"/workshops/{hidden.slug}").status_code == 404
    assert client.get(f"/api/v1/workshops/{hidden.slug}").status_code == 404


def test_a_draft_is_shown_to_its_organiser_with_the_tools_to_run_it(client, session):
    row = workshop(status="draft")
    factories.login(client, creator(row).email)
    page = client.get(f"/workshops/{row.slug}").text
    assert f'href="/workshops/{row.slug}/edit"' in page
    assert f'href="/workshops/{row.slug}/sessions/new"' in page
    assert 'value="open"' in page


def test_the_session_page_shows_places_the_map_and_the_calendar_link(client, session):
    row = workshop()
    part = add_session(row, capacity=4)
    page = client.get(f"/workshops/sessions/{part.id}").text
    assert re.search(
        r'data-testid="seats">\s*'
        + re.escape(fr("%(left)d left out of %(capacity)d", left=4, capacity=4)),
        page,
    )
    assert 'data-lon="3.8793" data-lat="43.6047"' in page
    assert "vendor/leaflet/leaflet.js" in page and "workshops/map.js" in page
    assert f'href="/workshops/sessions/{part.id}/calendar.ics"' in page
    assert fr("Log in to register") in page
    calendar = Calendar.from_ical(client.get(f"/workshops/sessions/{part.id}/calendar.ics").data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["URL"]).endswith(f"/workshops/sessions/{part.id}")


def test_registering_on_a_full_session_waitlists_and_cancelling_promotes(client, app, session):
    row = workshop()
    part = add_session(row, capacity=1)
    seated = factories.user()
    participation.register(seated, part.id)
    member = _member(client)
    response = client.post(f"/workshops/sessions/{part.id}/register", follow_redirects=True)
    assert (
        fr(
            "You are on the waitlist, number %(position)d. We will tell you if a place frees up.",
            position=1,
        )
        in response.text
    )
    participation.cancel(seated, part.id)
    page = client.get(f"/workshops/sessions/{part.id}").text
    assert fr("You are registered.") in page
    assert participation.register(member, add_session(row).id).status == "confirmed"


def test_registration_questions_are_answered_by_participants_and_seen_by_organisers_only(
    client, app, session
):
    row = workshop(questions=["diet", "accessibility"])
    part = add_session(row)
    member = _member(client)
    participation.register(member, part.id)
    assert fr("Answer the questions") in client.get(f"/workshops/{row.slug}").text
    response = client.post(
        f"/workshops/{row.slug}/my-answers",
        data={"diet": '=HYPERLINK("http://evil")', "accessibility": "Fauteuil roulant"},
    )
    assert response.status_code == 302
    secret = "Fauteuil roulant"
    assert db.session.scalar(select(RegistrationAnswers)).answers["accessibility"] == secret

    other = app.test_client()
    factories.login(other, factories.user().email)
    for path in (
        f"/workshops/{row.slug}",
        f"/workshops/sessions/{part.id}",
        f"/workshops/{row.slug}/ideas",
        f"/api/v1/workshops/{row.slug}",
        f"/workshops/{row.slug}/registration-answers",
    ):
        response = other.get(path)
        assert secret not in response.text, path
    assert other.get(f"/workshops/{row.slug}/registration-answers").status_code == 403
    assert other.get(f"/workshops/{row.slug}/registration-answers.csv").status_code == 403

    organiser = app.test_client()
    factories.login(organiser, creator(row).email)
    assert secret in organiser.get(f"/workshops/{row.slug}/registration-answers").text
    csv_text = organiser.get(f"/workshops/{row.slug}/registration-answers.csv").data.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv_text and secret in csv_text


def test_bad_answers_are_shown_again_with_a_french_message(client, session):
    row = workshop(questions=["diet"])
    participation.register(_member(client), add_session(row).id)
    response = client.post(f"/workshops/{row.slug}/my-answers", data={"diet": "x" * 501})
    assert response.status_code == 422
    assert fr("At most %(n)d characters.", n=500, escaped=True) in response.text
    assert db.session.scalar(select(RegistrationAnswers)) is None


def test_a_member_posts_an_idea_with_a_place_and_a_photo(client, session):
    row = workshop()
    _member(client)
    response = client.post(
        f"/workshops/{row.slug}/ideas/new",
        data={
            "category": "pain_point",
            "text": "Pas d'ombre à l'arrêt de tram.",
            "lon": "3.8865",
            "lat": "43.6047",
            "photo": (io.BytesIO(image_bytes(exif_gps=True)), "arret.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    posted = db.session.scalar(select(Idea))
    assert (posted.lon, posted.lat) == (3.8865, 43.6047)
    page = client.get(response.location).text
    assert "Pas d&#39;ombre" in page and f"/ideas/{posted.id}/photo" in page
    photo = client.get(f"/workshops/{row.slug}/ideas/{posted.id}/photo")
    assert photo.mimetype == "image/jpeg" and photo.data.startswith(b"\xff\xd8")
    photo.close()


def test_a_bad_idea_is_shown_again_with_its_errors_and_nothing_is_posted(client, session):
    row = workshop()
    _member(client)
    response = client.post(
        f"/workshops/{row.slug}/ideas/new",
        data={"category": "idea", "text": "ab", "photo": (io.BytesIO(b"<svg/>"), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert (
        fr("Between %(low)d and %(high)d characters.", low=3, high=2000, escaped=True)
        in response.text
    )
    assert db.session.scalar(select(Idea)) is None


def test_dots_are_placed_and_taken_back_from_the_board(client, session):
    row = workshop(dots_per_participant=1)
    target = idea(row)
    _member(client)
    response = client.post(f"/workshops/{row.slug}/ideas/{target.id}/dots", data={"next": "board"})
    assert response.status_code == 302 and response.location.endswith(f"#idea-{target.id}")
    page = client.get(f"/workshops/{row.slug}/ideas").text
    assert fr("%(num)d dot", "%(num)d dots", 1) in page
    assert (
        fr("You have %(num)d dot left to place.", "You have %(num)d dots left to place.", 0) in page
    )
    refused = client.post(f"/workshops/{row.slug}/ideas/{target.id}/dots")
    assert refused.status_code == 409
    assert fr("You have no dots left. Take one back from another idea first.") in refused.text
    client.post(f"/workshops/{row.slug}/ideas/{target.id}/dots/withdraw")
    assert votes.cast(factories.user(), target.id) == (1, 0)


def test_the_idea_page_links_to_its_dataset_request_and_offers_a_report(client, app, session):
    row = workshop()
    target = idea(row, needs_data=True)
    _member(client)
    page = client.get(f"/workshops/{row.slug}/ideas/{target.id}").text
    assert "/submissions/" in page and "/flag" in page
    assert f"/ideas/{target.id}/dataset-request" not in page
    assert client.get(f"/workshops/{row.slug}/ideas/{target.id}/dataset-request").status_code == 404
    author = app.test_client()
    factories.login(author, target.author.email)
    response = author.post(
        f"/workshops/{row.slug}/ideas/{target.id}/dataset-request",
        data={"title": "Horaires des parcs", "description": "Les horaires de chaque parc."},
    )
    assert response.status_code == 302
    page = client.get(f"/workshops/{row.slug}/ideas/{target.id}").text
    assert f'href="/requests/{target.dataset_request_id}"' in page


def test_comments_are_posted_from_the_idea_page(client, session):
    row = workshop()
    target = idea(row)
    _member(client)
    response = client.post(
        f"/workshops/{row.slug}/ideas/{target.id}/comments", data={"body": "Bonne idée"}
    )
    assert response.status_code == 302 and "#comment-" in response.location
    assert "Bonne idée" in client.get(f"/workshops/{row.slug}/ideas/{target.id}").text
    refused = client.post(f"/workshops/{row.slug}/ideas/{target.id}/comments", data={"body": " "})
    assert refused.status_code == 422


def test_a_past_session_shows_its_minutes_and_no_register_button(client, session):
    row = workshop()
    past = add_session(row, starts_in=-timedelta(days=5))
    sessions.set_minutes(creator(row), past.id, "Douze participants.")
    _member(client)
    page = client.get(f"/workshops/sessions/{past.id}").text
    assert "Douze participants." in page
    assert f'action="/workshops/sessions/{past.id}/register"' not in page
