"""The moderation pipeline, the dataset backlog and catalogue, hackathons and app proposals.

Uses only the webapp kernel; domains describe their kinds of submission through
`crowdsourcing.registry`, filled in their own `init_app`.
"""

import click
from flask.cli import with_appcontext


@click.command("moderation-digest")
@with_appcontext
def moderation_digest():
    """Queue the moderators' digest e-mail (run it daily, e.g. from cron)."""
    from crowdsourcing import jobs as pipeline_jobs
    from webapp import jobs
    from webapp.db import unit_of_work

    with unit_of_work():
        job = jobs.enqueue_after_commit(pipeline_jobs.send_digest)
    click.echo(f"Digest queued as job {job.id}.")


@click.command("backlog-reminders")
@with_appcontext
def backlog_reminders():
    """Queue the mail reminding data stewards of overdue backlog items (run it daily)."""
    from crowdsourcing import jobs as pipeline_jobs
    from webapp import jobs
    from webapp.db import unit_of_work

    with unit_of_work():
        job = jobs.enqueue_after_commit(pipeline_jobs.send_backlog_reminders)
    click.echo(f"Backlog reminders queued as job {job.id}.")


def init_app(app):
    """Register the pipeline's kinds, pages, API, commands and personal-data hooks."""
    from crowdsourcing import api, backlog_api, demo, privacy, views
    from crowdsourcing.services import backlog, requests  # noqa: F401  (register their kinds)
    from webapp import demo as kernel_demo
    from webapp.extensions import api as rest_api

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.bp)
    rest_api.register_blueprint(backlog_api.bp)
    app.cli.add_command(moderation_digest)
    app.cli.add_command(backlog_reminders)
    privacy.register()
    if demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(demo.seed)
