"""The moderation pages: inbox, item, decisions (with optimistic concurrency and claims),
bulk decisions, log, summary, admins' reasons and settings, and the moderators' digest."""

import pytest
from flask_babel import force_locale, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crowdsourcing import jobs as pipeline_jobs
from crowdsourcing import registry
from crowdsourcing.models import ModerationSettings, RejectReason, SubmissionEvent
from crowdsourcing.services import moderation
from tests import factories
from tests.crowdsourcing import dataset_request, fr, link_with, published_request, reload, versions
from webapp import jobs
from webapp.db import unit_of_work
from webapp.extensions import db
from webapp.notifications.models import Notification

CHANGED = "Another moderator changed this item in the meantime. Nothing was overwritten: reload to see their decision."


@pytest.fixture
def moderator(client):
    user = factories.user(roles=["moderator"])
    factories.login(client, user.email)
    return user


@pytest.fixture
def other_client(app, client):
    return app.test_client()


@pytest.fixture
def admin(session):
    return factories.user(roles=["admin"])


def _reason(admin, code="hors-sujet", fr="Hors sujet pour cette plateforme", en="Off-topic here"):
    return moderation.save_reason(admin, code, fr, en)


def _titles_in_order(page, titles):
    positions = [page.index(t) for t in titles]
    return positions == sorted(positions)


# --- the inbox --------------------------------------------------------------------------------


def test_inbox_lists_pending_items_oldest_first_and_paginates(client, moderator):
    requester = factories.user()
    titles = [f"Demande numéro {n:02d}" for n in range(1, 56)]
    for title in titles:
        dataset_request(requester, title)

    first = client.get("/moderation/")
    assert first.status_code == 200
    assert _titles_in_order(first.text, titles[:50])
    assert titles[50] not in first.text
    second = client.get(link_with(first.text, "after="))
    assert second.status_code == 200
    assert _titles_in_order(second.text, titles[50:])
    assert titles[0] not in second.text and fr("Next page") not in second.text


def test_inbox_rows_carry_selection_preview_and_submitter_through_visibility(client, moderator):
    requester = factories.user(name="Aïcha Demandeuse")
    _request, submission = dataset_request(requester, "Bancs publics")
    page = client.get("/moderation/").text
    assert f'value="{submission.id}:{submission.version}"' in page
    assert "Une carte des ombres" in page  # the kind's preview
    # Display names are "members only" by default: a moderator is a member.
    assert "Aïcha Demandeuse" in page
    assert "js/moderation.js" in page and "<kbd>j</kbd>" in page


def test_inbox_filters_by_status_kind_and_flagged(client, moderator, monkeypatch):
    thing = registry.SubmissionKind(
        name="test_thing",
        label="Test thing",
        load=lambda object_id: {"id": object_id},
        preview=lambda obj: f"thing {obj['id']}",
    )
    monkeypatch.setitem(registry.KINDS, "test_thing", thing)
    requester = factories.user()
    dataset_request(requester, "Demande en attente")
    with unit_of_work():
        moderation.submit("test_thing", 1, "Chose en attente", requester)
    _r, rejected = dataset_request(requester, "Demande refusée")
    moderation.decide(moderator, rejected.id, rejected.version, "reject", note="Non")
    _r, reported = published_request(moderator, requester, "Demande signalée")
    moderation.flag(factories.user(), reported.id, "wrong")
    published_request(moderator, requester, "Demande publiée")

    default = client.get("/moderation/").text
    assert "Demande en attente" in default and "Chose en attente" in default
    assert "Demande refusée" not in default
    by_kind = client.get("/moderation/?kind=test_thing").text
    assert "Chose en attente" in by_kind and "Demande en attente" not in by_kind
    by_status = client.get("/moderation/?status=rejected").text
    assert "Demande refusée" in by_status and "Demande en attente" not in by_status
    flagged = client.get("/moderation/?status=approved&flagged=y").text
    assert "Demande signalée" in flagged and "Demande publiée" not in flagged
    assert client.get("/moderation/?older_than_days=zero").status_code == 422


def test_inbox_refuses_a_forged_page_cursor(client, moderator):
    assert client.get("/moderation/?after=yesterday|x").status_code == 422


MODERATION_GETS = [
    "/moderation/",
    "/moderation/{id}",
    "/moderation/log",
    "/moderation/summary",
    "/moderation/reasons",
    "/moderation/settings",
]
MODERATION_POSTS = [
    "/moderation/bulk",
    "/moderation/{id}/approve",
    "/moderation/{id}/reject",
    "/moderation/{id}/claim",
    "/moderation/{id}/release",
    "/moderation/reasons",
    "/moderation/settings",
]


def test_resident_gets_403_on_every_moderation_page(client, session):
    _request, submission = dataset_request()
    resident = factories.user()
    factories.login(client, resident.email)
    for path in MODERATION_GETS:
        assert client.get(path.format(id=submission.id)).status_code == 403, path
    for path in MODERATION_POSTS:
        response = client.post(path.format(id=submission.id), data={"version": "1"})
        assert response.status_code == 403, path
    assert reload(submission).status == "pending"


def test_anonymous_visitor_is_sent_to_log_in(client, session):
    response = client.get("/moderation/")
    assert response.status_code == 302 and "/login" in response.location


def test_moderator_cannot_configure(client, moderator):
    assert client.get("/moderation/reasons").status_code == 403
    assert client.get("/moderation/settings").status_code == 403


# --- one item and its decisions ---------------------------------------------------------------


def test_approve_from_item_page_publishes_request_and_notifies_requester(
    app, client, moderator, session, mailbox
):
    requester = factories.user()
    request, submission = dataset_request(requester, "Horaires des piscines")
    assert "Horaires des piscines" not in client.get("/requests/").text

    page = client.get(f"/moderation/{submission.id}")
    assert page.status_code == 200 and "Une carte des ombres" in page.text
    response = client.post(
        f"/moderation/{submission.id}/approve", data={"version": versions(page.text)["approve"]}
    )
    assert response.status_code == 302 and response.location.endswith("/moderation/")

    assert reload(submission).status == "approved"
    assert "Horaires des piscines" in client.get("/requests/").text
    notes = db.session.scalars(select(Notification).where(Notification.user_id == requester.id))
    assert [n.kind for n in notes] == ["submission.approve"]
    [message] = mailbox.to(requester.email)
    assert "Horaires des piscines" in message["Subject"]
    visitor = app.test_client()
    assert visitor.get(f"/requests/{request.id}").status_code == 200


def test_reject_shows_the_reason_in_each_requesters_language(
    app, client, moderator, admin, session
):
    reason = _reason(admin)
    french = factories.user(locale="fr")
    english = factories.user(locale="en")
    _r, fr_submission = dataset_request(french, "Demande en français")
    _r, en_submission = dataset_request(english, "Request in English")
    for submission in (fr_submission, en_submission):
        response = client.post(
            f"/moderation/{submission.id}/reject",
            data={"version": submission.version, "reason": reason.id, "note": "Voir la charte"},
        )
        assert response.status_code == 302

    for user, shown, hidden in (
        (french, reason.text_fr, reason.text_en),
        (english, reason.text_en, reason.text_fr),
    ):
        own = app.test_client()
        factories.login(own, user.email)
        page = own.get("/my/contributions").text
        assert f'data-testid="reason">{shown}<' in page
        assert hidden not in page and "Voir la charte" in page


def test_reject_without_reason_or_note_is_refused_and_changes_nothing(client, moderator):
    _r, submission = dataset_request()
    response = client.post(f"/moderation/{submission.id}/reject", data={"version": "1"})
    assert response.status_code == 422
    assert fr("Give a reason, from the list or in your own words.") in response.text
    assert reload(submission).status == "pending"


def test_request_changes_then_edit_and_resubmit_returns_to_inbox_with_history(
    app, client, moderator, session
):
    requester = factories.user()
    request, submission = dataset_request(requester, "Parkings vélos")
    response = client.post(
        f"/moderation/{submission.id}/request_changes",
        data={"version": submission.version, "note": "Précisez le format souhaité"},
    )
    assert response.status_code == 302
    assert f'value="{submission.id}:' not in client.get("/moderation/").text

    own = app.test_client()
    factories.login(own, requester.email)
    contributions = own.get("/my/contributions").text
    assert "Précisez le format souhaité" in contributions
    edit_link = link_with(contributions, f"/requests/{request.id}/edit")
    assert own.get(edit_link).status_code == 200
    response = own.post(
        edit_link,
        data={
            "title": "Parkings vélos sécurisés",
            "description": "Les arceaux et abris vélos, avec leur capacité.",
            "wished_format": "GeoJSON",
        },
    )
    assert response.status_code == 302
    assert own.post(f"/my/contributions/{submission.id}/resubmit").status_code == 302

    inbox = client.get("/moderation/").text
    assert f'value="{submission.id}:' in inbox and "Parkings vélos sécurisés" in inbox
    item = client.get(f"/moderation/{submission.id}").text
    assert "Précisez le format souhaité" in item and "GeoJSON" in item
    actions = db.session.scalars(
        select(SubmissionEvent.action)
        .where(SubmissionEvent.submission_id == submission.id)
        .order_by(SubmissionEvent.id)
    ).all()
    assert actions == ["submitted", "request_changes", "resubmitted"]


def test_request_changes_needs_a_comment(client, moderator):
    _r, submission = dataset_request()
    response = client.post(
        f"/moderation/{submission.id}/request_changes", data={"version": submission.version}
    )
    assert response.status_code == 422 and fr("Say what should change.") in response.text


def test_duplicate_requires_an_existing_other_item(client, moderator):
    _r, original = dataset_request(title="Arbres remarquables")
    _r, copy = dataset_request(title="Arbres remarquables bis")
    url = f"/moderation/{copy.id}/duplicate"
    for target in ("999999", str(copy.id), ""):
        response = client.post(url, data={"version": copy.version, "duplicate_of": target})
        assert response.status_code == 422, target
        assert fr("Give the number of another item.") in response.text
    assert client.post(url, data={"version": copy.version, "duplicate_of": "x"}).status_code == 422
    assert reload(copy).status == "pending"

    response = client.post(url, data={"version": copy.version, "duplicate_of": original.id})
    assert response.status_code == 302
    copy = reload(copy)
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.id)


def test_two_moderators_deciding_together_the_first_wins_the_second_gets_409(
    client, other_client, moderator, session
):
    second = factories.user(roles=["moderator"])
    factories.login(other_client, second.email)
    _r, submission = dataset_request(title="Compteurs vélo")
    seen_first = versions(client.get(f"/moderation/{submission.id}").text)
    seen_second = versions(other_client.get(f"/moderation/{submission.id}").text)
    assert seen_first == seen_second

    first = client.post(
        f"/moderation/{submission.id}/approve", data={"version": seen_first["approve"]}
    )
    assert first.status_code == 302
    late = other_client.post(
        f"/moderation/{submission.id}/reject",
        data={"version": seen_second["reject"], "note": "Hors sujet"},
    )
    assert late.status_code == 409
    assert fr(CHANGED) in late.text and 'role="status"' in late.text
    submission = reload(submission)
    assert (submission.status, submission.decided_by_id, submission.decision_note) == (
        "approved",
        moderator.id,
        None,
    )
    decisions = db.session.scalar(
        select(func.count())
        .select_from(SubmissionEvent)
        .where(
            SubmissionEvent.submission_id == submission.id,
            SubmissionEvent.action.in_(["approve", "reject"]),
        )
    )
    assert decisions == 1


def test_decision_without_version_is_refused(client, moderator):
    _r, submission = dataset_request()
    response = client.post(f"/moderation/{submission.id}/approve", data={})
    assert response.status_code == 422
    assert reload(submission).status == "pending"


def test_claim_by_one_moderator_makes_the_others_decision_a_409(
    client, other_client, moderator, session
):
    second = factories.user(roles=["moderator"])
    factories.login(other_client, second.email)
    _r, submission = dataset_request(title="Toilettes publiques")
    assert client.post(f"/moderation/{submission.id}/claim").status_code == 302
    mine = client.get(f"/moderation/{submission.id}").text
    assert f"/moderation/{submission.id}/release" in mine

    page = other_client.get(f"/moderation/{submission.id}").text
    assert 'data-testid="claim"' in page and f"/moderation/{submission.id}/claim" not in page
    response = other_client.post(
        f"/moderation/{submission.id}/approve", data={"version": versions(page)["approve"]}
    )
    assert response.status_code == 409
    assert fr("Another moderator is reviewing this item.") in response.text
    assert reload(submission).status == "pending"

    assert client.post(f"/moderation/{submission.id}/release").status_code == 302
    page = other_client.get(f"/moderation/{submission.id}").text
    response = other_client.post(
        f"/moderation/{submission.id}/approve", data={"version": versions(page)["approve"]}
    )
    assert response.status_code == 302 and reload(submission).status == "approved"


def test_item_page_shows_the_full_history(client, moderator):
    requester = factories.user(name="Basile Demandeur")
    _r, submission = dataset_request(requester)
    client.post(f"/moderation/{submission.id}/claim")
    page = client.get(f"/moderation/{submission.id}").text
    history = page[page.index('id="history-title"') :]
    assert fr("Submitted") in history and fr("Reserved for review") in history
    assert "Basile Demandeur" in history and moderator.display_name in history


def test_unknown_item_is_404(client, moderator):
    assert client.get("/moderation/999999").status_code == 404


# --- bulk decisions ---------------------------------------------------------------------------


def test_bulk_approve_refuses_the_stale_item_and_approves_the_others(client, moderator):
    items = [dataset_request(title=f"Lot {n}")[1] for n in range(3)]
    stale = items[1]
    moderation.claim(moderator, stale.id)  # changes its version behind the page's back
    selection = [f"{s.id}:1" for s in items]
    response = client.post(
        "/moderation/bulk", data={"items": selection, "action": "approve"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert fr("%(num)d item decided.", "%(num)d items decided.", 2) in response.text
    assert f"#{stale.id}" in response.text
    assert [reload(s).status for s in items] == ["approved", "pending", "approved"]


def test_bulk_reject_needs_a_reason_and_a_selection(client, moderator, admin):
    items = [dataset_request(title=f"Lot {n}")[1] for n in range(2)]
    selection = [f"{s.id}:{s.version}" for s in items]
    response = client.post("/moderation/bulk", data={"items": selection, "action": "reject"})
    assert response.status_code == 422
    assert client.post("/moderation/bulk", data={"action": "approve"}).status_code == 422
    assert client.post("/moderation/bulk", data={"items": ["1:x"]}).status_code == 422
    assert [reload(s).status for s in items] == ["pending", "pending"]

    reason = _reason(admin)
    response = client.post(
        "/moderation/bulk", data={"items": selection, "action": "reject", "reason": reason.id}
    )
    assert response.status_code == 302
    assert {(reload(s).status, reload(s).reason_id) for s in items} == {("rejected", reason.id)}


# --- log and summary --------------------------------------------------------------------------


def test_log_lists_every_event_newest_first_and_paginates(client, moderator):
    _r, first = dataset_request(title="Premier")
    for n in range(55):
        dataset_request(title=f"Suivant {n}")
    page = client.get("/moderation/log")
    assert page.status_code == 200
    assert f"#{first.id}<" not in page.text  # the oldest event is on the next page
    older = client.get(link_with(page.text, "before="))
    assert f"#{first.id}<" in older.text


def test_summary_counts_waiting_items_and_hidden_ones(client, moderator, session):
    for _n in range(3):
        dataset_request()
    _r, published = published_request(moderator)
    for _n in range(3):
        moderation.flag(factories.user(), published.id, "spam")
    page = client.get("/moderation/summary").text
    assert 'data-testid="count-dataset_request">3<' in page
    assert 'data-testid="total">3<' in page
    assert 'data-testid="hidden">1<' in page


# --- admins: reasons and settings -------------------------------------------------------------


def test_admin_adds_and_edits_a_reason(client, admin, session):
    factories.login(client, admin.email)
    data = {"code": "doublon", "text_fr": "Déjà demandé", "text_en": "Already asked", "active": "y"}
    assert client.post("/moderation/reasons", data=data).status_code == 302
    reason = db.session.scalar(select(RejectReason).where(RejectReason.code == "doublon"))
    assert "Déjà demandé" in client.get("/moderation/reasons").text

    edited = {**data, "text_en": "Asked already", "active": ""}
    assert client.post(f"/moderation/reasons/{reason.id}", data=edited).status_code == 302
    db.session.expire_all()
    reason = db.session.get(RejectReason, reason.id)
    assert (reason.text_en, reason.active) == ("Asked already", False)


@pytest.mark.parametrize(
    "overrides",
    [{"code": "pas bon !"}, {"text_fr": "x"}, {"text_en": ""}, {"code": "existant"}],
)
def test_bad_reason_is_refused_with_422_and_nothing_changes(client, admin, session, overrides):
    factories.login(client, admin.email)
    _reason(admin, code="existant")
    data = {"code": "nouveau", "text_fr": "Texte valable", "text_en": "Valid text", "active": "y"}
    response = client.post("/moderation/reasons", data={**data, **overrides})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(RejectReason)) == 1


def test_editing_a_reason_with_bad_input_is_refused(client, admin, session):
    factories.login(client, admin.email)
    reason = _reason(admin)
    response = client.post(
        f"/moderation/reasons/{reason.id}",
        data={"code": reason.code, "text_fr": "x", "text_en": "ok ok"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(RejectReason, reason.id).text_fr == "Hors sujet pour cette plateforme"
    assert client.get("/moderation/reasons/999999").status_code == 404


def test_admin_saves_moderation_settings_and_bad_input_is_refused(client, admin, session):
    factories.login(client, admin.email)
    page = client.get("/moderation/settings")
    assert page.status_code == 200 and 'value="3"' in page.text
    ok = client.post("/moderation/settings", data={"flag_threshold": "5", "claim_minutes": "45"})
    assert ok.status_code == 302
    for bad in (
        {"flag_threshold": "0", "claim_minutes": "45"},
        {"flag_threshold": "5", "claim_minutes": "un"},
    ):
        assert client.post("/moderation/settings", data=bad).status_code == 422
    db.session.expire_all()
    row = db.session.get(ModerationSettings, 1)
    assert (row.flag_threshold, row.claim_minutes) == (5, 45)


def test_non_admin_cannot_edit_reasons_or_settings(client, moderator, admin):
    reason = _reason(admin)
    assert client.get(f"/moderation/reasons/{reason.id}").status_code == 403
    response = client.post(
        "/moderation/settings", data={"flag_threshold": "1", "claim_minutes": "1"}
    )
    assert response.status_code == 403
    assert db.session.get(ModerationSettings, 1) is None


def test_navigation_shows_moderation_links_by_role(app, client, admin, session):
    resident = factories.user()
    factories.login(client, resident.email)
    page = client.get("/").text
    assert "/requests/" in page and "/my/contributions" in page
    assert 'href="/moderation/"' not in page
    moderator = factories.user(roles=["moderator"])
    other = app.test_client()
    factories.login(other, moderator.email)
    page = other.get("/").text
    assert 'href="/moderation/"' in page and "/moderation/reasons" not in page
    root = app.test_client()
    factories.login(root, admin.email)
    page = root.get("/").text
    assert "/moderation/reasons" in page and "/moderation/settings" in page


# --- the digest -------------------------------------------------------------------------------


def _run_digest():
    with unit_of_work():
        job = jobs.enqueue_after_commit(pipeline_jobs.send_digest)
    db.session.expire_all()
    return db.session.get(type(job), job.id)


def test_digest_mails_each_moderator_in_their_language(session, mailbox):
    french = factories.user(roles=["moderator"], locale="fr")
    english = factories.user(roles=["moderator"], locale="en")
    factories.user()  # a resident gets nothing
    _r, oldest = dataset_request()
    dataset_request()

    job = _run_digest()
    assert job.status == "finished" and job.result == {"sent": 2}
    assert len(mailbox.messages()) == 2
    for user in (french, english):
        [message] = mailbox.to(user.email)
        body = mailbox.body(message)
        with force_locale(user.locale):
            assert str(_l("%(n)d contributions wait for moderation", n=2)) == message["Subject"]
            assert format_datetime(oldest.created_at, "medium") in body
            assert gettext("%(kind)s: %(count)d", kind=gettext("Dataset request"), count=2) in body
        assert "http://localhost/moderation/" in body


def test_digest_sends_nothing_when_nothing_waits(session, mailbox):
    factories.user(roles=["moderator"])
    _r, submission = dataset_request()
    moderation.withdraw(submission.submitter, submission.id)
    job = _run_digest()
    assert job.result == {"sent": 0}
    assert mailbox.messages() == []
