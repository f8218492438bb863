"""Language selection: the user's choice, else a cookie, else the browser, else French."""

from flask import current_app, has_request_context, request
from flask_login import current_user

from webapp.extensions import babel

LOCALE_COOKIE = "fabrique_locale"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI and jobs: mails pick their recipient's language with force_locale.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and user.locale in languages:
        return user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in languages:
        return cookie
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_app(app):
    babel.init_app(app, locale_selector=select_locale)
