"""Every setting once, with its default; values come from the environment."""

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the configuration cannot start the application."""


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_database_url(url):
    # A bare postgresql:// picks psycopg2 on SQLAlchemy 2.0; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key(instance_path, production):
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. In production (FABRIQUE_ENV=production) set SECRET_KEY to a "
            "long random value, for example: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    # Development: generate once and keep it, so sessions survive restarts.
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path, overrides=None):
    """Build the configuration mapping from the environment and optional overrides."""
    overrides = dict(overrides or {})
    env = overrides.pop("FABRIQUE_ENV", os.environ.get("FABRIQUE_ENV", "development"))
    production = env == "production"
    testing = bool(overrides.get("TESTING", False))
    database_url = _normalise_database_url(
        overrides.pop("DATABASE_URL", None)
        or os.environ.get("DATABASE_URL")
        or "sqlite:///fabrique.sqlite"
    )
    cfg = {
        "FABRIQUE_ENV": env,
        "SECRET_KEY": overrides.pop("SECRET_KEY", None) or _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Redis: jobs, rate limits. Unset means jobs run inline and limits are kept in memory.
        "REDIS_URL": overrides.pop("REDIS_URL", os.environ.get("REDIS_URL") or None),
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "fabrique"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or os.path.join(instance_path, "uploads"),
        # Where `flask backup` writes its archives when no path is given.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR") or os.path.join(instance_path, "backups"),
        # Where to report a vulnerability (a mailto: or https: address), published in
        # /.well-known/security.txt (RFC 9116); unset means no such file (404).
        "SECURITY_CONTACT": os.environ.get("SECURITY_CONTACT") or None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)),
        # Base map tiles: the only third-party origin a page may load from.
        "TILE_URL": os.environ.get("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        # Mail: "file" writes .eml files under MAIL_FILE_DIR; "smtp" sends through MAIL_SERVER.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if production else "file"),
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR") or os.path.join(instance_path, "mail"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Fabrique <noreply@localhost>"
        ),
        # Public address used in e-mails (links) when there is no request to read it from.
        "SERVER_NAME_FOR_MAIL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Version of the contribution licence users accept at sign-up.
        "CONTRIBUTION_LICENCE_VERSION": os.environ.get("CONTRIBUTION_LICENCE_VERSION", "2026-1"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLALCHEMY_RECORD_QUERIES": False,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Paris"),
        "LANGUAGES": ["fr", "en"],
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in before_request, except for token-authenticated API calls
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_I18N_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "AUTH_RATE_LIMIT": os.environ.get("AUTH_RATE_LIMIT", "10 per minute;50 per hour"),
        # werkzeug hash method; tests use a cheap one, production keeps scrypt.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "EMAIL_TOKEN_MAX_AGE": 60 * 60 * 48,
        "PASSWORD_RESET_MAX_AGE": 60 * 60 * 2,
        # Reverse proxies whose X-Forwarded-* headers are trusted (0: none).
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", 0)),
        "FORCE_HTTPS": production and _env_bool("FORCE_HTTPS", True),
        "API_TITLE": "Fabrique API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "TESTING": testing,
    }
    cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    cfg.update(overrides)
    return cfg
