"""Workshops in the JSON API: workshops with their sessions, ideas, dot votes and the
requirements document. Registration answers are never served here."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate

from webapp import idempotency
from webapp.errors import NotFound
from webapp.profiles import visibility
from webapp.schemas import StrictSchema, error_responses
from webapp.security import api_user
from workshops import document, policies, queries
from workshops.models import CATEGORIES, PRIORITIES, STATUSES
from workshops.services import ideas, votes

bp = Blueprint(
    "api_workshops",
    __name__,
    url_prefix="/api/v1",
    description="Co-design workshops: sessions, ideas, dot votes, requirements",
)


class SessionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    event_id = ma.fields.Integer(
        required=True,
        metadata={"description": "Register with PUT /api/v1/events/{event_id}/registration"},
    )
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    address = ma.fields.String(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    online_url = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(required=True)
    agenda = ma.fields.String(allow_none=True)
    minutes = ma.fields.String(allow_none=True)
    url = ma.fields.String(required=True)


class WorkshopSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    question = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    audience = ma.fields.String(allow_none=True)
    accessibility = ma.fields.String(allow_none=True)
    department = ma.fields.String(allow_none=True, metadata={"description": "Department slug"})
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    dots_per_participant = ma.fields.Integer(required=True)
    backlog_items = ma.fields.List(ma.fields.Integer(), required=True)
    inventory_urls = ma.fields.List(ma.fields.String(), required=True)
    requirements_published = ma.fields.Boolean(required=True)
    url = ma.fields.String(required=True)


class WorkshopDetailSchema(WorkshopSchema):
    sessions = ma.fields.List(ma.fields.Nested(SessionSchema), required=True)


class IdeaQuerySchema(ma.Schema):
    category = ma.fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))


class IdeaInSchema(StrictSchema):
    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    text = ma.fields.String(required=True, metadata={"description": "3 to 2000 characters"})
    needs_data = ma.fields.Boolean(load_default=False)
    session_id = ma.fields.Integer(load_default=None)
    lon = ma.fields.Float(load_default=None)
    lat = ma.fields.Float(load_default=None)


class IdeaSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    author = ma.fields.String(
        required=True, metadata={"description": "As the author's privacy settings allow"}
    )
    needs_data = ma.fields.Boolean(required=True)
    session_id = ma.fields.Integer(allow_none=True)
    theme = ma.fields.String(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    dots = ma.fields.Integer(required=True, metadata={"description": "Dots placed by everyone"})
    my_dots = ma.fields.Integer(required=True)
    dataset_request_id = ma.fields.Integer(allow_none=True)
    submission_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "Report it at /submissions/{id}/flags"}
    )
    created_at = ma.fields.DateTime(required=True)


class VoteStateSchema(ma.Schema):
    idea_id = ma.fields.Integer(required=True)
    my_dots = ma.fields.Integer(required=True, metadata={"description": "Your dots on this idea"})
    dots_left = ma.fields.Integer(required=True, metadata={"description": "Your dots left"})


class RequirementSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    priority = ma.fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    role = ma.fields.String(required=True, metadata={"description": "As a …"})
    goal = ma.fields.String(required=True, metadata={"description": "I want …"})
    benefit = ma.fields.String(required=True, metadata={"description": "so that …"})
    ideas = ma.fields.List(ma.fields.Integer(), required=True)


class RequirementsSchema(ma.Schema):
    published_at = ma.fields.DateTime(allow_none=True)
    intro = ma.fields.String(allow_none=True)
    requirements = ma.fields.List(ma.fields.Nested(RequirementSchema), required=True)
    contributors = ma.fields.List(ma.fields.String(), required=True)
    hidden_contributors = ma.fields.Integer(
        required=True, metadata={"description": "Contributors who keep their name private"}
    )


def session_body(row):
    event = row.registration_list
    return {
        "id": row.id,
        "title": row.title,
        "event_id": event.id,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "address": event.address,
        "lon": event.lon,
        "lat": event.lat,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "agenda": row.agenda,
        "minutes": row.minutes,
        "url": url_for("workshops.session", session_id=row.id, _external=True),
    }


def workshop_body(workshop, with_sessions=False):
    body = {
        "slug": workshop.slug,
        "title": workshop.title,
        "question": workshop.question,
        "description": workshop.description,
        "audience": workshop.audience,
        "accessibility": workshop.accessibility,
        "department": workshop.department.slug if workshop.department else None,
        "status": workshop.status,
        "dots_per_participant": workshop.dots_per_participant,
        "backlog_items": [link.backlog_item_id for link in workshop.backlog_links],
        "inventory_urls": list(workshop.inventory_urls or []),
        "requirements_published": workshop.requirements_published_at is not None,
        "url": url_for("workshops.detail", slug=workshop.slug, _external=True),
    }
    if with_sessions:
        body["sessions"] = [session_body(s) for s in queries.sessions_of(workshop.id)]
    return body


def idea_body(idea, totals, mine):
    submission = ideas.submission_of(ideas.KIND, idea.id)
    return {
        "id": idea.id,
        "category": idea.category,
        "text": idea.text,
        "author": (
            visibility.display_name(current_user, idea.author)
            if idea.author
            else _("Deleted account")
        ),
        "needs_data": idea.needs_data,
        "session_id": idea.session_id,
        "theme": idea.theme.name if idea.theme else None,
        "lon": idea.lon,
        "lat": idea.lat,
        "dots": totals.get(idea.id, 0),
        "my_dots": mine.get(idea.id, 0),
        "dataset_request_id": idea.dataset_request_id,
        "submission_id": submission.id if submission else None,
        "created_at": idea.created_at,
    }


@bp.route("/workshops")
class WorkshopsResource(MethodView):
    @bp.response(200, WorkshopSchema(many=True))
    def get(self):
        """Published workshops (open ones first)."""
        return [workshop_body(w) for w, _first in queries.published()]


@bp.route("/workshops/<slug>")
class WorkshopResource(MethodView):
    @bp.response(200, WorkshopDetailSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """One workshop with its sessions (register through the events API)."""
        return workshop_body(queries.workshop_by_slug(current_user, slug), with_sessions=True)


@bp.route("/workshops/<slug>/ideas")
class IdeasResource(MethodView):
    @bp.arguments(IdeaQuerySchema, location="query")
    @bp.response(200, IdeaSchema(many=True))
    @error_responses(bp, 404)
    def get(self, args, slug):
        """The workshop's visible ideas, most dots first."""
        workshop = queries.workshop_by_slug(current_user, slug)
        totals = queries.dots_by_idea(workshop.id)
        mine, _left = queries.my_dots(current_user, workshop.id)
        rows = queries.visible_ideas(workshop.id, category=args["category"])
        return [idea_body(i, totals, mine) for i in queries.ranked(rows, totals)]

    @bp.arguments(IdeaInSchema)
    @bp.response(201, IdeaSchema)
    @bp.doc(parameters=[idempotency.OPENAPI_PARAMETER])
    @error_responses(bp, 401, 403, 404, 422)
    def post(self, data, slug):
        """Post an idea, a need or a pain point (open workshops, members); shown at once.

        With an `Idempotency-Key` header, a retry gets the same idea back, never a second one.
        """
        actor = api_user()
        key = idempotency.key_from_request()
        workshop = queries.workshop_by_slug(actor, slug)
        idea, _replayed = idempotency.run_once(
            actor,
            key,
            f"idea:{workshop.id}",
            data,
            lambda: ideas.post(actor, workshop.id, data),
            lambda idea_id: queries.visible_idea(actor, idea_id),
        )
        return idea_body(idea, {}, {})


def _idea_in(slug, idea_id):
    workshop = queries.workshop_by_slug(current_user, slug)
    idea = queries.visible_idea(current_user, idea_id)
    if idea.workshop_id != workshop.id:
        raise NotFound("idea.not_found")
    return idea


@bp.route("/workshops/<slug>/ideas/<int:idea_id>/dots")
class DotsResource(MethodView):
    @bp.response(200, VoteStateSchema)
    @error_responses(bp, 401, 403, 404, 409)
    def post(self, slug, idea_id):
        """Put one of your dots on the idea (several on one idea are allowed)."""
        actor = api_user()
        idea = _idea_in(slug, idea_id)
        mine, left = votes.cast(actor, idea.id)
        return {"idea_id": idea.id, "my_dots": mine, "dots_left": left}

    @bp.response(200, VoteStateSchema)
    @error_responses(bp, 401, 403, 404, 409)
    def delete(self, slug, idea_id):
        """Take one of your dots back from the idea."""
        actor = api_user()
        idea = _idea_in(slug, idea_id)
        mine, left = votes.withdraw(actor, idea.id)
        return {"idea_id": idea.id, "my_dots": mine, "dots_left": left}


@bp.route("/workshops/<slug>/requirements")
class RequirementsResource(MethodView):
    @bp.response(200, RequirementsSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """The published requirements document (user stories with MoSCoW priorities)."""
        workshop = queries.workshop_by_slug(current_user, slug)
        if not policies.can_view_requirements(current_user, workshop):
            raise NotFound("requirements.not_published")
        doc = document.build(current_user, workshop)
        return {
            "published_at": workshop.requirements_published_at,
            "intro": workshop.requirements_intro,
            "requirements": [
                {
                    "id": row["requirement"].id,
                    "priority": row["requirement"].priority,
                    "role": row["requirement"].role,
                    "goal": row["requirement"].goal,
                    "benefit": row["requirement"].benefit,
                    "ideas": [i.id for i in row["ideas"]],
                }
                for section in doc["sections"]
                for row in section["rows"]
            ],
            "contributors": doc["contributors"],
            "hidden_contributors": doc["hidden_contributors"],
        }
