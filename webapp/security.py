"""Session and token authentication, CSRF, rate limits and security headers."""

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from sqlalchemy import select

from webapp.extensions import csrf, db, login_manager

talisman = Talisman()


def _tile_origin(tile_url):
    from urllib.parse import urlsplit

    parts = urlsplit(tile_url.replace("{s}", "a"))
    if not parts.scheme:
        return None
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
    return f"{parts.scheme}://{host}"


def content_security_policy(app):
    """Only the app itself, plus the tile server for images."""
    img = ["'self'", "data:", "blob:"]
    origin = _tile_origin(app.config["TILE_URL"])
    if origin:
        img.append(origin)
    return {
        "default-src": "'self'",
        "img-src": img,
        "script-src": "'self'",
        "style-src": "'self'",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def _load_user(user_id):
    from webapp.accounts.models import User

    uid, _, token = (user_id or "").partition(":")
    if not uid.isdigit():
        return None
    user = db.session.scalar(select(User).where(User.id == int(uid)))
    # A changed session token (password change, log out everywhere) ends old sessions.
    if user is None or not token or user.session_token != token or not user.is_active:
        return None
    return user


def _bad_token_limits():
    """The log-in limit (AUTH_RATE_LIMIT) also bounds wrong API tokens, per address."""
    from flask import current_app
    from limits import parse_many

    from webapp.extensions import limiter

    if not (limiter.enabled and limiter.initialized):
        return []
    key = (limiter._key_prefix or "", "bad-api-token", get_remote_address())
    return [(item, key) for item in parse_many(current_app.config["AUTH_RATE_LIMIT"])]


def _bearer_token(req):
    scheme, _, value = req.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _refuse_tokens_past_the_limit():
    """Past the limit of wrong tokens, no token from this address is even looked at."""
    from flask import abort

    from webapp.extensions import limiter

    if _bearer_token(request) is None:
        return
    if any(not limiter.limiter.test(item, *key) for item, key in _bad_token_limits()):
        g.tokens_refused = True  # the error page must not look the token up either
        abort(429)


def _load_user_from_request(req):
    from webapp.accounts import services as accounts
    from webapp.extensions import limiter

    token = _bearer_token(req)
    if token is None or g.get("tokens_refused"):
        return None
    user = accounts.user_for_token(token)
    if user is None:
        for item, key in _bad_token_limits():
            limiter.limiter.hit(item, *key)
        return None
    g.token_auth = True
    return user


def _csrf_unless_token():
    from flask import current_app

    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    # Scripts authenticate with a bearer token and carry no cookie: CSRF does not apply.
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    csrf.protect()


def api_user():
    """The authenticated user of an API call (session or token), or a 401 in the one error shape."""
    from flask import abort
    from flask_login import current_user

    if not current_user.is_authenticated:
        abort(401)
    return current_user._get_current_object()


def _unauthorized():
    from flask import abort, flash, redirect, url_for

    from webapp.errors import wants_json

    if wants_json():
        abort(401)
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def init_app(app):
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.unauthorized_handler(_unauthorized)
    csrf.init_app(app)
    app.before_request(_refuse_tokens_past_the_limit)
    app.before_request(_csrf_unless_token)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=content_security_policy(app),
        # Maps are built by folium, whose per-map script and style are inline: they carry
        # the request's nonce (see mapping.maps); nothing else inline is allowed.
        content_security_policy_nonce_in=["script-src", "style-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        strict_transport_security=app.config["FABRIQUE_ENV"] == "production",
        permissions_policy={"geolocation": "(self)", "camera": "(self)", "microphone": "()"},
    )
