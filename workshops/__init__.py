"""Co-design workshops, sessions, ideas, dot votes and requirements documents."""


def init_app(app):
    """Attach this package to the application."""
    from workshops import models  # noqa: F401  (tables known to the migrations)
