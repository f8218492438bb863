"""Map features through the moderation inbox, end to end (issue: one inbox for every
contribution): pending in the inbox, approved onto the map, rejected with a reason the
contributor reads in French."""

from crowdsourcing.services import moderation
from mapping import handoff
from mapping.services import listing
from tests import factories


def _logged_in(app, user):
    other = app.test_client()
    factories.login(other, user.email)
    return other


def test_feature_goes_through_the_inbox_onto_the_map_or_back_with_a_reason(app, client, session):
    organiser = factories.user(roles=["organiser"])
    moderator = factories.user(roles=["moderator"])
    inventory = factories.inventory(organiser, moderation_mode="pre", title="Oiseaux du Lez")
    other = factories.inventory(organiser, moderation_mode="pre", title="Autre inventaire")
    resident = factories.user(locale="fr")
    kept = factories.feature(inventory, resident, factories.point(3.88, 43.61))
    refused = factories.feature(inventory, resident, factories.point(3.881, 43.611))
    factories.feature(other, resident, factories.point(3.882, 43.612))
    assert listing.map_data(None, inventory, (3.8, 43.5, 3.95, 43.7))["features"] == []

    factories.login(client, moderator.email)
    page = client.get(f"/moderation/?kind=feature&context=inventory:{inventory.id}").text
    assert page.count('name="items"') == 2 and "Oiseaux du Lez" in page
    assert client.get("/moderation/?kind=feature").text.count('name="items"') == 3

    approved = handoff.submission_of(kept)
    response = client.post(f"/moderation/{approved.id}/approve", data={"version": approved.version})
    assert response.status_code == 302
    shown = listing.map_data(None, inventory, (3.8, 43.5, 3.95, 43.7))["features"]
    assert [f["id"] for f in shown] == [kept.id]

    reason = moderation.save_reason(
        factories.user(roles=["admin"]), "hors-zone", "Hors de la zone étudiée", "Outside the area"
    )
    rejected = handoff.submission_of(refused)
    response = client.post(
        f"/moderation/{rejected.id}/reject",
        data={"version": rejected.version, "reason": reason.id, "note": ""},
    )
    assert response.status_code == 302
    assert refused.status == "rejected"
    contributions = _logged_in(app, resident).get("/my/contributions").text
    assert 'data-testid="reason">Hors de la zone étudiée<' in contributions
    assert "Outside the area" not in contributions
