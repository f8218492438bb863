"""Co-design workshops, sessions, ideas, dot votes and requirements documents."""

import click
from flask.cli import with_appcontext


@click.command("workshops-purge-answers")
@click.option("--queue", is_flag=True, help="Queue it as a background job instead.")
@with_appcontext
def purge_answers(queue):
    """Delete the registration answers of workshops that are over (run it daily)."""
    from webapp import jobs
    from webapp.db import unit_of_work
    from workshops import jobs as workshop_jobs
    from workshops.services import participation

    if queue:
        with unit_of_work():
            job = jobs.enqueue_after_commit(workshop_jobs.purge_answers)
        click.echo(f"Purge queued as job {job.id}.")
        return
    report = participation.purge_answers()
    for slug, deleted in report.items():
        click.echo(f"{slug}: {deleted} answers deleted")
    click.echo(f"Total: {sum(report.values())} answers deleted.")


def init_app(app):
    """Register the pages, the API, the moderation kinds, the purge command, privacy hooks
    and demo data of workshops."""
    from webapp import demo as kernel_demo
    from webapp.extensions import api as rest_api
    from workshops import (  # noqa: F401  (jobs: registers them)
        api,
        demo,
        jobs,
        privacy,
        search_sources,
        views,
    )

    _register_submission_kinds()
    search_sources.register()
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.bp)
    app.cli.add_command(purge_answers)
    privacy.register()
    if demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(demo.seed)


def _register_submission_kinds():
    """Teach the moderation pipeline ideas and their comments: both post-moderated (shown at
    once, reportable while they wait); a rejection or enough reports hide them."""
    from crowdsourcing import registry
    from workshops.services import ideas

    registry.register_kind(
        registry.SubmissionKind(
            name=ideas.KIND,
            label=ideas.KIND_LABEL,
            load=ideas.load_idea,
            preview=ideas.preview,
            url=ideas.idea_url,
            on_approve=ideas.show,
            on_reject=ideas.hide,
            on_hide=ideas.hide,
            post_moderated=True,
        )
    )
    registry.register_kind(
        registry.SubmissionKind(
            name=ideas.COMMENT_KIND,
            label=ideas.COMMENT_KIND_LABEL,
            load=ideas.load_comment,
            preview=ideas.comment_preview,
            url=ideas.comment_url,
            on_approve=ideas.show_comment,
            on_reject=ideas.hide_comment,
            on_hide=ideas.hide_comment,
            post_moderated=True,
        )
    )
