"""Flask extensions, created unbound and initialised by the factory."""

from flask import current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _SmorestApi
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from webapp.validation import integer_range

# Stable constraint names, so migrations can refer to them on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Api(_SmorestApi):
    """flask-smorest Api whose errors go through webapp.errors (one error shape)."""

    from webapp.schemas import ErrorSchema as ERROR_SCHEMA  # documents the one error shape

    def _init_spec(self, *args, **kwargs):
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(integer_range)

    def _register_error_handlers(self):
        # webapp.errors registers the handlers for HTML and JSON alike.
        pass


class _PerApp:
    """An attribute of the limiter kept per application (in app.extensions), not globally."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        state = _limiter_state()
        if state is not None and self.name in state:
            return state[self.name]
        return obj.__dict__.get(self.name)

    def __set__(self, obj, value):
        state = _limiter_state()
        (state if state is not None else obj.__dict__)[self.name] = value


def _limiter_state():
    if not has_app_context():
        return None
    return current_app.extensions.setdefault("fabrique_limiter", {})


class PerAppLimiter(Limiter):
    """Flask-Limiter keeps its storage and switches on the instance: the last app initialised
    would win. Here each app (production: one; tests: one per backend, one with Redis) keeps
    its own, while the decorators stay declared once on the shared object."""

    enabled = _PerApp()
    initialized = _PerApp()
    _storage = _PerApp()
    _limiter = _PerApp()
    _storage_dead = _PerApp()
    _fallback_limiter = _PerApp()
    _fallback_storage = _PerApp()
    _key_prefix = _PerApp()

    def init_app(self, app):
        with app.app_context():
            super().init_app(app)


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = PerAppLimiter(key_func=get_remote_address, default_limits=[])
api = Api()
