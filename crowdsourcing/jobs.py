"""Jobs of the pipeline: the moderators' daily digest, the catalogue import."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from crowdsourcing import queries, registry
from webapp import jobs, mail
from webapp.accounts.models import ADMIN, MODERATOR, User, UserRole
from webapp.extensions import db


@jobs.job
def send_digest():
    """Mail each moderator what waits for them, in their language; nothing when nothing waits."""
    summary = queries.waiting_summary()
    if not summary["total"] and not summary["hidden"]:
        return {"sent": 0}
    moderators = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(
            UserRole.role.in_([MODERATOR, ADMIN]),
            User.is_active_account.is_(True),
            User.email_confirmed_at.is_not(None),
            User.erased_at.is_(None),
        )
        .distinct()
    ).all()
    labels = {name: kind.label for name, kind in registry.KINDS.items()}
    for moderator in moderators:
        mail.send_mail(
            moderator.email,
            "moderation_digest",
            moderator.locale,
            subject=_l("%(n)d contributions wait for moderation", n=summary["total"]),
            summary=summary,
            labels=labels,
            link=mail.external_url("crowdsourcing.inbox"),
        )
    return {"sent": len(moderators)}


@jobs.job
def send_backlog_reminders():
    """Mail each data steward their overdue backlog items, in their language."""
    sent = 0
    for steward, items in queries.overdue_by_steward().items():
        if not steward.is_active or not steward.email_confirmed or steward.erased_at is not None:
            continue
        mail.send_mail(
            steward.email,
            "backlog_reminders",
            steward.locale,
            subject=lazy_ngettext(
                "%(num)d open-data backlog item is overdue",
                "%(num)d open-data backlog items are overdue",
                len(items),
            ),
            items=items,
            links={
                item.id: mail.external_url("crowdsourcing.backlog_item", item_id=item.id)
                for item in items
            },
        )
        sent += 1
    return {"sent": sent}


@jobs.job
def import_catalogue(actor_id, text, source):
    """Import a catalogue CSV already checked by `catalogue.parse`; return its report."""
    from crowdsourcing.services import catalogue

    actor = db.session.get(User, actor_id)
    if actor is None:
        return {"rows": [], "counts": {}}
    rows = catalogue.parse(text.encode("utf-8"))
    report = catalogue.import_rows(actor, rows, source, progress=jobs.report_progress)
    counts = {}
    for line in report:
        counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
    return {"rows": report, "counts": counts}
