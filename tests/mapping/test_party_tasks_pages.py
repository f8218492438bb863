"""Task cells from the party page: claim, release, mark done, validate, reopen, as plain
forms, for each kind of visitor."""

from datetime import timedelta

import pytest

from mapping.models import TASK_CLAIMED, TASK_DONE, TASK_OPEN, TASK_VALIDATED, Task
from mapping.services import parties, tasks
from tests import factories
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db
from webapp.profiles import services as profiles
from webapp.registrations import services as registrations


@pytest.fixture
def organiser(session):
    return factories.user(roles=["organiser"])


@pytest.fixture
def party(organiser):
    party = factories.party(organiser)
    parties.split_grid(organiser, party.id, 500)
    return party


@pytest.fixture
def cells(party):
    return tasks.of_party(party)


def _participant(party, **kwargs):
    user = factories.user(**kwargs)
    registrations.register(user, party.registration_list_id)
    return user


def _post(client, party, task, action, **data):
    return client.post(f"/mapping/parties/{party.slug}/tasks/{task.id}/{action}", data=data)


def _status(task):
    db.session.expire_all()
    return db.session.get(Task, task.id).status


def test_participant_claims_a_cell_and_sees_it_as_theirs(client, party, cells):
    resident = _participant(party)
    factories.login(client, resident.email)
    response = _post(client, party, cells[0], "claim")
    assert response.status_code == 303
    assert response.location == f"/mapping/parties/{party.slug}#task-{cells[0].id}"
    assert _status(cells[0]) == TASK_CLAIMED
    page = client.get(f"/mapping/parties/{party.slug}").text
    assert 'data-mine="true"' in page and "à vous" in page and "Marquer terminé" in page
    assert "Le secteur est à vous" in page


def test_anonymous_visitor_is_sent_to_log_in(client, party, cells):
    response = _post(client, party, cells[0], "claim")
    assert response.status_code == 302 and "/login" in response.location
    assert _status(cells[0]) == TASK_OPEN


def test_not_registered_resident_gets_a_clear_message(client, party, cells):
    factories.login(client, factories.user().email)
    response = _post(client, party, cells[0], "claim")
    assert response.status_code == 303
    page = client.get(response.location).text
    assert "Inscrivez-vous à la cartopartie pour réserver un secteur" in page
    assert _status(cells[0]) == TASK_OPEN


def test_waitlisted_resident_is_told_their_position(client, organiser, cells):
    party = factories.party(organiser, capacity=1)
    parties.split_grid(organiser, party.id, 500)
    _participant(party)
    waiting = _participant(party)
    factories.login(client, waiting.email)
    cell = tasks.of_party(party)[0]
    page = client.get(_post(client, party, cell, "claim").location).text
    assert "liste d’attente, numéro 1" in page
    assert _status(cell) == TASK_OPEN


def test_one_cell_at_a_time(client, party, cells):
    resident = _participant(party)
    tasks.claim(resident, cells[0].id)
    factories.login(client, resident.email)
    page = client.get(_post(client, party, cells[1], "claim").location).text
    assert "Terminez ou libérez votre secteur" in page
    assert _status(cells[1]) == TASK_OPEN
    # No button invites them to claim a second cell.
    assert page.count(">Réserver<") == 0


def test_someone_elses_cell_cannot_be_claimed_released_or_marked_done(client, party, cells):
    holder, other = _participant(party), _participant(party)
    tasks.claim(holder, cells[0].id)
    factories.login(client, other.email)
    page = client.get(_post(client, party, cells[0], "claim").location).text
    assert "Ce secteur est déjà réservé par quelqu&#39;un d&#39;autre" in page
    for action in ("release", "done"):
        page = client.get(_post(client, party, cells[0], action).location).text
        assert "Vous n&#39;avez pas réservé ce secteur" in page
    assert _status(cells[0]) == TASK_CLAIMED


def test_holder_name_follows_privacy(client, party, cells):
    holder = _participant(party, name="Zoé Discrète")
    tasks.claim(holder, cells[0].id)
    assert "Zoé Discrète" not in client.get(f"/mapping/parties/{party.slug}").text
    profiles.set_visibility(holder, {"display_name": "public"})
    assert "Zoé Discrète" in client.get(f"/mapping/parties/{party.slug}").text


def test_release_and_mark_done(client, party, cells):
    resident = _participant(party)
    factories.login(client, resident.email)
    _post(client, party, cells[0], "claim")
    _post(client, party, cells[0], "release")
    assert _status(cells[0]) == TASK_OPEN
    _post(client, party, cells[1], "claim")
    _post(client, party, cells[1], "done")
    assert _status(cells[1]) == TASK_DONE


def test_expired_claim_shows_open_and_anyone_may_take_it(client, party, cells):
    first, second = _participant(party), _participant(party)
    tasks.claim(first, cells[0].id)
    with unit_of_work():
        cells[0].claimed_until = utcnow() - timedelta(minutes=1)
    factories.login(client, second.email)
    page = client.get(f"/mapping/parties/{party.slug}").text
    row = page[page.find(f'id="task-{cells[0].id}"') :][:600]
    assert 'data-status="open"' in row
    _post(client, party, cells[0], "claim")
    db.session.expire_all()
    assert db.session.get(Task, cells[0].id).claimed_by_id == second.id


def test_organiser_validates_and_reopens_with_a_note(client, organiser, party, cells):
    resident = _participant(party)
    tasks.claim(resident, cells[0].id)
    tasks.mark_done(resident, cells[0].id)
    factories.login(client, organiser.email)
    page = client.get(f"/mapping/parties/{party.slug}").text
    assert "Valider" in page and "Rouvrir" in page
    _post(client, party, cells[0], "validate")
    assert _status(cells[0]) == TASK_VALIDATED
    _post(client, party, cells[0], "reopen", note="Le parc n'a pas été parcouru")
    assert _status(cells[0]) == TASK_OPEN
    assert tasks.history(cells[0].id)[-1].note == "Le parc n'a pas été parcouru"


def test_validating_an_open_cell_is_a_clear_conflict(client, organiser, party, cells):
    factories.login(client, organiser.email)
    page = client.get(_post(client, party, cells[0], "validate").location).text
    assert "Seul un secteur marqué comme terminé peut être validé" in page


def test_named_validator_validates_others_but_not_their_own_cell(client, organiser, party, cells):
    validator, mapper = _participant(party), _participant(party)
    parties.set_validators(organiser, party.id, [validator.id])
    for user, cell in ((validator, cells[0]), (mapper, cells[1])):
        tasks.claim(user, cell.id)
        tasks.mark_done(user, cell.id)
    factories.login(client, validator.email)
    assert _post(client, party, cells[0], "validate").status_code == 403
    assert _status(cells[0]) == TASK_DONE
    _post(client, party, cells[1], "validate")
    assert _status(cells[1]) == TASK_VALIDATED


def test_participant_who_is_not_validator_cannot_validate(client, party, cells):
    mapper, other = _participant(party), _participant(party)
    tasks.claim(mapper, cells[0].id)
    tasks.mark_done(mapper, cells[0].id)
    factories.login(client, other.email)
    page = client.get(f"/mapping/parties/{party.slug}").text
    assert ">Valider<" not in page
    assert _post(client, party, cells[0], "validate").status_code == 403
    assert _status(cells[0]) == TASK_DONE


def test_moderator_may_validate(client, party, cells):
    mapper = _participant(party)
    tasks.claim(mapper, cells[0].id)
    tasks.mark_done(mapper, cells[0].id)
    factories.login(client, factories.user(roles=["moderator"]).email)
    _post(client, party, cells[0], "validate")
    assert _status(cells[0]) == TASK_VALIDATED


def test_cell_of_another_party_is_not_found(client, organiser, party, cells):
    other = factories.party(organiser)
    factories.login(client, organiser.email)
    assert _post(client, other, cells[0], "claim").status_code == 404
    assert _status(cells[0]) == TASK_OPEN


def test_organiser_claims_without_registering(client, organiser, party, cells):
    factories.login(client, organiser.email)
    _post(client, party, cells[0], "claim")
    assert _status(cells[0]) == TASK_CLAIMED


def test_progress_counts_cells_by_status(client, organiser, party, cells):
    resident = _participant(party)
    tasks.claim(resident, cells[0].id)
    tasks.mark_done(resident, cells[0].id)
    page = client.get(f"/mapping/parties/{party.slug}").text
    assert f"1 secteurs sur {len(cells)} terminés ou validés" in page
    assert f'<progress class="party-progress" max="{len(cells)}" value="1"' in page
