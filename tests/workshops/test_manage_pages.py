"""Organisers' and facilitators' pages: creating workshops and sessions, materials, the
synthesis, the requirements document and its downloads, check-in on the shared pages."""

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests import factories
from tests.workshops import add_session, creator, fr, idea, workshop
from webapp.extensions import db
from workshops.models import Material, Requirement, Theme, Workshop, WorkshopSession
from workshops.services import participation, synthesis


def _as(app, user):
    browser = app.test_client()
    factories.login(browser, user.email)
    return browser


def test_an_organiser_creates_a_workshop_from_the_form(client, session):
    organiser = factories.user(roles=["organiser"])
    factories.login(client, organiser.email)
    assert client.get("/workshops/new").status_code == 200
    response = client.post(
        "/workshops/new",
        data={
            "title": "Des bancs à l'ombre",
            "slug": "bancs-ombre",
            "question": "Où faut-il des bancs à l'ombre ?",
            "dots_per_participant": "4",
            "questions": ["diet"],
            "facilitators": f"\n{organiser.email}\n",
        },
    )
    assert response.status_code == 302 and response.location == "/workshops/bancs-ombre"
    row = db.session.scalar(select(Workshop))
    assert (row.status, row.dots_per_participant, row.questions) == ("draft", 4, ["diet"])


def test_a_bad_workshop_form_is_shown_again_and_residents_cannot_see_it(client, app, session):
    factories.login(client, factories.user(roles=["organiser"]).email)
    response = client.post(
        "/workshops/new", data={"title": "Ab", "question": "?", "dots_per_participant": "9"}
    )
    assert response.status_code == 422
    assert (
        fr("Between %(low)d and %(high)d characters.", low=5, high=200, escaped=True)
        in response.text
    )
    assert db.session.scalar(select(Workshop)) is None
    assert _as(app, factories.user()).get("/workshops/new").status_code == 403


def test_a_session_typed_in_paris_time_is_stored_in_utc(client, session):
    row = workshop()
    factories.login(client, creator(row).email)
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    response = client.post(
        f"/workshops/{row.slug}/sessions/new",
        data={
            "title": "Séance 1",
            "day": day.isoformat(),
            "start": "18:00",
            "end": "20:00",
            "capacity": "12",
            "address": "Médiathèque Émile Zola",
            "lon": "3.8904",
            "lat": "43.6078",
        },
    )
    assert response.status_code == 302
    (part,) = db.session.scalars(select(WorkshopSession)).all()
    event = part.registration_list
    assert event.starts_at.astimezone(UTC).hour in (16, 17)  # 18:00 in Paris, summer or winter
    assert (event.capacity, event.lon, event.lat) == (12, 3.8904, 43.6078)
    edit = client.get(f"/workshops/sessions/{part.id}/edit").text
    assert 'value="18:00"' in edit


def test_a_session_without_place_or_link_is_refused_with_its_message(client, session):
    row = workshop()
    factories.login(client, creator(row).email)
    response = client.post(
        f"/workshops/{row.slug}/sessions/new",
        data={
            "title": "Séance",
            "day": "2030-05-02",
            "start": "18:00",
            "end": "20:00",
            "capacity": "5",
        },
    )
    assert response.status_code == 422
    assert fr("Give an address or an online link.", escaped=True) in response.text


def test_facilitators_upload_materials_anyone_downloads_them(client, app, session):
    row = workshop()
    part = add_session(row)
    factories.login(client, creator(row).email)
    response = client.post(
        f"/workshops/sessions/{part.id}/materials",
        data={"title": "Plan de la salle", "file": (io.BytesIO(b"%PDF-1.4 plan"), "plan.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    material = db.session.scalar(select(Material))
    download = app.test_client().get(f"/workshops/sessions/{part.id}/materials/{material.id}")
    assert download.mimetype == "application/pdf" and download.data == b"%PDF-1.4 plan"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    refused = client.post(
        f"/workshops/sessions/{part.id}/materials",
        data={"title": "Page", "file": (io.BytesIO(b"<html></html>"), "page.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    stranger = _as(app, factories.user())
    assert (
        stranger.post(
            f"/workshops/sessions/{part.id}/materials",
            data={"title": "x", "url": "https://a.example"},
        ).status_code
        == 403
    )


def test_facilitators_check_attendance_on_the_shared_attendee_page(client, app, session):
    row = workshop()
    part = add_session(row)
    person = factories.user(name="Zoé Présente")
    participation.register(person, part.id)
    factories.login(client, creator(row).email)
    assert (
        f'href="/events/{part.registration_list_id}/attendees"'
        in client.get(f"/workshops/sessions/{part.id}").text
    )
    attendees = client.get(f"/events/{part.registration_list_id}/attendees").text
    assert "Zoé Présente" in attendees
    assert f'href="/workshops/sessions/{part.id}"' in attendees  # back to the session page
    assert _as(app, person).get(f"/events/{part.registration_list_id}/attendees").status_code == 403


def test_the_synthesis_page_is_for_facilitators_and_groups_ideas(client, app, session):
    row = workshop()
    posted = idea(row)
    assert _as(app, posted.author).get(f"/workshops/{row.slug}/synthesis").status_code == 403
    factories.login(client, creator(row).email)
    assert client.get(f"/workshops/{row.slug}/synthesis").status_code == 200
    client.post(f"/workshops/{row.slug}/themes", data={"name": "Ombre"})
    theme = db.session.scalar(select(Theme))
    client.post(f"/workshops/{row.slug}/ideas/{posted.id}/theme", data={"theme": str(theme.id)})
    assert posted.theme_id == theme.id
    response = client.post(
        f"/workshops/{row.slug}/requirements/new",
        data={
            "role": "habitante",
            "goal": "de l'ombre",
            "benefit": "attendre au frais",
            "priority": "must",
            "ideas": [str(posted.id)],
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Requirement)).ideas == [posted]
    refused = client.post(f"/workshops/{row.slug}/requirements/new", data={"priority": "must"})
    assert refused.status_code == 422


def test_the_requirements_document_is_public_once_published_with_its_downloads(
    client, app, session
):
    row = workshop()
    posted = idea(row, text="Des fontaines à boire")
    synthesis.save_requirement(
        creator(row),
        row.id,
        {
            "role": "habitante",
            "goal": "boire de l'eau fraîche",
            "benefit": "tenir en canicule",
            "priority": "should",
            "ideas": [posted.id],
        },
    )
    path = f"/workshops/{row.slug}/requirements"
    assert client.get(path).status_code == 404
    assert client.get(f"{path}.md").status_code == 404
    assert _as(app, creator(row)).get(path).status_code == 200  # the draft, for those who run it
    synthesis.publish(creator(row), row.id, "Introduction du cahier.")
    page = client.get(path).text
    assert "boire de l&#39;eau fraîche" in page and "Des fontaines à boire" in page
    markdown = client.get(f"{path}.md")
    assert markdown.mimetype == "text/markdown"
    assert "attachment" in markdown.headers["Content-Disposition"]
    assert markdown.text.startswith("# ") and "Introduction du cahier." in markdown.text
    assert "boire de l'eau fraîche" in markdown.text
    printable = client.get(f"{path}/print").text
    assert "workshops/print.css" in printable and "Des fontaines à boire" in printable
