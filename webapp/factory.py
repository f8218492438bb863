"""The application factory: the composition root, the only module importing every package."""

import logging
import os

from flask import Flask

from webapp import config as config_module
from webapp.extensions import api, db, limiter, migrate
from webapp.urls import IdConverter, TextConverter


def create_app(test_config=None):
    """Build the Flask application from the environment, with optional overrides for tests."""
    app = Flask("webapp", instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "FABRIQUE_INSTANCE", app.instance_path
    )
    app.instance_path = instance_path
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.load(app.instance_path, test_config))
    _configure_engine_options(app)
    logging.basicConfig(level=logging.INFO if not app.testing else logging.WARNING)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    _init_extensions(app)
    _register_packages(app)
    return app


def _configure_engine_options(app):
    from webapp.db import sqlite_engine_options

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if url.startswith("sqlite"):
        options.update(sqlite_engine_options(url))
    elif url.startswith("postgresql"):
        # An unreachable server fails the request (503) instead of hanging it.
        connect_args = {"connect_timeout": 5, **options.get("connect_args", {})}
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_extensions(app):
    from webapp import errors, i18n, inputs, security
    from webapp.alembic_support import MIGRATE_KWARGS
    from webapp.db import configure_engine

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
        render_as_batch=app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"),
        **MIGRATE_KWARGS,
    )
    i18n.init_app(app)
    security.init_app(app)
    inputs.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    api.init_app(app)


def _register_packages(app):
    import crowdsourcing
    import mapping
    import workshops
    from webapp import api as api_root
    from webapp import cli, web
    from webapp.accounts import admin_views
    from webapp.accounts import views as account_views
    from webapp.notifications import views as notification_views
    from webapp.privacy import views as privacy_views
    from webapp.profiles import admin_views as profile_admin_views
    from webapp.profiles import views as profile_views
    from webapp.registrations import views as registration_views
    from webapp.search import views as search_views

    web.init_app(app)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(notification_views.bp)
    app.register_blueprint(registration_views.bp)
    app.register_blueprint(profile_views.bp)
    app.register_blueprint(profile_admin_views.bp)
    app.register_blueprint(privacy_views.bp)
    api_root.init_app(app)
    api.register_blueprint(search_views.api_bp)
    cli.init_app(app)
    for package in (crowdsourcing, mapping, workshops):
        package.init_app(app)
