"""Co-design workshops, sessions, ideas, dot votes and requirements documents."""


def init_app(app):
    """Attach this package to the application (blueprints arrive with their issues)."""
