"""Mapping-party pages: the list, a party (registration, task cells), the live map and the
summary. Organisers' pages are in `mapping.party_admin_views`, on the same blueprint."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mapping import party_maps
from mapping.party_forms import TaskNoteForm
from mapping.services import party_pages
from webapp.errors import Conflict, PermissionDenied
from webapp.registrations import ics
from webapp.registrations import services as registrations
from webapp.registrations.models import CONFIRMED

bp = Blueprint(
    "mapping_parties", __name__, url_prefix="/mapping/parties", template_folder="templates"
)

TASK_DONE_MESSAGES = {
    "claim": lambda: _("The cell is yours. Map it, then mark it done."),
    "release": lambda: _("You released the cell."),
    "done": lambda: _("Thank you: the cell is marked done."),
    "validate": lambda: _("The cell is validated."),
    "reopen": lambda: _("The cell is open again."),
}


def _party_url(slug, anchor=""):
    return url_for("mapping_parties.detail", slug=slug) + anchor


@bp.get("/")
def index():
    return render_template("mapping/parties/index.html", **party_pages.index())


@bp.get("/<slug>")
def detail(slug):
    data = party_pages.page(current_user, slug)
    fmap = party_maps.party_map(data["party"], data["rows"])
    return render_template(
        "mapping/parties/detail.html",
        map=party_maps.render(fmap),
        status_labels=party_pages.task_status_labels(),
        note_form=TaskNoteForm(),
        **data,
    )


@bp.post("/<slug>/register")
@login_required
def register(slug):
    party = party_pages.party_of(slug)
    registration = registrations.register(current_user, party.registration_list_id)
    if registration.status == CONFIRMED:
        flash(_("You are registered. An invitation is on its way to your mailbox."), "success")
    else:
        flash(
            _("The event is full: you are on the waitlist. We will tell you if a place frees up."),
            "info",
        )
    return redirect(_party_url(slug))


@bp.post("/<slug>/cancel")
@login_required
def cancel(slug):
    party = party_pages.party_of(slug)
    registrations.cancel(current_user, party.registration_list_id)
    flash(_("Your registration is cancelled."), "success")
    return redirect(_party_url(slug))


@bp.get("/<slug>/calendar.ics")
def calendar(slug):
    party = party_pages.party_of(slug)
    url = url_for("mapping_parties.detail", slug=slug, _external=True)
    body = ics.calendar_for(party.registration_list, url=url)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{party.slug}.ics"'},
    )


@bp.post("/<slug>/tasks/<int:task_id>/<any(claim, release, done, validate, reopen):action>")
@login_required
def task_action(slug, task_id, action):
    note = (request.form.get("note") or "").strip() or None
    try:
        party_pages.task_action(current_user, slug, task_id, action, note)
    except Conflict as error:
        flash(str(error.message), "error")
    except PermissionDenied as error:
        if error.code != "task.not_registered":
            raise
        flash(str(party_pages.why_cannot_claim(current_user, slug)), "error")
    else:
        flash(TASK_DONE_MESSAGES[action](), "success")
    return redirect(_party_url(slug, f"#task-{task_id}"), code=303)


@bp.get("/<slug>/live")
def live(slug):
    party = party_pages.party_of(slug)
    fmap = party_maps.live_map(party, url_for("api_parties.PartyFeatures", slug=slug))
    return render_template(
        "mapping/parties/live.html",
        party=party,
        event=party.registration_list,
        map=party_maps.render(fmap),
    )


@bp.get("/<slug>/summary")
def summary(slug):
    return render_template(
        "mapping/parties/summary.html",
        type_labels=party_pages.type_labels(),
        feature_status_labels=party_pages.feature_status_labels(),
        **party_pages.summary(current_user, slug),
    )


from mapping import party_admin_views  # noqa: E402, F401  (organisers' routes on this blueprint)
