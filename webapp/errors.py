"""Typed domain errors and the one handler that answers HTML or JSON by path."""

import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the request; `code` is stable and never parsed from the message."""

    status = 400
    default_code = "error"
    default_message = _l("The request could not be processed.")

    def __init__(self, code=None, message=None, fields=None):
        self.code = code or self.default_code
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(str(self.code))


class ValidationError(DomainError):
    status = 422
    default_code = "validation"
    default_message = _l("Some fields are not valid.")


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _l("This page or object does not exist.")


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    default_message = _l("Someone changed this in the meantime; reload and try again.")


HTTP_MESSAGES = {
    400: _l("The request was not understood."),
    401: _l("You need to log in to do this."),
    403: _l("You are not allowed to do this."),
    404: _l("This page or object does not exist."),
    405: _l("This method is not allowed here."),
    409: _l("Someone changed this in the meantime; reload and try again."),
    413: _l("What you sent is too large."),
    415: _l("This type of content is not accepted."),
    422: _l("Some fields are not valid."),
    429: _l("Too many attempts. Wait a moment and try again."),
    500: _l("Something went wrong on our side. The team has been told."),
    503: _l("The service is temporarily unavailable."),
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def wants_json():
    """Say whether this request is answered in JSON (the API and job status)."""
    path = request.path
    return path.startswith(("/api/", "/ogc/")) or path == "/ogc"


def _stringify_fields(fields):
    """Flatten webargs/marshmallow messages into {field: [str, ...]}."""
    out = {}
    for location_or_field, value in (fields or {}).items():
        if location_or_field in ("json", "query", "form", "files", "headers", "view_args") and (
            isinstance(value, dict)
        ):
            out.update(_stringify_fields(value))
        elif isinstance(value, dict):
            for sub, msgs in _stringify_fields(value).items():
                out[f"{location_or_field}.{sub}"] = msgs
        elif isinstance(value, list | tuple):
            out[location_or_field] = [str(v) for v in value]
        else:
            out[location_or_field] = [str(value)]
    return out


def error_response(status, code, message, fields=None, headers=None):
    """Render one error as JSON or as an HTML page, according to the request path."""
    fields = _stringify_fields(fields)
    if wants_json():
        body = {"error": {"code": code, "message": str(message), "fields": fields}}
        response = jsonify(body)
    else:
        html = render_template(
            "errors/error.html", status=status, code=code, message=message, fields=fields
        )
        response = make_response(html)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_domain_error(error):
    return error_response(error.status, error.code, error.message, error.fields)


def handle_http_exception(error):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 429:
        headers.setdefault("Retry-After", "60")
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    message = HTTP_MESSAGES.get(status, error.description)
    if status == 400 and "CSRF" in (error.description or ""):
        message = _("This form has expired. Reload the page and try again.")
        return error_response(400, "csrf", message, None, headers)
    return error_response(status, HTTP_CODES.get(status, "http_error"), message, fields, headers)


def handle_unexpected(error):
    log.exception("Unhandled error on %s %s", request.method, request.path)
    from webapp.extensions import db

    db.session.rollback()
    return error_response(500, "internal_error", HTTP_MESSAGES[500])


RETRY_AFTER_SECONDS = "2"


def handle_database_unavailable(error):
    """The database went away (restart, fail-over, lost connection): 503, the client retries.

    The pool drops the broken connection; `pool_pre_ping` checks the next one out. Nothing
    here may touch the database again: the language comes from the cookie or the browser,
    not from the user's profile, and the page is a plain one, without the site's layout.
    """
    from flask import current_app
    from flask_babel import force_locale
    from markupsafe import escape

    from webapp.extensions import db
    from webapp.i18n import LOCALE_COOKIE

    log.warning("Database unavailable on %s %s: %s", request.method, request.path, error)
    try:
        db.session.rollback()
    except Exception:  # the connection is already gone
        db.session.close()
    languages = current_app.config["LANGUAGES"]
    locale = request.cookies.get(LOCALE_COOKIE)
    if locale not in languages:
        locale = request.accept_languages.best_match(languages) or languages[0]
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    with force_locale(locale):
        message = str(HTTP_MESSAGES[503])
        if wants_json():
            return error_response(503, "unavailable", message, headers=headers)
        title, retry = _("Temporarily unavailable"), _("Try again in a few seconds.")
    html = (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p><p>{escape(retry)}</p></main></body></html>"
    )
    return make_response(html, 503, headers)


def init_app(app):
    from sqlalchemy.exc import InterfaceError, OperationalError

    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_exception)
    if not (app.config.get("PROPAGATE_EXCEPTIONS") or app.testing):
        app.register_error_handler(Exception, handle_unexpected)
