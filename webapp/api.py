"""The JSON API root: jobs, the current user, tokens, notifications, events, and the docs page."""

from flask import render_template
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from webapp.accounts import policies
from webapp.accounts import services as accounts
from webapp.accounts.models import ApiToken
from webapp.errors import NotFound
from webapp.extensions import api, db
from webapp.models import Job
from webapp.notifications import queries as notification_queries
from webapp.notifications import services as notifications
from webapp.registrations import queries as registration_queries
from webapp.registrations import services as registrations
from webapp.registrations.models import RegistrationList
from webapp.schemas import (
    EventSchema,
    JobSchema,
    MeSchema,
    NewTokenSchema,
    NotificationSchema,
    RegistrationSchema,
    TokenCreateSchema,
    TokenSchema,
    error_responses,
)
from webapp.security import api_user

bp = Blueprint("api_core", __name__, url_prefix="/api/v1", description="Accounts, jobs, events")
docs = Blueprint("api_docs", __name__)


def job_body(job):
    """A job as the API shows it (JobSchema)."""
    return {
        "id": job.id,
        "name": job.name.rsplit(".", 1)[-1],
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "failed": job.status == "failed",
        "created_at": job.created_at,
        "started_at": job.started_at,
        "ended_at": job.ended_at,
    }


@bp.route("/jobs/<job_id>")
class JobResource(MethodView):
    @bp.response(200, JobSchema)
    @error_responses(bp, 401, 404)
    def get(self, job_id):
        """Follow a background job: status and progress (0-100)."""
        user = api_user()
        job = db.session.get(Job, job_id)
        if job is None or not policies.can_view_job(user, job):
            raise NotFound("job.not_found")
        return job_body(job)


@bp.route("/me")
class MeResource(MethodView):
    @bp.response(200, MeSchema)
    @error_responses(bp, 401)
    def get(self):
        """The authenticated user."""
        user = api_user()
        department = user.department
        return {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "locale": user.locale,
            "roles": sorted(user.roles),
            "department": {"slug": department.slug, "name": department.name(user.locale)}
            if department
            else None,
            "unread_notifications": notification_queries.unread_count(user),
        }


@bp.route("/tokens")
class TokensResource(MethodView):
    @bp.response(200, TokenSchema(many=True))
    @error_responses(bp, 401)
    def get(self):
        """Your personal API tokens (never their secret)."""
        user = api_user()
        return db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).all()

    @bp.arguments(TokenCreateSchema)
    @bp.response(201, NewTokenSchema)
    @error_responses(bp, 401, 422)
    def post(self, data):
        """Create a personal API token; its secret is in this response only."""
        user = api_user()
        token, plaintext = accounts.create_api_token(user, data["name"])
        fields = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
        return {**{name: getattr(token, name) for name in fields}, "token": plaintext}


@bp.route("/tokens/<int:token_id>")
class TokenResource(MethodView):
    @bp.response(204)
    @error_responses(bp, 401, 404)
    def delete(self, token_id):
        """Revoke one of your tokens."""
        accounts.revoke_api_token(api_user(), token_id)


@bp.route("/notifications")
class NotificationsResource(MethodView):
    @bp.response(200, NotificationSchema(many=True))
    @error_responses(bp, 401)
    def get(self):
        """Your latest notifications, newest first."""
        user = api_user()
        rows, _next = notification_queries.page_for(user, limit=50)
        return [
            {
                "id": n.id,
                "kind": n.kind,
                "text": notifications.render(n),
                "link": n.link,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in rows
        ]


@bp.route("/notifications/<int:notification_id>/read")
class NotificationReadResource(MethodView):
    @bp.response(204)
    @error_responses(bp, 401, 404)
    def post(self, notification_id):
        """Mark one notification as read."""
        notifications.mark_read(api_user(), notification_id)


@bp.route("/events")
class EventsResource(MethodView):
    @bp.response(200, EventSchema(many=True))
    def get(self):
        """Upcoming events that take registrations."""
        return registration_queries.upcoming(limit=100)


def _event(event_id):
    event = db.session.get(RegistrationList, event_id)
    if event is None or not (
        event.listed or policies.can_manage_registrations(current_user, event)
    ):
        raise NotFound("registration.list_not_found")
    return event


def _registration_body(registration):
    fields = ("id", "list_id", "status", "confirmed_at", "waitlisted_at")
    body = {name: getattr(registration, name) for name in fields}
    body["waitlist_position"] = registration_queries.waitlist_position(registration)
    return body


@bp.route("/events/<int:event_id>")
class EventResource(MethodView):
    @bp.response(200, EventSchema)
    @error_responses(bp, 404)
    def get(self, event_id):
        """One event."""
        return _event(event_id)


@bp.route("/events/<int:event_id>/registration")
class RegistrationResource(MethodView):
    @bp.response(200, RegistrationSchema)
    @error_responses(bp, 401, 404)
    def get(self, event_id):
        """Your registration for this event."""
        user = api_user()
        _event(event_id)
        registration = registration_queries.registration_of(user, event_id)
        if registration is None:
            raise NotFound("registration.not_found")
        return _registration_body(registration)

    @bp.response(201, RegistrationSchema)
    @error_responses(bp, 401, 404, 409, 422)
    def put(self, event_id):
        """Register: confirmed if a seat is free, else waitlisted."""
        registration = registrations.register(api_user(), event_id)
        return _registration_body(registration)

    @bp.response(200, RegistrationSchema)
    @error_responses(bp, 401, 404)
    def delete(self, event_id):
        """Cancel your registration; the first person waiting is promoted."""
        registration = registrations.cancel(api_user(), event_id)
        return _registration_body(registration)


@docs.get("/api/v1/docs")
def api_docs():
    return render_template("api/docs.html")


def init_app(app):
    from webapp.profiles import api as profiles_api

    api.register_blueprint(bp)
    api.register_blueprint(profiles_api.bp)
    app.register_blueprint(docs)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "Personal API token"}
    )
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    api.spec.options["security"] = [{"bearer": []}, {"session": []}]
