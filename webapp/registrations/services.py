"""Register, cancel, waitlist and promotion, attendance: capacity is guarded in the database.

Every change of `confirmed_count` happens while the list row is locked (SELECT … FOR UPDATE
on PostgreSQL; SQLite transactions begin IMMEDIATE and so are serialised), and a CHECK
constraint refuses any state with more confirmed than capacity.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp import mail
from webapp.accounts import policies
from webapp.accounts.models import User
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications import services as notifications
from webapp.registrations import ics
from webapp.registrations.models import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    Registration,
    RegistrationList,
    RegistrationManager,
)
from webapp.text import one_line


def create_list(
    actor,
    title,
    starts_at,
    ends_at,
    capacity,
    kind="event",
    description=None,
    address=None,
    lon=None,
    lat=None,
    online_url=None,
    page_url=None,
    waitlist_enabled=True,
    managers=(),
    is_open=True,
    listed=True,
):
    """Create the registration side of an event; the actor manages it."""
    policies.require(actor, "events.organise")
    errors = {}
    if not _capacity_valid(capacity):
        errors["capacity"] = [CAPACITY_MESSAGE]
    title = _check_details(title, starts_at, ends_at, lon, lat, errors)
    with unit_of_work():
        registration_list = RegistrationList(
            kind=kind,
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            address=address,
            online_url=online_url,
            page_url=page_url,
            waitlist_enabled=waitlist_enabled,
            is_open=is_open,
            listed=listed,
        )
        registration_list.set_location(lon, lat)
        user_ids = {actor.id} | {u.id for u in managers}
        registration_list.managers = [RegistrationManager(user_id=uid) for uid in user_ids]
        db.session.add(registration_list)
    return registration_list


def _check_details(title, starts_at, ends_at, lon, lat, errors=None):
    """Validate what describes an event; return the normalised title."""
    errors = {} if errors is None else errors
    title = one_line(title)
    if not 1 <= len(title) <= 200:
        errors["title"] = [_l("Between 1 and 200 characters.")]
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = [_l("The end must come after the start.")]
    if (lon is None) != (lat is None) or (
        lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        errors["location"] = [
            _l("Give a longitude between -180 and 180 and a latitude between -90 and 90.")
        ]
    if errors:
        raise ValidationError("registration.list_invalid", fields=errors)
    return title


CAPACITY_MESSAGE = _l("Capacity must be between 1 and 100,000.")


def _capacity_valid(capacity):
    return capacity is not None and 1 <= capacity <= 100000


def update_list(actor, list_id, *, managers=None, **changes):
    """Change an event's details, capacity, openness or listing; its managers decide.

    Only the given fields change. Confirmed people are told when the time or place moves;
    a larger capacity promotes people waiting; it never goes below those confirmed.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with unit_of_work():
        registration_list = _locked_list(list_id)
        if not policies.can_manage_registrations(actor, registration_list):
            raise PermissionDenied("registration.manage_denied")
        before = (registration_list.starts_at, registration_list.ends_at, registration_list.address)
        merged = {name: getattr(registration_list, name) for name in EDITABLE}
        merged.update(changes)
        merged["title"] = _check_details(
            merged["title"], merged["starts_at"], merged["ends_at"], merged["lon"], merged["lat"]
        )
        capacity = merged.pop("capacity")
        if capacity != registration_list.capacity:
            if not _capacity_valid(capacity):
                raise ValidationError(
                    "registration.list_invalid", fields={"capacity": [CAPACITY_MESSAGE]}
                )
            _change_capacity(registration_list, capacity)
        lon, lat = merged.pop("lon"), merged.pop("lat")
        for name, value in merged.items():
            setattr(registration_list, name, value)
        if "lon" in changes or "lat" in changes:
            registration_list.set_location(lon, lat)
        if managers is not None:
            _set_managers(registration_list, {actor.id} | {u.id for u in managers})
        after = (registration_list.starts_at, registration_list.ends_at, registration_list.address)
        if after != before:
            _tell_participants_of_change(registration_list)
    return registration_list


EDITABLE = {
    "title",
    "description",
    "starts_at",
    "ends_at",
    "address",
    "lon",
    "lat",
    "online_url",
    "page_url",
    "capacity",
    "is_open",
    "listed",
}


def _set_managers(registration_list, user_ids):
    keep = [m for m in registration_list.managers if m.user_id in user_ids]
    known = {m.user_id for m in keep}
    registration_list.managers = keep + [
        RegistrationManager(user_id=uid) for uid in sorted(user_ids - known)
    ]


def _tell_participants_of_change(registration_list):
    rows = db.session.scalars(
        select(Registration).where(
            Registration.list_id == registration_list.id, Registration.status == CONFIRMED
        )
    ).all()
    for row in rows:
        notifications.notify(
            row.user,
            "registration.changed",
            {"title": registration_list.title},
            link=page_path(registration_list),
        )


def page_path(registration_list):
    """Where the event is shown: its domain page when it has one, else the events page."""
    return registration_list.page_url or f"/events/{registration_list.id}"


def _locked_list(list_id):
    # populate_existing: a copy read before the lock (a policy check, the view) would otherwise
    # keep its stale confirmed_count, and the count would drift past capacity.
    registration_list = db.session.scalar(
        select(RegistrationList)
        .where(RegistrationList.id == list_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if registration_list is None:
        raise NotFound("registration.list_not_found")
    return registration_list


def register(actor, list_id):
    """Confirm the actor if a seat is free, else put them on the waitlist."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("registration.login_required")
    try:
        with unit_of_work():
            registration_list = _locked_list(list_id)
            if not registration_list.listed:
                raise NotFound("registration.list_not_found")
            _check_open(registration_list)
            registration = db.session.scalar(
                select(Registration)
                .where(Registration.list_id == list_id, Registration.user_id == actor.id)
                .with_for_update()
            )
            if registration is not None and registration.status != CANCELLED:
                raise Conflict(
                    "registration.already_registered",
                    message=_l("You are already registered or on the waitlist."),
                )
            if registration is None:
                registration = Registration(list_id=list_id, user_id=actor.id, status=CANCELLED)
                db.session.add(registration)
            registration.cancelled_at = registration.attended = None
            if registration_list.confirmed_count < registration_list.capacity:
                _confirm(registration_list, registration)
                notifications.notify(
                    actor, "registration.confirmed", {"title": registration_list.title}, email=False
                )
                _mail_invitation(actor, registration_list)
            elif registration_list.waitlist_enabled:
                registration.status, registration.waitlisted_at = WAITLISTED, utcnow()
            else:
                raise Conflict("registration.full", message=_l("This event is full."))
    except IntegrityError:
        # A simultaneous click by the same person: the unique constraint kept one row.
        db.session.rollback()
        raise Conflict(
            "registration.already_registered",
            message=_l("You are already registered or on the waitlist."),
        ) from None
    return registration


def _check_open(registration_list):
    if not registration_list.is_open or registration_list.ends_at <= utcnow():
        raise ValidationError(
            "registration.closed", message=_l("Registration for this event is closed.")
        )


def _confirm(registration_list, registration):
    registration.status, registration.confirmed_at = CONFIRMED, utcnow()
    registration_list.confirmed_count += 1


def cancel(actor, list_id):
    """Cancel the actor's registration; a freed seat goes to the first person waiting."""
    with unit_of_work():
        registration_list = _locked_list(list_id)
        registration = db.session.scalar(
            select(Registration).where(
                Registration.list_id == list_id,
                Registration.user_id == actor.id,
                Registration.status != CANCELLED,
            )
        )
        if registration is None:
            raise NotFound("registration.not_found", message=_l("You are not registered."))
        _release(registration_list, registration)
    return registration


def _release(registration_list, registration):
    was_confirmed = registration.status == CONFIRMED
    registration.status, registration.cancelled_at = CANCELLED, utcnow()
    if was_confirmed:
        registration_list.confirmed_count -= 1
        db.session.flush()
        _promote_waiting(registration_list)


def _promote_waiting(registration_list):
    """Fill free seats from the waitlist, first come first served, and tell each person."""
    while registration_list.confirmed_count < registration_list.capacity:
        # A disabled or erased account keeps its place but is never given a seat.
        waiting = db.session.scalar(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.list_id == registration_list.id,
                Registration.status == WAITLISTED,
                User.is_active_account.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
            .with_for_update(of=Registration)
        )
        if waiting is None:
            return
        _confirm(registration_list, waiting)
        notifications.notify(
            waiting.user,
            "registration.promoted",
            {"title": registration_list.title},
            link=page_path(registration_list),
            email=False,
        )
        _mail_invitation(waiting.user, registration_list, promoted=True)


def _mail_invitation(user, registration_list, promoted=False):
    # The same rule as notify(): no mail to a disabled account or an unconfirmed address.
    if not (user.is_active and user.email_confirmed):
        return
    url = _external(page_path(registration_list))
    mail.send_mail(
        user.email,
        "registration_confirmed",
        user.locale,
        subject=(
            _l("A place freed up: you are registered for %(title)s", title=registration_list.title)
            if promoted
            else _l("You are registered for %(title)s", title=registration_list.title)
        ),
        attachments=[
            {
                "filename": "invitation.ics",
                "content_type": "text/calendar; method=REQUEST",
                "content": ics.calendar_for(registration_list, url=url, method="REQUEST"),
            }
        ],
        registration_list=registration_list,
        promoted=promoted,
        url=url,
    )


def _external(path):
    return mail.external_url("web.home").rstrip("/") + path


def _managed_registration(actor, registration_id):
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound("registration.not_found")
    if not policies.can_manage_registrations(actor, registration.registration_list):
        raise PermissionDenied("registration.manage_denied")
    return registration


def remove_attendee(actor, registration_id):
    """An organiser cancels someone's registration; they are told, the seat is passed on."""
    with unit_of_work():
        registration = _managed_registration(actor, registration_id)
        registration_list = _locked_list(registration.list_id)
        # Read again under the lock: the person may have cancelled in the meantime.
        db.session.refresh(registration)
        if registration.status == CANCELLED:
            raise Conflict("registration.already_cancelled")
        _release(registration_list, registration)
        notifications.notify(
            registration.user,
            "registration.cancelled_by_organiser",
            {"title": registration_list.title},
        )
    return registration


def set_attendance(actor, registration_id, attended):
    """Record whether a confirmed participant came (None clears it)."""
    with unit_of_work():
        registration = _managed_registration(actor, registration_id)
        if registration.status != CONFIRMED:
            raise ValidationError(
                "registration.not_confirmed",
                message=_l("Only confirmed participants can be checked in."),
            )
        registration.attended = attended
    return registration


def set_capacity(actor, list_id, capacity):
    """Change the capacity; extra seats go to the waitlist, never below those confirmed."""
    with unit_of_work():
        registration_list = _locked_list(list_id)
        if not policies.can_manage_registrations(actor, registration_list):
            raise PermissionDenied("registration.manage_denied")
        _change_capacity(registration_list, capacity)
    return registration_list


def _change_capacity(registration_list, capacity):
    if capacity is None or capacity < max(1, registration_list.confirmed_count):
        raise ValidationError(
            "registration.capacity_below_confirmed",
            fields={
                "capacity": [
                    _l(
                        "Capacity cannot be below the %(n)d people already confirmed.",
                        n=registration_list.confirmed_count,
                    )
                ]
            },
        )
    registration_list.capacity = capacity
    _promote_waiting(registration_list)
