"""Event pages: agenda, register/cancel, calendar file, attendee list with check-in and CSV."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts import policies
from webapp.csvutil import to_csv
from webapp.errors import NotFound, PermissionDenied
from webapp.extensions import db
from webapp.profiles import visibility
from webapp.registrations import ics, queries
from webapp.registrations import services as registrations
from webapp.registrations.models import CONFIRMED, RegistrationList

bp = Blueprint("registrations", __name__, url_prefix="/events")


def _get(list_id):
    registration_list = db.session.get(RegistrationList, list_id)
    if registration_list is None or not (
        registration_list.listed
        or policies.can_manage_registrations(current_user, registration_list)
    ):
        raise NotFound("registration.list_not_found")
    return registration_list


@bp.get("/")
def index():
    return render_template("registrations/index.html", events=queries.upcoming(limit=100))


@bp.get("/<int:list_id>")
def detail(list_id):
    registration_list = _get(list_id)
    mine = queries.registration_of(current_user, list_id)
    return render_template(
        "registrations/detail.html",
        event=registration_list,
        mine=mine,
        position=queries.waitlist_position(mine),
        can_manage=policies.can_manage_registrations(current_user, registration_list),
    )


@bp.post("/<int:list_id>/register")
@login_required
def register(list_id):
    registration = registrations.register(current_user, list_id)
    if registration.status == CONFIRMED:
        flash(_("You are registered. An invitation is on its way to your mailbox."), "success")
    else:
        flash(
            _("The event is full: you are on the waitlist. We will tell you if a place frees up."),
            "info",
        )
    return redirect(url_for("registrations.detail", list_id=list_id))


@bp.post("/<int:list_id>/cancel")
@login_required
def cancel(list_id):
    registrations.cancel(current_user, list_id)
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("registrations.detail", list_id=list_id))


@bp.get("/<int:list_id>/calendar.ics")
def calendar(list_id):
    registration_list = _get(list_id)
    body = ics.calendar_for(
        registration_list, url=url_for("registrations.detail", list_id=list_id, _external=True)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{list_id}.ics"'},
    )


def _managed(list_id):
    registration_list = _get(list_id)
    if not policies.can_manage_registrations(current_user, registration_list):
        raise PermissionDenied("registration.manage_denied")
    return registration_list


@bp.get("/<int:list_id>/attendees")
@login_required
def attendees(list_id):
    registration_list = _managed(list_id)
    confirmed, waiting = queries.attendees(list_id)
    return render_template(
        "registrations/attendees.html",
        event=registration_list,
        confirmed=confirmed,
        waiting=waiting,
    )


@bp.post("/<int:list_id>/attendees/<int:registration_id>/attendance")
@login_required
def attendance(list_id, registration_id):
    _managed(list_id)
    value = {"yes": True, "no": False, "": None}.get(request.form.get("attended", ""))
    registrations.set_attendance(current_user, registration_id, value)
    return redirect(url_for("registrations.attendees", list_id=list_id) + f"#r{registration_id}")


@bp.post("/<int:list_id>/attendees/<int:registration_id>/remove")
@login_required
def remove(list_id, registration_id):
    _managed(list_id)
    registrations.remove_attendee(current_user, registration_id)
    flash(_("The registration is cancelled and the person has been told."), "success")
    return redirect(url_for("registrations.attendees", list_id=list_id))


@bp.get("/<int:list_id>/attendees.csv")
@login_required
def attendees_csv(list_id):
    registration_list = _managed(list_id)
    confirmed, waiting = queries.attendees(list_id)
    yes, no = _("yes"), _("no")
    rows = [
        (
            visibility.display_name(current_user, r.user),
            _("confirmed") if r.status == CONFIRMED else _("waitlist"),
            format_datetime(r.confirmed_at or r.waitlisted_at or r.created_at, "yyyy-MM-dd HH:mm"),
            {True: yes, False: no}.get(r.attended, ""),
        )
        for r in confirmed + waiting
    ]
    header = [_("Name"), _("Status"), _("Registered at"), _("Attended")]
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="attendees-{registration_list.id}.csv"'
        },
    )
