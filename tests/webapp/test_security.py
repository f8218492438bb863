"""Configuration safety, security headers and assets served by the app itself."""

import re
from pathlib import Path

import pytest

from webapp.config import ConfigError
from webapp.factory import create_app

ROOT = Path(__file__).resolve().parents[2]
CDN = re.compile(
    r"https?://(cdn\.|unpkg\.com|cdnjs\.|code\.jquery\.com|fonts\.googleapis|stackpath\.)"
)


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FABRIQUE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FABRIQUE_ENV", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("FABRIQUE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example.org/fabrique")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_pages_carry_a_strict_content_security_policy(client, app):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "https://tile.openstreetmap.org" in csp.split("img-src")[1].split(";")[0]
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_load_nothing_from_a_cdn():
    offenders = []
    for package in ("webapp", "crowdsourcing", "mapping", "workshops"):
        for path in (ROOT / package).rglob("*"):
            if "vendor" in path.parts or path.suffix not in {".html", ".py", ".js", ".css", ".txt"}:
                continue
            if CDN.search(path.read_text(errors="ignore")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_templates_use_no_inline_script_or_style():
    for path in (ROOT / "webapp" / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert " style=" not in text and "<style" not in text, path
        assert not re.search(r"\son[a-z]+=", text), path


def test_vendored_assets_keep_their_licences():
    vendor = ROOT / "webapp" / "static" / "vendor"
    for name in ("bootstrap", "leaflet", "swagger-ui"):
        assert (vendor / name / "LICENSE").exists(), name


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("/events/", True),
        ("/events/?a=1#x", True),
        ("//evil.example.org", False),
        ("/\\evil.example.org", False),
        ("https://evil.example.org/", False),
        ("javascript:alert(1)", False),
        ("/ok\r\nSet-Cookie: x", False),
        ("", False),
    ],
)
def test_only_local_paths_are_redirect_targets(target, local):
    from webapp.urls import is_local

    assert is_local(target) is local


def test_proxy_headers_are_trusted_only_when_configured(tmp_path):
    for count, expected in ((0, "http"), (1, "https")):
        app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k", "PROXY_COUNT": count})

        @app.get("/scheme")
        def scheme():
            from flask import request

            return request.scheme

        response = app.test_client().get("/scheme", headers={"X-Forwarded-Proto": "https"})
        assert response.text == expected


def test_rate_limits_are_kept_in_redis_when_redis_is_configured(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "k",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/14"
    plain = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k", "REDIS_URL": None})
    assert plain.config["RATELIMIT_STORAGE_URI"] == "memory://"
