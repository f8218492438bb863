from mapping.models import PENDING, PUBLISHED
from mapping.services import features, parties, tasks
from tests import factories


def test_core_flow(session):
    organiser = factories.user(roles=["organiser"])
    inv = factories.inventory(organiser)
    resident = factories.user()
    feature = factories.feature(inv, resident)
    assert feature.status == PENDING
    feature = features.update(
        resident,
        feature.id,
        1,
        properties={
            "scientific_name": "Quercus robur",
            "observed_on": "2026-05-02",
            "protection": "protected",
        },
    )
    assert feature.revision == 2 and feature.is_sensitive
    party = factories.party(organiser, [inv])
    parties.split_grid(organiser, party.id, 500)
    cells = tasks.of_party(party)
    assert cells
    from webapp.registrations import services as registrations

    registrations.register(resident, party.registration_list_id)
    tasks.claim(resident, cells[0].id)
    tasks.mark_done(resident, cells[0].id)
    tasks.validate(organiser, cells[0].id)
    assert tasks.progress(party)["validated"] == 1
    post = factories.inventory(organiser, moderation_mode="post")
    f2 = factories.feature(post, resident)
    assert f2.status == PUBLISHED
    other = factories.user()
    features.confirm(other, f2.id)
    assert f2.confirmations == 1
    features.report(other, f2.id, "wrong")
    features.revert(organiser, feature.id, 1)
    assert not feature.is_sensitive
