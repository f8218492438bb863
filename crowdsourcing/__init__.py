"""The moderation pipeline, the dataset backlog and catalogue, hackathons and app proposals.

Uses only the webapp kernel; domains describe their kinds of submission through
`crowdsourcing.registry`, filled in their own `init_app`.
"""


def init_app(app):
    """Attach this package to the application (blueprints arrive with their issues)."""
