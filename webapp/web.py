"""Site-wide pages: home, language switch, health check, uploaded files, template globals."""

import posixpath

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import settings
from webapp.accounts import policies
from webapp.accounts import services as accounts
from webapp.accounts.labels import role_labels
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.i18n import LOCALE_COOKIE
from webapp.profiles import visibility
from webapp.urls import is_local

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    from flask import render_template

    from webapp.registrations import queries as registration_queries

    upcoming = registration_queries.upcoming(limit=5)
    return render_template("home.html", upcoming=upcoming)


@bp.get("/accessibilite")
def accessibility():
    """The accessibility statement that the footer of every page links to (RGAA)."""
    from flask import render_template

    return render_template("accessibility.html")


@bp.get("/.well-known/security.txt")
def security_txt():
    """Where to report a vulnerability (RFC 9116), when the deployment names a contact."""
    from datetime import timedelta

    from flask import Response, current_app, url_for

    from webapp.db import utcnow

    contact = current_app.config.get("SECURITY_CONTACT")
    if not contact:
        raise NotFound("security.not_configured")
    if "@" in contact and not contact.startswith(("mailto:", "https:")):
        contact = f"mailto:{contact}"
    expires = (utcnow() + timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires}",
        "Preferred-Languages: fr, en",
        f"Canonical: {url_for('web.security_txt', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database=db.engine.dialect.name)


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError("locale.invalid", fields={"locale": ["fr, en"]})
    if current_user.is_authenticated:
        accounts.set_locale(current_user, locale)
    target = request.form.get("next") or url_for("web.home")
    if not is_local(target):
        target = url_for("web.home")
    response = redirect(target)
    response.set_cookie(
        LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


# Only these folders of UPLOAD_DIR are public; avatars and exports have their own,
# permission-checked routes.
PUBLIC_UPLOADS = ("institution/",)


@bp.get("/uploads/<path:filename>")
def uploaded_file(filename):
    normalised = posixpath.normpath(filename)
    if normalised != filename or not normalised.startswith(PUBLIC_UPLOADS):
        raise NotFound("upload.not_found")
    return send_from_directory(current_app.config["UPLOAD_DIR"], filename)


def _template_globals():
    user = current_user if has_request_context() else None
    return {
        "institution": settings.current(),
        "can": lambda permission: policies.can(user, permission),
        "role_label": lambda role: role_labels().get(role, role),
        "person_name": lambda person: visibility.display_name(user, person),
        "current_locale": str(get_locale()),
        "unread_notifications": _unread_count(user),
    }


def _unread_count(user):
    if user is None or not user.is_authenticated:
        return 0
    from webapp.notifications import queries

    try:
        return queries.unread_count(user)
    except SQLAlchemyError:
        # An error page must still render when the database is down.
        db.session.rollback()
        return 0


def init_app(app):
    app.register_blueprint(bp)
    app.context_processor(_template_globals)
