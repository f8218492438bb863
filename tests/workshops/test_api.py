"""/api/v1/workshops: workshops with sessions, ideas, dots and requirements, in the OpenAPI
document, errors in the one shape, registration answers never served."""

from openapi_spec_validator import validate
from sqlalchemy import select

from tests import factories
from tests.workshops import add_session, assert_error, creator, idea, workshop
from webapp.extensions import db
from workshops.models import Idea
from workshops.services import participation, synthesis


def _token_client(client, user):
    factories.login(client, user.email)
    return client


def test_list_and_detail_show_published_workshops_with_their_sessions(client, session):
    row = workshop(questions=["diet"])
    part = add_session(row, capacity=2)
    workshop(status="draft", title="Brouillon invisible")
    person = factories.user()
    participation.register(person, part.id)
    participation.save_answers(person, row.id, {"diet": "Sans porc"})

    listed = client.get("/api/v1/workshops").get_json()
    assert [w["slug"] for w in listed] == [row.slug]
    detail = client.get(f"/api/v1/workshops/{row.slug}").get_json()
    (served,) = detail["sessions"]
    assert served["event_id"] == part.registration_list_id and served["seats_left"] == 1
    assert served["url"].endswith(f"/workshops/sessions/{part.id}")
    assert "Sans porc" not in client.get(f"/api/v1/workshops/{row.slug}").text
    assert_error(client.get("/api/v1/workshops/nope"), 404, "workshop.not_found")


def test_members_post_ideas_and_bad_ones_get_field_errors(client, session):
    row = workshop()
    anonymous = client.post(
        f"/api/v1/workshops/{row.slug}/ideas", json={"category": "idea", "text": "Abc"}
    )
    assert_error(anonymous, 401, "unauthorized")
    _token_client(client, factories.user())
    created = client.post(
        f"/api/v1/workshops/{row.slug}/ideas",
        json={
            "category": "need",
            "text": "Des horaires de parcs",
            "needs_data": True,
            "lon": 3.88,
            "lat": 43.6,
        },
    )
    assert created.status_code == 201, created.text
    body = created.get_json()
    assert (body["category"], body["needs_data"], body["lon"]) == ("need", True, 3.88)
    assert body["submission_id"] is not None
    error = assert_error(
        client.post(f"/api/v1/workshops/{row.slug}/ideas", json={"category": "rant", "text": "x"}),
        422,
        "validation",
    )
    assert "category" in error["fields"]
    error = assert_error(
        client.post(f"/api/v1/workshops/{row.slug}/ideas", json={"category": "idea", "text": "x"}),
        422,
        "idea.invalid",
    )
    assert "text" in error["fields"]
    unknown = client.post(
        f"/api/v1/workshops/{row.slug}/ideas", json={"category": "idea", "text": "abcd", "x": 1}
    )
    assert unknown.status_code == 422
    assert db.session.scalar(select(Idea.id).where(Idea.text == "abcd")) is None


def test_dots_are_cast_and_withdrawn_through_the_api(client, session):
    row = workshop(dots_per_participant=1)
    target, other = idea(row), idea(row)
    _token_client(client, factories.user())
    cast = client.post(f"/api/v1/workshops/{row.slug}/ideas/{target.id}/dots")
    assert cast.get_json() == {"idea_id": target.id, "my_dots": 1, "dots_left": 0}
    assert_error(
        client.post(f"/api/v1/workshops/{row.slug}/ideas/{other.id}/dots"), 409, "vote.no_dots_left"
    )
    ideas = client.get(f"/api/v1/workshops/{row.slug}/ideas").get_json()
    assert [(i["id"], i["dots"], i["my_dots"]) for i in ideas] == [
        (target.id, 1, 1),
        (other.id, 0, 0),
    ]
    withdrawn = client.delete(f"/api/v1/workshops/{row.slug}/ideas/{target.id}/dots")
    assert withdrawn.get_json()["dots_left"] == 1
    assert_error(
        client.delete(f"/api/v1/workshops/{row.slug}/ideas/{target.id}/dots"), 409, "vote.none"
    )
    foreign = idea(workshop())
    assert_error(
        client.post(f"/api/v1/workshops/{row.slug}/ideas/{foreign.id}/dots"), 404, "idea.not_found"
    )


def test_requirements_are_served_once_published(client, session):
    row = workshop()
    posted = idea(row)
    synthesis.save_requirement(
        creator(row),
        row.id,
        {
            "role": "habitante",
            "goal": "de l'ombre",
            "benefit": "attendre au frais",
            "priority": "must",
            "ideas": [posted.id],
        },
    )
    assert_error(
        client.get(f"/api/v1/workshops/{row.slug}/requirements"), 404, "requirements.not_published"
    )
    synthesis.publish(creator(row), row.id)
    body = client.get(f"/api/v1/workshops/{row.slug}/requirements").get_json()
    assert body["requirements"][0]["priority"] == "must"
    assert body["hidden_contributors"] == 1 and body["contributors"] == []


def test_the_openapi_document_describes_the_workshop_endpoints(client, session):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/workshops",
        "/api/v1/workshops/{slug}",
        "/api/v1/workshops/{slug}/ideas",
        "/api/v1/workshops/{slug}/ideas/{idea_id}/dots",
        "/api/v1/workshops/{slug}/requirements",
    ):
        assert path in spec["paths"], path
    dots = spec["paths"]["/api/v1/workshops/{slug}/ideas/{idea_id}/dots"]
    assert {"post", "delete"} <= set(dots)
    assert "409" in dots["post"]["responses"]
    validate(spec)


def test_an_idea_retried_with_its_idempotency_key_is_posted_once(client, session):
    row = workshop()
    _token_client(client, factories.user())
    url = f"/api/v1/workshops/{row.slug}/ideas"
    body, key = {"category": "idea", "text": "Des bancs à l'ombre"}, {"Idempotency-Key": "idea-1"}
    first = client.post(url, json=body, headers=key)
    again = client.post(url, json=body, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(db.session.scalars(select(Idea).where(Idea.workshop_id == row.id)).all()) == 1
