"""Mapping-party pages: the list, a party, registration from it, the calendar, the summary,
and the organisers' forms (create, edit, cells, validators)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from mapping.models import MappingParty, Task
from mapping.services import features, parties, tasks
from tests import factories
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db
from webapp.profiles import services as profiles
from webapp.registrations import services as registrations
from webapp.registrations.models import CONFIRMED, WAITLISTED, Registration


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"], name="Inès Organisatrice")


@pytest.fixture
def party(organiser):
    party = factories.party(organiser, title="Cartopartie des platanes")
    parties.split_grid(organiser, party.id, 500)
    return party


def _registration(user, party):
    return db.session.scalar(
        select(Registration).where(
            Registration.list_id == party.registration_list_id, Registration.user_id == user.id
        )
    )


# --- list -----------------------------------------------------------------------------------


def test_list_shows_upcoming_soonest_first_and_past_parties(client, organiser):
    later = factories.party(organiser, title="Plus tard", starts_in=timedelta(days=20))
    sooner = factories.party(organiser, title="Bientôt", starts_in=timedelta(days=2))
    past = factories.party(organiser, title="Passée", starts_in=timedelta(days=-30))
    page = client.get("/mapping/parties/").text
    assert page.index("Bientôt") < page.index("Plus tard") < page.index("Passée")
    assert f"/mapping/parties/{past.slug}/summary" in page
    assert f"/mapping/inventories/{later.inventories[0].slug}" in page
    assert "10 places restantes" in page
    assert sooner.slug in page


def test_list_shows_local_paris_time_in_the_visitor_language(client, organiser):
    party = factories.party(organiser)
    event = party.registration_list
    with unit_of_work():
        event.starts_at = event.starts_at.replace(
            month=7, day=14, hour=8, minute=0, year=utcnow().year + 1
        )
        event.ends_at = event.starts_at + timedelta(hours=2)
    assert "10:00" in client.get("/mapping/parties/").text  # 08:00 UTC is 10:00 in Paris in July
    english = client.get("/mapping/parties/", headers={"Accept-Language": "en"}).text
    assert "July 14, 2027, 10:00" in english


def test_events_page_and_home_link_to_the_parties(client):
    assert 'href="/mapping/parties/"' in client.get("/events/").text
    assert 'href="/mapping/parties/"' in client.get("/").text


# --- party page -------------------------------------------------------------------------------


def test_party_page_shows_event_cells_map_and_contribute_links(client, party):
    page = client.get(f"/mapping/parties/{party.slug}")
    assert page.status_code == 200
    text = page.text
    assert "Cartopartie des platanes" in text and "Place de la Comédie" in text
    assert "FabriqueMaps.tasks(" in text and "FabriqueMaps.meetingPoint(" in text
    assert "js/party-maps.js" in text
    inventory = party.inventories[0]
    assert f"/mapping/inventories/{inventory.slug}/contribute?party={party.id}" in text
    assert text.count('id="task-') == len(tasks.of_party(party))
    assert "Connectez-vous et inscrivez-vous" in text
    assert "Inès Organisatrice" not in text  # names are private by default
    assert "0 secteurs sur" in text or "0 sur" in text


def test_party_page_is_404_for_unknown_slug(client, session):
    assert client.get("/mapping/parties/nope").status_code == 404


def test_anonymous_register_goes_to_log_in(client, party):
    response = client.post(f"/mapping/parties/{party.slug}/register")
    assert response.status_code == 302 and "/login" in response.location


def test_resident_registers_from_the_party_page_then_cancels(client, party):
    resident = factories.user()
    factories.login(client, resident.email)
    response = client.post(f"/mapping/parties/{party.slug}/register")
    assert response.location == f"/mapping/parties/{party.slug}"
    assert _registration(resident, party).status == CONFIRMED
    page = client.get(f"/mapping/parties/{party.slug}").text
    assert "Votre inscription est confirmée" in page and "Réserver" in page
    client.post(f"/mapping/parties/{party.slug}/cancel")
    assert _registration(resident, party).status == "cancelled"


def test_full_party_puts_the_resident_on_the_waitlist_with_position(client, organiser):
    party = factories.party(organiser, capacity=1)
    parties.split_grid(organiser, party.id, 500)
    registrations.register(factories.user(), party.registration_list_id)
    resident = factories.user()
    factories.login(client, resident.email)
    client.post(f"/mapping/parties/{party.slug}/register")
    assert _registration(resident, party).status == WAITLISTED
    page = client.get(f"/mapping/parties/{party.slug}").text
    assert "liste d'attente, en position 1" in page and "vous pourrez réserver" in page


def test_calendar_file_links_back_to_the_party(client, party):
    response = client.get(f"/mapping/parties/{party.slug}/calendar.ics")
    assert response.mimetype == "text/calendar"
    body = response.text.replace("\r\n ", "")
    assert "SUMMARY:Cartopartie des platanes" in body
    assert f"/mapping/parties/{party.slug}" in body


def test_organisers_shown_when_their_profile_allows(client, organiser, party):
    profiles.set_visibility(organiser, {"display_name": "public"})
    assert "Inès Organisatrice" in client.get(f"/mapping/parties/{party.slug}").text


# --- summary ----------------------------------------------------------------------------------


def test_summary_of_a_past_party_counts_contributions_and_hides_private_names(client, organiser):
    inv = factories.inventory(organiser, moderation_mode="post")
    party = factories.party(organiser, [inv], starts_in=timedelta(hours=-1))
    shown, hidden = factories.user(name="Alice Visible"), factories.user(name="Bob Caché")
    profiles.set_visibility(shown, {"display_name": "public"})
    for author in (shown, shown, hidden):
        factories.feature(inv, author, party_id=party.id)
    past = party.registration_list
    with unit_of_work():
        past.starts_at = utcnow() - timedelta(days=3)
        past.ends_at = utcnow() - timedelta(days=2)
    page = client.get(f"/mapping/parties/{party.slug}/summary")
    assert page.status_code == 200
    text = page.text
    assert "3 contributions" in text and "2 contributeur" in text
    assert "Alice Visible" in text and "Bob Caché" not in text and "<td>Un·e membre</td>" in text
    assert "Points" in text and "Publié" in text
    assert "ne sont pas terminées" not in text and "pas terminée" not in text


def test_summary_during_the_party_says_figures_still_move(client, party):
    page = client.get(f"/mapping/parties/{party.slug}/summary").text
    assert "pas terminée" in page


# --- organiser pages --------------------------------------------------------------------------


def _form(inventory, **overrides):
    data = {
        "title": "Cartopartie du Lez",
        "slug": "cartopartie-du-lez",
        "description": "Au bord du Lez.",
        "starts_at": "2031-06-14T10:00",
        "ends_at": "2031-06-14T13:00",
        "capacity": "12",
        "address": "Parc Montcalm",
        "lon": "3.87",
        "lat": "43.6",
        "inventories": [str(inventory.id)],
        "area": json.dumps(factories.square(3.87, 43.60, 3.88, 43.61)),
        "claim_minutes": "45",
    }
    data.update(overrides)
    return data


def test_organiser_creates_a_party_in_local_time(client, organiser):
    inv = factories.inventory(organiser)
    factories.login(client, organiser.email)
    assert client.get("/mapping/parties/new").status_code == 200
    response = client.post("/mapping/parties/new", data=_form(inv))
    assert response.status_code == 302
    assert response.location == "/mapping/parties/cartopartie-du-lez/tasks"
    party = parties.by_slug("cartopartie-du-lez")
    event = party.registration_list
    assert event.starts_at.hour == 8  # 10:00 in Paris in June is 08:00 UTC
    assert (event.capacity, event.address, party.claim_minutes) == (12, "Parc Montcalm", 45)
    assert event.page_url == "/mapping/parties/cartopartie-du-lez"


def test_invalid_party_form_shows_errors_and_creates_nothing(client, organiser):
    inv = factories.inventory(organiser)
    factories.login(client, organiser.email)
    before = db.session.scalar(select(db.func.count(MappingParty.id)))
    bad = _form(inv, ends_at="2031-06-14T09:00", inventories=[], area='{"type": "Polygon"}')
    response = client.post("/mapping/parties/new", data=bad)
    assert response.status_code == 422
    assert "is-invalid" in response.text
    assert db.session.scalar(select(db.func.count(MappingParty.id))) == before


def test_too_long_address_is_a_form_error_not_a_crash(client, organiser):
    inv = factories.inventory(organiser)
    factories.login(client, organiser.email)
    response = client.post("/mapping/parties/new", data=_form(inv, slug="a" * 81))
    assert response.status_code == 422 and "Lettres minuscules" in response.text


def test_party_area_can_come_from_its_inventories(client, organiser):
    inv = factories.inventory(organiser)
    factories.login(client, organiser.email)
    client.post("/mapping/parties/new", data=_form(inv, area="", area_from_inventories="y"))
    assert parties.by_slug("cartopartie-du-lez").area is not None


def test_resident_cannot_open_organiser_pages(client, party):
    resident = factories.user()
    factories.login(client, resident.email)
    for path in ("new", f"{party.slug}/edit", f"{party.slug}/tasks", f"{party.slug}/validators"):
        assert client.get(f"/mapping/parties/{path}").status_code == 403
    assert (
        client.post(f"/mapping/parties/{party.slug}/tasks/grid", data={"cell_m": "300"}).status_code
        == 403
    )


def test_other_organiser_cannot_edit_a_party_they_do_not_run(client, party):
    other = factories.user(roles=["organiser"])
    factories.login(client, other.email)
    assert client.get(f"/mapping/parties/{party.slug}/edit").status_code == 403


def test_organiser_edits_event_fields_and_capacity(client, organiser, party):
    factories.login(client, organiser.email)
    form = client.get(f"/mapping/parties/{party.slug}/edit")
    assert form.status_code == 200 and "Cartopartie des platanes" in form.text
    data = _form(party.inventories[0], title="Nouveau titre", capacity="25", slug="ignored")
    response = client.post(f"/mapping/parties/{party.slug}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    event = parties.by_slug(party.slug).registration_list
    assert (event.title, event.capacity, event.address) == ("Nouveau titre", 25, "Parc Montcalm")


def test_capacity_below_confirmed_is_refused_and_nothing_changes(client, organiser):
    party = factories.party(organiser, capacity=3)
    for _ in range(2):
        registrations.register(factories.user(), party.registration_list_id)
    factories.login(client, organiser.email)
    data = _form(party.inventories[0], title="Autre titre", capacity="1")
    response = client.post(f"/mapping/parties/{party.slug}/edit", data=data)
    assert response.status_code == 422
    db.session.expire_all()
    event = parties.by_slug(party.slug).registration_list
    assert (event.title, event.capacity) != ("Autre titre", 1)
    assert event.capacity == 3


def test_organiser_splits_the_area_into_a_grid(client, organiser):
    party = factories.party(organiser)
    factories.login(client, organiser.email)
    assert client.get(f"/mapping/parties/{party.slug}/tasks").status_code == 200
    response = client.post(f"/mapping/parties/{party.slug}/tasks/grid", data={"cell_m": "400"})
    assert response.status_code == 302
    assert len(tasks.of_party(party)) > 4


def test_grid_is_refused_once_cells_are_started(client, organiser, party):
    resident = factories.user()
    registrations.register(resident, party.registration_list_id)
    tasks.claim(resident, tasks.of_party(party)[0].id)
    before = [t.id for t in tasks.of_party(party)]
    factories.login(client, organiser.email)
    response = client.post(f"/mapping/parties/{party.slug}/tasks/grid", data={"cell_m": "300"})
    assert response.status_code == 422
    assert "déjà réservés" in response.text or "deja" in response.text.lower()
    assert [t.id for t in tasks.of_party(party)] == before


def test_bad_cell_size_shows_an_error(client, organiser, party):
    factories.login(client, organiser.email)
    response = client.post(f"/mapping/parties/{party.slug}/tasks/grid", data={"cell_m": "10"})
    assert response.status_code == 422 and "is-invalid" in response.text


def test_organiser_draws_cells_and_bad_drawings_are_refused(client, organiser, party):
    factories.login(client, organiser.email)
    count = len(tasks.of_party(party))
    drawn = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": factories.square(3.871, 43.601, 3.872, 43.602)}
        ],
    }
    ok = client.post(f"/mapping/parties/{party.slug}/tasks/draw", data={"tasks": json.dumps(drawn)})
    assert ok.status_code == 302 and len(tasks.of_party(party)) == count + 1
    outside = {
        "type": "FeatureCollection",
        "features": [{"geometry": factories.square(4, 44, 4.1, 44.1)}],
    }
    bad = client.post(
        f"/mapping/parties/{party.slug}/tasks/draw", data={"tasks": json.dumps(outside)}
    )
    assert bad.status_code == 422
    garbage = client.post(f"/mapping/parties/{party.slug}/tasks/draw", data={"tasks": "nope"})
    assert garbage.status_code == 422
    assert len(tasks.of_party(party)) == count + 1


def test_organiser_names_validators_among_confirmed_participants(client, organiser, party):
    participant, outsider = factories.user(), factories.user()
    registrations.register(participant, party.registration_list_id)
    factories.login(client, organiser.email)
    page = client.get(f"/mapping/parties/{party.slug}/validators")
    assert page.status_code == 200 and participant.display_name in page.text
    refused = client.post(
        f"/mapping/parties/{party.slug}/validators", data={"people": [str(outsider.id)]}
    )
    assert refused.status_code == 422
    client.post(f"/mapping/parties/{party.slug}/validators", data={"people": [str(participant.id)]})
    db.session.expire_all()
    assert [v.user_id for v in parties.by_slug(party.slug).validators] == [participant.id]


def test_update_service_keeps_event_fields_when_not_given(organiser, party):
    title = party.registration_list.title
    parties.update(organiser, party.id, {"inventories": [i.id for i in party.inventories]})
    assert party.registration_list.title == title


def test_task_count_is_kept_when_contribution_counted(organiser, party):
    # A feature sent for the party is counted in its summary.
    resident = factories.user()
    features.create(
        resident,
        party.inventories[0].id,
        factories.point(3.88, 43.61),
        {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"},
        party_id=party.id,
    )
    assert parties.summary(party)["total"] == 1
    assert db.session.scalar(select(db.func.count(Task.id)).where(Task.party_id == party.id))
