"""An inventory offered as a candidate dataset reaches the inbox and the backlog."""

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import BacklogEvidence, Submission
from crowdsourcing.services import backlog
from mapping import handoff
from mapping.services import inventories
from tests import factories
from webapp.errors import Conflict, PermissionDenied
from webapp.extensions import db


def test_proposed_inventory_is_routed_into_the_backlog_as_evidence(session):
    organiser = factories.user(roles=["organiser"])
    moderator = factories.user(roles=["moderator"])
    inventory = factories.inventory(organiser, template="trees")
    submission = inventories.propose_as_dataset(organiser, inventory.id)
    assert submission.kind == "inventory" and submission.status == "pending"
    item = backlog.route(
        moderator,
        submission.id,
        new={
            "title": "Arbres inventoriés par les habitants",
            "description": "Un inventaire participatif.",
        },
        version=submission.version,
    )
    evidence = db.session.scalars(
        select(BacklogEvidence).where(BacklogEvidence.item_id == item.id)
    ).all()
    assert [e.submission_id for e in evidence] == [submission.id]
    assert handoff.INVENTORY_KIND.url(inventory) == f"/mapping/inventories/{inventory.slug}"


def test_inventory_is_offered_once(session):
    organiser = factories.user(roles=["organiser"])
    inventory = factories.inventory(organiser)
    inventories.propose_as_dataset(organiser, inventory.id)
    with pytest.raises(Conflict) as error:
        inventories.propose_as_dataset(organiser, inventory.id)
    assert error.value.code == "inventory.already_proposed"
    count = db.session.scalar(
        select(func.count(Submission.id)).where(Submission.kind == "inventory")
    )
    assert count == 1


def test_draft_inventory_cannot_be_offered(session):
    organiser = factories.user(roles=["organiser"])
    inventory = factories.inventory(organiser, status="draft")
    with pytest.raises(Conflict):
        inventories.propose_as_dataset(organiser, inventory.id)


def test_resident_cannot_offer_an_inventory(session):
    inventory = factories.inventory()
    with pytest.raises(PermissionDenied):
        inventories.propose_as_dataset(factories.user(), inventory.id)
    assert handoff.inventory_submission(inventory) is None
