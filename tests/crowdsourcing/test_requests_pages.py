"""Dataset request pages, “I need this too”, reports (flags) and my contributions."""

import re

import pytest
from sqlalchemy import func, select

from crowdsourcing.models import DatasetRequest, Flag, ModerationSettings
from crowdsourcing.services import moderation
from tests import factories
from tests.crowdsourcing import dataset_request, fr, published_request, reload, versions
from webapp.db import unit_of_work
from webapp.extensions import db


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


@pytest.fixture
def member(client, session):
    user = factories.user()
    factories.login(client, user.email)
    return user


def _logged_in(app, user):
    other = app.test_client()
    factories.login(other, user.email)
    return other


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _supporters(page):
    return re.search(r'data-testid="supporters">([^<]*)<', page).group(1)


VALID = {
    "title": "Défibrillateurs",
    "description": "Où sont les défibrillateurs accessibles au public ?",
    "reason": "Savoir où courir en cas d'urgence",
    "intended_use": "Une application de secours",
    "wished_format": "CSV",
}


# --- asking -----------------------------------------------------------------------------------


def test_new_request_awaits_moderation_and_shows_in_my_contributions(client, member):
    department = factories.department(slug="sante")
    page = client.get("/requests/new")
    assert page.status_code == 200 and 'name="department"' in page.text
    response = client.post("/requests/new", data={**VALID, "department": "sante"})
    assert response.status_code == 302 and response.location.endswith("/my/contributions")

    contributions = client.get("/my/contributions").text
    assert "Défibrillateurs" in contributions and fr("Waiting for review") in contributions
    assert (
        fr("Your request is recorded. It will be public once a moderator has reviewed it.")
        in contributions
    )
    request = db.session.scalar(select(DatasetRequest))
    assert (request.requester_id, request.department_id) == (member.id, department.id)
    assert "Défibrillateurs" not in client.get("/requests/").text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "Bus"}, ("Between %(low)d and %(high)d characters.", {"low": 5, "high": 200})),
        ({"department": "nulle-part"}, ("This department does not exist.", {})),
        ({"description": ""}, None),
    ],
)
def test_bad_request_is_refused_with_422_and_nothing_is_created(client, member, overrides, message):
    response = client.post("/requests/new", data={**VALID, **overrides})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    if message:
        msgid, params = message
        assert fr(msgid, **params) in response.text
    assert _count(DatasetRequest) == 0


def test_asking_needs_an_account(client, session):
    response = client.get("/requests/new")
    assert response.status_code == 302 and "/login" in response.location
    assert client.post("/requests/new", data=VALID).status_code == 302
    assert _count(DatasetRequest) == 0


# --- the public list and detail ---------------------------------------------------------------


def test_public_list_shows_published_requests_only(client, moderator):
    published_request(moderator, title="Qualité de l'air")
    dataset_request(title="Demande pas encore lue")
    page = client.get("/requests/")
    assert page.status_code == 200
    assert "Qualité de l&#39;air" in page.text and "Demande pas encore lue" not in page.text
    assert fr("Log in to say you need it too") in page.text


def test_member_says_they_need_it_too_and_takes_it_back(client, member, moderator):
    NOBODY = fr("%(num)d person", "%(num)d people", 0)  # noqa: N806
    request, _submission = published_request(moderator, title="Ruches urbaines")
    assert _supporters(client.get(f"/requests/{request.id}").text) == NOBODY

    response = client.post(f"/requests/{request.id}/support", data={"next": "/requests/"})
    assert response.status_code == 302 and response.location == "/requests/"
    client.post(f"/requests/{request.id}/support")  # twice counts once
    page = client.get("/requests/").text
    assert _supporters(page) == fr("%(num)d person also needs it", "%(num)d people also need it", 1)
    assert 'aria-pressed="true"' in page

    client.post(f"/requests/{request.id}/support/withdraw")
    assert _supporters(client.get(f"/requests/{request.id}").text) == NOBODY


def test_support_ignores_foreign_redirects(client, member, moderator):
    request, _submission = published_request(moderator)
    response = client.post(
        f"/requests/{request.id}/support", data={"next": "https://evil.example.org/"}
    )
    assert response.location == f"/requests/{request.id}"


def test_unpublished_request_is_seen_only_by_its_requester_and_moderators(
    app, client, session, moderator
):
    requester = factories.user()
    request, _submission = dataset_request(requester, "Demande discrète")
    assert client.get(f"/requests/{request.id}").status_code == 404
    stranger = _logged_in(app, factories.user())
    assert stranger.get(f"/requests/{request.id}").status_code == 404
    assert stranger.post(f"/requests/{request.id}/support").status_code == 404
    mine = _logged_in(app, requester).get(f"/requests/{request.id}")
    assert mine.status_code == 200 and fr("Waiting for review") in mine.text
    assert "/flag" not in mine.text
    seen = _logged_in(app, moderator).get(f"/requests/{request.id}")
    assert seen.status_code == 200 and f"/moderation/{_submission.id}" in seen.text
    assert client.get("/requests/999999").status_code == 404


# --- editing ----------------------------------------------------------------------------------


def test_only_the_requester_edits_and_only_before_a_decision(app, client, session, moderator):
    requester = factories.user()
    request, submission = dataset_request(requester, "Composteurs")
    stranger = _logged_in(app, factories.user())
    assert stranger.post(f"/requests/{request.id}/edit", data=VALID).status_code in (403, 404)
    own = _logged_in(app, requester)
    assert (
        own.post(f"/requests/{request.id}/edit", data={**VALID, "title": "Non"}).status_code == 422
    )
    assert own.post(f"/requests/{request.id}/edit", data=VALID).status_code == 302
    db.session.expire_all()
    assert db.session.get(DatasetRequest, request.id).title == "Défibrillateurs"
    assert reload(submission).title == "Défibrillateurs"

    moderation.decide(moderator, submission.id, reload(submission).version, "approve")
    response = own.get(f"/requests/{request.id}/edit")
    assert response.status_code == 302 and response.location == f"/requests/{request.id}"
    assert own.post(f"/requests/{request.id}/edit", data=VALID).status_code == 302
    public = stranger.get(f"/requests/{request.id}")
    assert public.status_code == 200
    assert own.get(f"/requests/{request.id}/edit", follow_redirects=True).status_code == 200


# --- my contributions -------------------------------------------------------------------------


def test_my_contributions_lists_mine_with_status_and_withdraw(client, member):
    _r, pending = dataset_request(member, "Ma demande")
    dataset_request(title="La demande d'une autre personne")
    page = client.get("/my/contributions").text
    assert "Ma demande" in page and "une autre personne" not in page
    assert f"/my/contributions/{pending.id}/withdraw" in page and "/resubmit" not in page

    assert client.post(f"/my/contributions/{pending.id}/withdraw").status_code == 302
    assert reload(pending).status == "withdrawn"
    page = client.get("/my/contributions").text
    assert fr("Withdrawn") in page and f"/my/contributions/{pending.id}/withdraw" not in page
    assert client.post(f"/my/contributions/{pending.id}/withdraw").status_code == 409


def test_nobody_else_withdraws_or_resubmits_my_contribution(app, client, member):
    _r, submission = dataset_request()
    assert client.post(f"/my/contributions/{submission.id}/withdraw").status_code == 403
    assert client.post(f"/my/contributions/{submission.id}/resubmit").status_code == 403
    assert reload(submission).status == "pending"


def test_my_contributions_needs_an_account(client, session):
    assert client.get("/my/contributions").status_code == 302


# --- reports ----------------------------------------------------------------------------------


def test_three_reports_hide_a_request_until_a_moderator_approves_it_again(
    app, client, session, moderator
):
    request, submission = published_request(moderator, title="Bornes de recharge")
    reporters = [factories.user() for _n in range(3)]
    for n, reporter in enumerate(reporters):
        reporter_client = _logged_in(app, reporter)
        page = reporter_client.get(f"/requests/{request.id}").text
        assert f"/submissions/{submission.id}/flag" in page
        response = reporter_client.post(
            f"/submissions/{submission.id}/flag", data={"reason": "wrong", "note": f"n°{n}"}
        )
        assert response.status_code == 302

    assert "Bornes de recharge" not in client.get("/requests/").text
    assert client.get(f"/requests/{request.id}").status_code == 404
    moderating = _logged_in(app, moderator)
    inbox = moderating.get("/moderation/").text
    hidden = inbox[inbox.index('id="hidden-title"') :]
    assert "Bornes de recharge" in hidden and fr("%(num)d report", "%(num)d reports", 3) in hidden

    item = moderating.get(f"/moderation/{submission.id}").text
    assert fr("Wrong information") in item and "n°2" in item
    response = moderating.post(
        f"/moderation/{submission.id}/approve", data={"version": versions(item)["approve"]}
    )
    assert response.status_code == 302
    assert "Bornes de recharge" in client.get("/requests/").text
    assert (
        db.session.scalar(select(func.count()).select_from(Flag).where(Flag.resolved_at.is_(None)))
        == 0
    )


def test_the_threshold_comes_from_the_admins_settings(app, client, session, moderator):
    with unit_of_work():
        db.session.add(ModerationSettings(id=1, flag_threshold=1, claim_minutes=30))
    request, submission = published_request(moderator, title="Fontaines")
    reporter = _logged_in(app, factories.user())
    reporter.post(f"/submissions/{submission.id}/flag", data={"reason": "spam"})
    assert "Fontaines" not in client.get("/requests/").text


def test_a_member_cannot_report_twice(client, member, moderator):
    _request, submission = published_request(moderator)
    url = f"/submissions/{submission.id}/flag"
    assert client.post(url, data={"reason": "abusive"}).status_code == 302
    second = client.post(url, data={"reason": "abusive"})
    assert second.status_code == 409 and fr("You already reported this item.") in second.text
    assert reload(submission).flag_count == 1


def test_a_pending_item_cannot_be_reported(client, member):
    _request, submission = dataset_request()
    response = client.post(f"/submissions/{submission.id}/flag", data={"reason": "spam"})
    # Someone else's pending item is not there for the member, whether asked or posted to.
    assert response.status_code == 404
    assert client.get(f"/submissions/{submission.id}/flag").status_code == 404
    assert _count(Flag) == 0


def test_a_report_needs_a_known_reason(client, member, moderator):
    _request, submission = published_request(moderator, title="Marchés")
    page = client.get(f"/submissions/{submission.id}/flag")
    assert page.status_code == 200 and fr("Personal data") in page.text
    response = client.post(f"/submissions/{submission.id}/flag", data={"reason": "boring"})
    assert response.status_code == 422 and fr("Choose a reason.") in response.text
    assert _count(Flag) == 0


def test_visitors_cannot_report(client, session, moderator):
    request, submission = published_request(moderator)
    assert "/flag" not in client.get(f"/requests/{request.id}").text
    response = client.post(f"/submissions/{submission.id}/flag", data={"reason": "spam"})
    assert response.status_code == 302 and "/login" in response.location
    assert _count(Flag) == 0
