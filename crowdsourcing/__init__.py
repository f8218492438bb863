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


@click.command("import-catalogue")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", default="import:cli", help="Recorded on each dataset.")
@click.option(
    "--as", "email", default=None, help="Acting moderator or admin (default: first admin)."
)
@with_appcontext
def import_catalogue(path, source, email):
    """Import an open-data portal's catalogue CSV (idempotent); print the rejected rows."""
    from crowdsourcing.services import catalogue
    from webapp.errors import ValidationError

    actor = _actor(email)
    with open(path, "rb") as handle:
        try:
            rows = catalogue.parse(handle.read())
        except ValidationError as error:
            messages = [str(m) for ms in (error.fields or {}).values() for m in ms]
            raise click.ClickException(" ".join(messages) or str(error.message)) from None
    report = catalogue.import_rows(actor, rows, source)
    reasons = catalogue.reason_labels()
    counts = {}
    for line in report:
        counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
        if line["outcome"] == "rejected":
            click.echo(f"line {line['line']}: {reasons[line['reason']]}")
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


@click.command("import-hackathon")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", default=None, help="Acting organiser (default: first admin).")
@with_appcontext
def import_hackathon(path, email):
    """Import a dribdat Data Package as a hackathon (idempotent, usernames pseudonymised)."""
    from crowdsourcing.services import hackathon_import
    from webapp.errors import ValidationError

    actor = _actor(email)
    with open(path, "rb") as handle:
        try:
            package = hackathon_import.parse(handle.read())
        except ValidationError as error:
            messages = [str(m) for ms in (error.fields or {}).values() for m in ms]
            raise click.ClickException(" ".join(messages) or str(error.message)) from None
    hackathon, report = hackathon_import.import_package(actor, package)
    reasons, counts = hackathon_import.reason_labels(), {}
    for line in report:
        key = f"{line['resource']} {line['outcome']}"
        counts[key] = counts.get(key, 0) + 1
        if line["outcome"] == "rejected":
            click.echo(f"{line['resource']} row {line['row']}: {reasons[line['reason']]}")
    click.echo(f"{hackathon.title} (/hackathons/{hackathon.slug})")
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


def _actor(email):
    from sqlalchemy import select

    from webapp.accounts.models import ADMIN, User, UserRole
    from webapp.extensions import db

    condition = User.email == email if email else UserRole.role == ADMIN
    query = select(User).join(UserRole).where(condition)
    actor = db.session.scalar(query.order_by(User.id).limit(1))
    if actor is None:
        raise click.ClickException("No such moderator or admin; create one first.")
    return actor


def init_app(app):
    """Register the pipeline's kinds, pages, API, commands and personal-data hooks."""
    from crowdsourcing import (
        api,
        backlog_api,
        catalogue_api,
        comments_api,
        demo,
        hackathon_demo,
        hackathons_api,
        privacy,
        proposals_api,
        search_sources,
        views,
    )
    from crowdsourcing.services import (  # noqa: F401  (register their kinds)
        backlog,
        comments,
        hackathons,
        jury,
        proposals,
        requests,
        teams,
    )
    from webapp import demo as kernel_demo
    from webapp.extensions import api as rest_api

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.bp)
    rest_api.register_blueprint(backlog_api.bp)
    rest_api.register_blueprint(catalogue_api.bp)
    rest_api.register_blueprint(comments_api.bp)
    rest_api.register_blueprint(hackathons_api.bp)
    rest_api.register_blueprint(proposals_api.bp)
    app.cli.add_command(import_catalogue)
    app.cli.add_command(import_hackathon)
    app.cli.add_command(moderation_digest)
    app.cli.add_command(backlog_reminders)
    privacy.register()
    search_sources.register()
    if demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(demo.seed)
    if hackathon_demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(hackathon_demo.seed)
