"""notify(): one call records an in-app notification and mails it in the recipient's language.

Each kind of notification is declared once with `register_kind`: a lazily translated
message with %(name)s placeholders filled from the notification's params.
"""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from webapp import mail
from webapp.db import unit_of_work, utcnow
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.notifications.models import Notification

KINDS = {}


def register_kind(kind, message, email=True):
    """Declare a kind: `message` is a lazy string; `email` says whether it is also mailed."""
    KINDS[kind] = {"message": message, "email": email}


def _localised(params, locale):
    """Params may carry one value per language (`reason_fr`, `reason_en`): pick the reader's."""
    picked = {
        key[: -len(locale) - 1]: value
        for key, value in params.items()
        if key.endswith(f"_{locale}")
    }
    return {**params, **picked}


def render(notification, locale=None):
    """Return the notification's text, in `locale` when given, else the current one."""
    spec = KINDS.get(notification.kind)
    if spec is None:
        return notification.kind
    if locale is None:
        from flask_babel import get_locale

        return str(spec["message"]) % _localised(notification.params, str(get_locale()))
    with force_locale(locale):
        return str(spec["message"]) % _localised(notification.params, locale)


def notify(user, kind, params=None, link=None, email=None):
    """Notify `user`: in the app at once, and by e-mail through a job after commit."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    with unit_of_work():
        notification = Notification(user_id=user.id, kind=kind, params=params or {}, link=link)
        db.session.add(notification)
        send = KINDS[kind]["email"] if email is None else email
        if send and user.is_active and user.email_confirmed:
            locale = user.locale or "fr"
            text = render(notification, locale)
            mail.send_mail(
                user.email,
                "notification",
                locale,
                subject=text[:120],
                text=text,
                link=_absolute(link) if link else mail.external_url("notifications.index"),
            )
    return notification


def _absolute(link):
    if link.startswith("http://") or link.startswith("https://"):
        return link
    base = mail.external_url("web.home").rstrip("/")
    return base + link


def mark_read(actor, notification_id):
    with unit_of_work():
        notification = db.session.get(Notification, notification_id)
        if notification is None or notification.user_id != actor.id:
            raise NotFound("notification.not_found")
        notification.read_at = notification.read_at or utcnow()
    return notification


def mark_all_read(actor):
    with unit_of_work():
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )


register_kind(
    "registration.promoted",
    _l("A place freed up: you are now registered for “%(title)s”."),
)
register_kind(
    "registration.confirmed",
    _l("You are registered for “%(title)s”."),
    email=False,
)
register_kind(
    "registration.waitlisted",
    _l("“%(title)s” is full: you are on the waitlist, number %(position)s."),
    email=False,
)
register_kind(
    "registration.cancelled_by_organiser",
    _l("An organiser cancelled your registration for “%(title)s”."),
)
register_kind(
    "registration.changed",
    _l("The time or place of “%(title)s” changed: see the event page."),
)
register_kind(
    "account.roles_changed",
    _l("Your roles on the platform changed: %(roles)s."),
)
