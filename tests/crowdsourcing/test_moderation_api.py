"""The moderation pipeline through the JSON API: the inbox and its cursor, decisions, my
submissions, flags, dataset requests and their support; one error shape throughout."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crowdsourcing import registry
from crowdsourcing.models import APPROVED, PENDING, REJECTED, DatasetRequest, Flag, Submission
from crowdsourcing.services import moderation
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing.test_moderation_services import (
    NOTE_KIND,
    TEST_KIND,
    actions_of,
    dataset_request,
    fresh,
    moderator,
    notes,
    published,
    reject_reason,
    request_data,
    set_created_at,
    set_flag_threshold,
)
from webapp.db import utcnow
from webapp.extensions import db

MODERATION_PATHS = {
    "/api/v1/moderation/submissions": {"get"},
    "/api/v1/moderation/submissions/{submission_id}/decision": {"post"},
    "/api/v1/my/submissions": {"get"},
    "/api/v1/submissions/{submission_id}/flags": {"post"},
    "/api/v1/dataset-requests": {"get", "post"},
    "/api/v1/dataset-requests/{request_id}": {"get"},
    "/api/v1/dataset-requests/{request_id}/support": {"put", "delete"},
}


@pytest.fixture
def note_kind():
    yield registry.register_kind(NOTE_KIND)
    registry.KINDS.pop(TEST_KIND, None)


def as_user(client, user):
    """Another test client, logged in as `user`."""
    other = client.application.test_client()
    factories.login(other, user.email)
    return other


def error_of(response, status, code=None):
    """Check the one error shape and the status; return the error body."""
    assert response.status_code == status, response.text[:500]
    assert set(response.json) == {"error"}
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def decision_url(submission_id):
    return f"/api/v1/moderation/submissions/{submission_id}/decision"


def flag_url(submission_id):
    return f"/api/v1/submissions/{submission_id}/flags"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- dataset requests: creation ------------------------------------------------------------------


def test_posting_a_dataset_request_creates_it_pending_and_answers_201(client, session):
    department = factories.department()
    requester = factories.user()
    me = as_user(client, requester)

    response = me.post(
        "/api/v1/dataset-requests",
        json=request_data(wished_format="CSV", department=department.slug),
    )

    assert response.status_code == 201, response.text
    body = response.json
    assert body["title"] == "Arbres d'alignement" and body["wished_format"] == "CSV"
    assert (body["status"], body["supporters"], body["department"]) == (
        PENDING,
        0,
        department.slug,
    )
    request = db.session.get(DatasetRequest, body["id"])
    assert request.requester_id == requester.id
    submission = dataset_requests.submission_of(request)
    assert submission.status == PENDING and actions_of(submission.id) == ["submitted"]
    mine = me.get("/api/v1/my/submissions").json
    assert [(s["id"], s["status"], s["kind"]) for s in mine] == [
        (submission.id, PENDING, "dataset_request")
    ]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "Arbr", "department": "nope"}, {"title", "department"}),
        ({"description": "x" * 4001, "wished_format": "x" * 81}, {"description", "wished_format"}),
        ({"titre": "Arbres d'alignement"}, {"titre"}),
        ({"title": None}, {"title"}),
    ],
)
def test_posting_a_bad_dataset_request_answers_422_with_the_fields_and_creates_nothing(
    client, session, payload, fields
):
    me = as_user(client, factories.user())

    response = me.post("/api/v1/dataset-requests", json=request_data(**payload))

    assert set(error_of(response, 422)["fields"]) == fields
    assert (count(DatasetRequest), count(Submission)) == (0, 0)


def test_posting_a_dataset_request_anonymously_answers_401(client, session):
    error_of(client.post("/api/v1/dataset-requests", json=request_data()), 401)
    assert count(DatasetRequest) == 0


# --- the inbox -----------------------------------------------------------------------------------


def test_the_inbox_is_for_moderators_only(client, session):
    dataset_request()
    error_of(client.get("/api/v1/moderation/submissions"), 401)
    error_of(as_user(client, factories.user()).get("/api/v1/moderation/submissions"), 403)
    assert as_user(client, moderator()).get("/api/v1/moderation/submissions").status_code == 200


def test_the_inbox_shows_pending_items_with_their_version_and_preview(client, session):
    request, submission = dataset_request(intended_use="Carte de l'ombre")
    published()

    body = as_user(client, moderator()).get("/api/v1/moderation/submissions").json

    assert body["next_cursor"] is None
    [item] = body["items"]
    assert (item["id"], item["status"], item["version"]) == (
        submission.id,
        PENDING,
        submission.version,
    )
    assert request.description in item["preview"] and "Carte de l'ombre" in item["preview"]
    assert (item["claimed"], item["hidden"], item["flag_count"]) == (False, False, 0)


def test_the_inbox_cursor_round_trips_over_pages_with_tied_created_at(client, session, note_kind):
    ids = notes(57)
    tie = utcnow() - timedelta(days=1)
    set_created_at(ids[:53], tie)
    set_created_at(ids[53:], tie + timedelta(seconds=1))
    reader = as_user(client, moderator())

    first = reader.get("/api/v1/moderation/submissions", query_string={"kind": TEST_KIND}).json
    assert len(first["items"]) == 50 and first["next_cursor"]
    second = reader.get(
        "/api/v1/moderation/submissions",
        query_string={"kind": TEST_KIND, "after": first["next_cursor"]},
    ).json

    assert second["next_cursor"] is None
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert seen == ids
    assert len(set(seen)) == 57


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "|",
        "2024-13-45T00:00:00|3",
        "2024-01-01T00:00:00+00:00|three",
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:00:00+00:00|99999999999999999999999999",
    ],
)
def test_a_garbage_cursor_answers_422_with_the_error_shape(client, session, cursor):
    dataset_request()
    reader = as_user(client, moderator())

    response = reader.get("/api/v1/moderation/submissions", query_string={"after": cursor})

    assert set(error_of(response, 422)["fields"]) == {"after"}


def test_the_inbox_filters_through_the_query_string(client, session, note_kind):
    [note] = notes(1)
    _r, pending = dataset_request()
    _r, approved = published()
    moderation.flag(factories.user(), approved.id, "spam")
    reader = as_user(client, moderator())

    def ids(**query):
        response = reader.get("/api/v1/moderation/submissions", query_string=query)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json["items"]}

    assert ids() == {note, pending.id}
    assert ids(kind=TEST_KIND) == {note}
    assert ids(status="approved", flagged="true") == {approved.id}
    assert ids(older_than_days=3) == set()
    for bad in ({"status": "lost"}, {"older_than_days": 0}, {"department": "eau"}):
        response = reader.get("/api/v1/moderation/submissions", query_string=bad)
        assert set(error_of(response, 422)["fields"]) == set(bad)


# --- decisions -----------------------------------------------------------------------------------


def test_approving_answers_the_item_with_its_new_version(client, session):
    requester = factories.user()
    _request, submission = dataset_request(requester)
    version = submission.version
    mod = moderator()

    response = as_user(client, mod).post(
        decision_url(submission.id), json={"action": "approve", "version": version}
    )

    assert response.status_code == 200, response.text
    body = response.json
    assert body["status"] == APPROVED and body["version"] > version
    assert body["decided_at"] is not None
    decided = fresh(submission)
    assert (decided.status, decided.decided_by_id) == (APPROVED, mod.id)
    assert actions_of(submission.id) == ["submitted", "approve"]


def test_rejecting_needs_a_reason_or_a_note_and_the_reason_must_be_active(client, session):
    _request, submission = dataset_request()
    version = submission.version
    reader = as_user(client, moderator(locale="en"))
    inactive = reject_reason(active=False)

    for extra, code in (
        ({}, "submission.reason_required"),
        ({"note": "   "}, "submission.reason_required"),
        ({"reason_id": inactive.id, "note": "Et alors"}, "submission.reason_unknown"),
        ({"reason_id": 999_999}, "submission.reason_unknown"),
    ):
        response = reader.post(
            decision_url(submission.id), json={"action": "reject", "version": version, **extra}
        )
        assert set(error_of(response, 422, code)["fields"]) == {"reason"}
    assert fresh(submission).status == PENDING
    assert actions_of(submission.id) == ["submitted"]

    reason = reject_reason(text_fr="Données déjà ouvertes", text_en="Data already open")
    response = reader.post(
        decision_url(submission.id),
        json={"action": "reject", "version": version, "reason_id": reason.id},
    )

    assert response.status_code == 200, response.text
    assert (response.json["status"], response.json["reason"]) == (REJECTED, "Data already open")


def test_request_changes_and_duplicate_check_their_fields(client, session):
    _r, original = dataset_request()
    _r, submission = dataset_request()
    reader = as_user(client, moderator())
    base = {"version": submission.version}

    response = reader.post(decision_url(submission.id), json={**base, "action": "request_changes"})
    assert set(error_of(response, 422, "submission.comment_required")["fields"]) == {"note"}
    for duplicate_of in (None, submission.id, 999_999):
        response = reader.post(
            decision_url(submission.id),
            json={**base, "action": "duplicate", "duplicate_of": duplicate_of},
        )
        assert set(error_of(response, 422, "submission.duplicate_unknown")["fields"]) == {
            "duplicate_of"
        }
    assert fresh(submission).status == PENDING

    response = reader.post(
        decision_url(submission.id),
        json={**base, "action": "duplicate", "duplicate_of": original.id},
    )
    assert response.json["status"] == "duplicate"
    assert fresh(submission).duplicate_of_id == original.id


def test_a_decision_with_a_malformed_body_answers_422_and_an_unknown_item_404(client, session):
    _request, submission = dataset_request()
    reader = as_user(client, moderator())

    for body, fields in (
        ({"action": "publish", "version": 1}, {"action"}),
        ({"action": "approve"}, {"version"}),
        ({"action": "approve", "version": "one"}, {"version"}),
        ({"action": "approve", "version": 1, "comment": "x"}, {"comment"}),
    ):
        response = reader.post(decision_url(submission.id), json=body)
        assert set(error_of(response, 422)["fields"]) == fields
    error_of(
        reader.post(decision_url(999_999), json={"action": "approve", "version": 1}),
        404,
        "submission.not_found",
    )
    assert actions_of(submission.id) == ["submitted"]


def test_residents_get_403_and_anonymous_people_401_on_decisions(client, session):
    requester = factories.user()
    _request, submission = dataset_request(requester)
    body = {"action": "approve", "version": submission.version}

    error_of(client.post(decision_url(submission.id), json=body), 401)
    error_of(as_user(client, factories.user()).post(decision_url(submission.id), json=body), 403)
    error_of(as_user(client, requester).post(decision_url(submission.id), json=body), 403)

    assert fresh(submission).status == PENDING
    assert actions_of(submission.id) == ["submitted"]


def test_deciding_a_decided_item_answers_409_already_decided(client, session):
    _request, submission = dataset_request()
    reader = as_user(client, moderator())
    reader.post(decision_url(submission.id), json={"action": "approve", "version": 1})
    current = fresh(submission).version

    response = reader.post(
        decision_url(submission.id),
        json={"action": "reject", "version": current, "note": "Finalement non"},
    )

    error_of(response, 409, "submission.already_decided")
    assert fresh(submission).status == APPROVED
    assert actions_of(submission.id) == ["submitted", "approve"]


def test_a_stale_version_answers_409_changed_and_changes_nothing(client, session):
    _request, submission = dataset_request()
    seen = submission.version
    other = moderator()
    moderation.claim(other, submission.id)
    moderation.release(other, submission.id)
    state = (fresh(submission).version, actions_of(submission.id))

    response = as_user(client, moderator()).post(
        decision_url(submission.id), json={"action": "approve", "version": seen}
    )

    error_of(response, 409, "submission.changed")
    assert fresh(submission).status == PENDING
    assert (fresh(submission).version, actions_of(submission.id)) == state


def test_an_item_claimed_by_another_moderator_answers_409_claimed_until_it_expires(client, session):
    from sqlalchemy import update

    _request, submission = dataset_request()
    moderation.claim(moderator(), submission.id)
    reader = as_user(client, moderator())
    body = {"action": "approve", "version": fresh(submission).version}

    listed = reader.get("/api/v1/moderation/submissions").json["items"]
    assert [item["claimed"] for item in listed] == [True]
    error_of(reader.post(decision_url(submission.id), json=body), 409, "submission.claimed")

    session.execute(
        update(Submission)
        .where(Submission.id == submission.id)
        .values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    assert reader.post(decision_url(submission.id), json=body).status_code == 200


# --- my submissions ------------------------------------------------------------------------------


def test_my_submissions_lists_mine_with_the_reason_in_my_language(client, session):
    requester = factories.user(locale="en")
    _request, submission = dataset_request(requester)
    dataset_request()  # someone else's
    reason = reject_reason(text_fr="Données déjà ouvertes", text_en="Data already open")
    moderation.decide(moderator(), submission.id, submission.version, "reject", reason_id=reason.id)

    error_of(client.get("/api/v1/my/submissions"), 401)
    mine = as_user(client, requester).get("/api/v1/my/submissions").json

    assert [(s["id"], s["status"], s["reason"]) for s in mine] == [
        (submission.id, REJECTED, "Data already open")
    ]


# --- flags ---------------------------------------------------------------------------------------


def test_flagging_through_the_api(client, session):
    _r, pending = dataset_request()
    _r, submission = published()
    member = as_user(client, factories.user())

    error_of(client.post(flag_url(submission.id), json={"reason": "spam"}), 401)
    error_of(
        member.post(flag_url(pending.id), json={"reason": "spam"}), 404, "submission.not_found"
    )
    error_of(member.post(flag_url(999_999), json={"reason": "spam"}), 404)
    response = member.post(flag_url(submission.id), json={"reason": "boring"})
    assert set(error_of(response, 422)["fields"]) == {"reason"}

    response = member.post(flag_url(submission.id), json={"reason": "spam", "note": "Pub"})
    assert response.status_code == 201, response.text
    assert (response.json["flag_count"], response.json["hidden"]) == (1, False)
    error_of(member.post(flag_url(submission.id), json={"reason": "wrong"}), 409, "flag.already")
    assert count(Flag) == 1


def test_flags_reaching_the_threshold_hide_the_item_from_everyone(client, session):
    request, submission = published()
    set_flag_threshold(2)

    as_user(client, factories.user()).post(flag_url(submission.id), json={"reason": "spam"})
    response = as_user(client, factories.user()).post(
        flag_url(submission.id), json={"reason": "abusive"}
    )

    assert (response.json["flag_count"], response.json["hidden"]) == (2, True)
    assert client.get("/api/v1/dataset-requests").json == []
    error_of(client.get(f"/api/v1/dataset-requests/{request.id}"), 404)
    reader = as_user(client, moderator())
    [hidden] = reader.get(
        "/api/v1/moderation/submissions", query_string={"status": "approved", "flagged": "true"}
    ).json["items"]
    assert hidden["id"] == submission.id and hidden["hidden"] is True

    response = reader.post(
        decision_url(submission.id), json={"action": "approve", "version": hidden["version"]}
    )
    assert (response.json["hidden"], response.json["flag_count"]) == (False, 0)
    assert [r["id"] for r in client.get("/api/v1/dataset-requests").json] == [request.id]


# --- dataset requests: visibility and support ----------------------------------------------------


def test_a_pending_request_is_shown_only_to_its_requester_and_moderators(client, session):
    requester = factories.user()
    request, _submission = dataset_request(requester)
    url = f"/api/v1/dataset-requests/{request.id}"

    assert as_user(client, requester).get(url).json["status"] == PENDING
    assert as_user(client, moderator()).get(url).json["id"] == request.id
    error_of(client.get(url), 404, "dataset_request.not_found")
    error_of(as_user(client, factories.user()).get(url), 404, "dataset_request.not_found")
    error_of(client.get("/api/v1/dataset-requests/999999"), 404)
    assert client.get("/api/v1/dataset-requests").json == []


def test_a_published_request_is_shown_to_everyone_most_supported_first(client, session):
    quiet, _s = published(title="Bancs publics")
    popular, _s = published(title="Fontaines à boire")
    rejected, submission = dataset_request(title="Refusée d'avance")
    moderation.decide(moderator(), submission.id, submission.version, "reject", note="Non")
    dataset_requests.support(factories.user(), popular.id)

    listing = client.get("/api/v1/dataset-requests").json

    assert [(r["id"], r["supporters"], r["status"]) for r in listing] == [
        (popular.id, 1, APPROVED),
        (quiet.id, 0, APPROVED),
    ]
    assert client.get(f"/api/v1/dataset-requests/{quiet.id}").json["title"] == "Bancs publics"
    error_of(client.get(f"/api/v1/dataset-requests/{rejected.id}"), 404)


def test_support_counts_distinct_members_but_not_the_requester(client, session):
    requester = factories.user()
    request, _submission = published(requester)
    url = f"/api/v1/dataset-requests/{request.id}/support"
    alice, bob = as_user(client, factories.user()), as_user(client, factories.user())

    assert alice.put(url).json["supporters"] == 1
    assert alice.put(url).json["supporters"] == 1
    assert as_user(client, requester).put(url).json["supporters"] == 1
    assert bob.put(url).json["supporters"] == 2
    assert alice.delete(url).json["supporters"] == 1
    assert alice.delete(url).json["supporters"] == 1
    error_of(client.put(url), 401)
    error_of(client.delete(url), 401)
    assert client.get(f"/api/v1/dataset-requests/{request.id}").json["supporters"] == 1


def test_support_on_an_unpublished_request_answers_404(client, session):
    requester = factories.user()
    request, _submission = dataset_request(requester)
    url = f"/api/v1/dataset-requests/{request.id}/support"

    error_of(as_user(client, factories.user()).put(url), 404, "dataset_request.not_found")
    error_of(as_user(client, requester).put(url), 404, "dataset_request.not_found")
    error_of(as_user(client, factories.user()).put("/api/v1/dataset-requests/999999/support"), 404)
    assert dataset_requests.supporters_count(request.id) == 0


# --- OpenAPI -------------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_moderation_paths_with_the_error_schema(client):
    spec = client.get("/api/v1/openapi.json").json

    for path, methods in MODERATION_PATHS.items():
        assert path in spec["paths"], path
        operations = spec["paths"][path]
        assert methods <= set(operations), (path, set(operations))
        for method in methods:
            for status, response in operations[method]["responses"].items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
                if status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), (path, method, status, ref)
    decision = spec["paths"]["/api/v1/moderation/submissions/{submission_id}/decision"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(decision["responses"])
