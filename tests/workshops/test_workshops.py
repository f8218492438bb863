"""Workshops: creation, editing, status, facilitators; their sessions follow (listing,
openness, managers, titles)."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import BacklogItem
from tests import factories
from tests.workshops import add_session, creator, workshop, workshop_data
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations.models import RegistrationList
from workshops import policies, queries
from workshops.models import Workshop
from workshops.services import workshops as workshop_services


def _count():
    return db.session.scalar(select(func.count()).select_from(Workshop))


def test_create_makes_a_draft_with_a_slug_from_the_title_run_by_its_creator(session):
    organiser = factories.user(roles=["organiser"])
    row = workshop_services.create(organiser, workshop_data(title="Îlots de fraîcheur à Antigone"))
    assert row.status == "draft" and row.slug == "ilots-de-fraicheur-a-antigone"
    assert row.dots_per_participant == 5
    assert policies.can_manage(organiser, row)
    other = workshop_services.create(
        organiser, workshop_data(title="Îlots de fraîcheur à Antigone")
    )
    assert other.slug == "ilots-de-fraicheur-a-antigone-2"


def test_create_takes_a_chosen_address_but_never_a_taken_or_reserved_one(session):
    organiser = factories.user(roles=["organiser"])
    assert workshop_services.create(organiser, workshop_data(slug="bancs")).slug == "bancs"
    for slug, code in (
        ("bancs", "workshop.slug_taken"),
        ("new", "workshop.slug_taken"),
        ("Pas Bon!", "workshop.invalid"),
    ):
        with pytest.raises(ValidationError) as error:
            workshop_services.create(organiser, workshop_data(slug=slug))
        assert error.value.code == code and "slug" in error.value.fields
    assert _count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "Abc"}, "title"),
        ({"question": "Court"}, "question"),
        ({"dots_per_participant": 0}, "dots_per_participant"),
        ({"dots_per_participant": 51}, "dots_per_participant"),
        ({"dots_per_participant": "5"}, "dots_per_participant"),
        ({"questions": ["diet", "religion"]}, "questions"),
        ({"inventory_urls": ["javascript:alert(1)"]}, "inventory_urls"),
        ({"inventory_urls": [f"https://example.org/{i}" for i in range(11)]}, "inventory_urls"),
        ({"backlog_items": [987654]}, "backlog_items"),
        ({"facilitators": ["nobody@example.org"]}, "facilitators"),
        ({"department": "nowhere"}, "department"),
    ],
)
def test_create_refuses_bad_input_field_by_field_and_creates_nothing(session, changes, field):
    organiser = factories.user(roles=["organiser"])
    with pytest.raises(ValidationError) as error:
        workshop_services.create(organiser, workshop_data(**changes))
    assert error.value.code == "workshop.invalid"
    assert field in error.value.fields
    assert _count() == 0


def test_create_refuses_a_resident(session):
    with pytest.raises(PermissionDenied):
        workshop_services.create(factories.user(), workshop_data())
    assert _count() == 0


def test_create_links_backlog_items_inventories_facilitators_and_questions(session):
    organiser = factories.user(roles=["organiser"])
    facilitator = factories.user(email="anim@example.org")
    with unit_of_work():
        item = BacklogItem(title="Arbres", description="")
        db.session.add(item)
    row = workshop_services.create(
        organiser,
        workshop_data(
            backlog_items=[item.id],
            inventory_urls=["https://fabrique.example.org/inventories/arbres"],
            facilitators=["ANIM@example.org"],
            questions=["accessibility", "diet"],
        ),
    )
    assert [link.backlog_item_id for link in row.backlog_links] == [item.id]
    assert queries.backlog_items(row) == [item]
    assert row.inventory_urls == ["https://fabrique.example.org/inventories/arbres"]
    assert [f.user_id for f in row.facilitators] == [facilitator.id]
    assert row.questions == ["diet", "accessibility"]  # in the form's order
    assert policies.can_facilitate(facilitator, row) and not policies.can_manage(facilitator, row)


def test_a_draft_is_seen_only_by_those_who_run_it_and_its_sessions_stay_off_the_agenda(session):
    row = workshop(status="draft")
    part = add_session(row)
    stranger = factories.user()
    with pytest.raises(NotFound):
        queries.workshop_by_slug(stranger, row.slug)
    with pytest.raises(NotFound):
        queries.workshop_by_slug(None, row.slug)
    event = part.registration_list
    assert (event.listed, event.is_open) == (False, False)
    assert event.page_url == f"/workshops/sessions/{part.id}"
    assert event.kind == "workshop_session"
    assert row.title in event.title and part.title in event.title


def test_publishing_lists_and_opens_sessions_closing_stops_registrations(session):
    row = workshop(status="draft")
    part = add_session(row)
    workshop_services.set_status(creator(row), row.id, "open")
    assert queries.workshop_by_slug(None, row.slug) == row
    event = db.session.get(RegistrationList, part.registration_list_id)
    assert (event.listed, event.is_open) == (True, True)
    workshop_services.set_status(creator(row), row.id, "closed")
    assert (event.listed, event.is_open) == (True, False)


@pytest.mark.parametrize(
    "start, target",
    [("draft", "closed"), ("draft", "archived"), ("open", "draft"), ("open", "nonsense")],
)
def test_status_refuses_moves_outside_the_table(session, start, target):
    row = workshop(status=start)
    with pytest.raises(Conflict) as error:
        workshop_services.set_status(creator(row), row.id, target)
    assert error.value.code == "workshop.status_not_allowed"
    assert row.status == start


def test_only_those_who_manage_it_edit_or_move_a_workshop(session):
    row = workshop()
    facilitator = factories.user()
    organiser_facilitator = factories.user(roles=["organiser"])
    workshop_services.update(
        creator(row),
        row.id,
        workshop_data(
            title=row.title,
            facilitators=[facilitator.email, organiser_facilitator.email],
        ),
    )
    for outsider in (factories.user(), factories.user(roles=["organiser"]), facilitator):
        with pytest.raises(PermissionDenied):
            workshop_services.update(outsider, row.id, workshop_data())
        with pytest.raises(PermissionDenied):
            workshop_services.set_status(outsider, row.id, "closed")
    workshop_services.set_status(organiser_facilitator, row.id, "closed")
    workshop_services.set_status(factories.user(roles=["admin"]), row.id, "open")
    assert row.status == "open"


def test_editing_renames_the_sessions_and_makes_facilitators_their_managers(session):
    row = workshop()
    part = add_session(row)
    facilitator = factories.user()
    workshop_services.update(
        creator(row),
        row.id,
        workshop_data(title="Nouveau titre de l'atelier", facilitators=[facilitator.email]),
    )
    event = db.session.get(RegistrationList, part.registration_list_id)
    assert event.title.startswith("Nouveau titre de l'atelier")
    assert {m.user_id for m in event.managers} >= {facilitator.id, row.created_by_id}
    assert policies.can_facilitate(facilitator, row)


def test_bad_edit_changes_nothing(session):
    row = workshop(title="Titre d'origine")
    with pytest.raises(ValidationError):
        workshop_services.update(creator(row), row.id, workshop_data(title="x", questions=["?"]))
    db.session.expire_all()
    assert db.session.get(Workshop, row.id).title == "Titre d'origine"
