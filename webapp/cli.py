"""Command-line interface: `flask --app webapp <command>`."""

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp import demo
from webapp.accounts import services as accounts
from webapp.accounts.models import ROLES
from webapp.errors import DomainError


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", help="Display name (defaults to the e-mail's local part)")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), help="Repeatable")
@click.option("--department", help="Department slug (needed for data stewards)")
@click.option("--password", help="Defaults to a generated one, printed once")
@click.option("--locale", default="fr", type=click.Choice(["fr", "en"]))
@with_appcontext
def create_user(email, display_name, roles, department, password, locale):
    """Create a confirmed account with the given roles."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        local_part = email.split("@")[0]
        default_name = local_part if len(local_part) >= 2 else email
        user = accounts.create_user(
            email, password, display_name or default_name, roles, department, locale
        )
    except DomainError as error:
        details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from None
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.roles))}.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create demo users, departments and events; safe to run again."""
    report = demo.seed()
    for line in report:
        click.echo(line)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty")
@with_appcontext
def worker(burst):
    """Run an RQ worker with the application preloaded (faster than a bare `rq worker`)."""
    from rq import Worker

    from webapp.extensions import db
    from webapp.jobs import get_queue, recover

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
    queue = get_queue()
    # A worker restarted by its supervisor first re-queues what a dead worker left behind.
    for job_id in recover():
        click.echo(f"re-queued job {job_id}")
    db.session.remove()
    db.engine.dispose()  # never share pooled connections with forked work-horses
    Worker([queue], connection=queue.connection).work(burst=burst, logging_level="INFO")


@click.command("jobs-recover")
@click.option(
    "--grace",
    default=60,
    show_default=True,
    help="Seconds a job unknown to RQ is left alone (its dispatch may be under way)",
)
@with_appcontext
def jobs_recover(grace):
    """Re-queue jobs left behind by a dead worker or a lost dispatch (schedule it every minute)."""
    from webapp.jobs import recover

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run inline, nothing to recover.")
    recovered = recover(grace_seconds=grace)
    for job_id in recovered:
        click.echo(f"re-queued job {job_id}")
    click.echo(f"{len(recovered)} job(s) re-queued")


@click.command("idempotency-purge")
@click.option("--days", default=7, show_default=True, help="Keep keys younger than this")
@with_appcontext
def idempotency_purge(days):
    """Forget the Idempotency-Keys of old submissions (schedule it daily)."""
    from datetime import timedelta

    from webapp import idempotency

    click.echo(f"{idempotency.purge(timedelta(days=days))} key(s) forgotten")


@click.command("reindex-search")
@with_appcontext
def reindex_search():
    """Rebuild the search index from what each package publishes (safe to run any time)."""
    from webapp import search

    for kind, count in search.reindex().items():
        click.echo(f"{kind}: {count}")


def _cli_locale():
    """The operator's language from the usual environment variables, French otherwise."""
    import os

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (os.environ.get(name) or "")[:2].lower()
        if value in current_app.config["LANGUAGES"]:
            return value
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _fail(error):
    """Print a refused backup or restore in the operator's language and exit with status 1."""
    details = "; ".join(str(m) for messages in error.fields.values() for m in messages if m)
    raise click.ClickException(f"{error.message} {details}".strip())


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=True, writable=True))
@with_appcontext
def backup(path):
    """Write the database and the uploaded files to one archive (default: BACKUP_DIR)."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from webapp.backup import services as backups

    with force_locale(_cli_locale()):
        try:
            written, manifest = backups.create_backup(path)
        except DomainError as error:
            _fail(error)
        click.echo(
            _(
                "Backup written to %(path)s (%(backend)s, schema %(revision)s, %(count)d files).",
                path=written,
                backend=manifest["backend"],
                revision=manifest["alembic_revision"],
                count=len(manifest["files"]) - 1,
            )
        )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database or upload folder holding data")
@with_appcontext
def restore(path, force):
    """Restore the database and the uploaded files from an archive written by `backup`."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from webapp.backup import services as backups

    with force_locale(_cli_locale()):
        try:
            report = backups.restore_backup(path, force=force)
        except DomainError as error:
            _fail(error)
        manifest = report.manifest
        click.echo(
            _(
                "Restored the backup of %(date)s (schema %(revision)s, %(count)d files).",
                date=manifest["created_at"],
                revision=manifest["alembic_revision"],
                count=len(manifest["files"]) - 1,
            )
        )
        if report.needs_upgrade:
            click.echo(
                _("The archive's schema is older than this version: run `flask db upgrade` now.")
            )


def init_app(app):
    for command in (
        create_user,
        seed_demo,
        worker,
        jobs_recover,
        idempotency_purge,
        reindex_search,
        backup,
        restore,
    ):
        app.cli.add_command(command)
