"""Hackathon pages: the list, a hackathon, registration, the calendar file, creation and the
organisers' page (phase, challenges, criteria, jury)."""

from datetime import UTC

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crowdsourcing import hackathon_forms as forms
from crowdsourcing import hackathon_queries, policies
from crowdsourcing.models import BacklogItem, Dataset
from crowdsourcing.services import hackathons, jury, proposals, teams
from crowdsourcing.views import _departments, _user, bp
from webapp.accounts.forms import EmptyForm, flash_errors
from webapp.accounts.models import User
from webapp.errors import Conflict, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import ics
from webapp.registrations import queries as registration_queries


@bp.context_processor
def _hackathon_globals():
    return {
        "phase_labels": hackathons.phase_labels(),
        "stage_labels": proposals.stage_labels(),
        "code_licence_labels": proposals.licence_labels(),
    }


@bp.get("/hackathons/")
def hackathon_list():
    return render_template(
        "crowdsourcing/hackathons/list.html",
        rows=hackathon_queries.hackathons(),
        can_create=policies.can_create_hackathon(current_user),
    )


@bp.get("/hackathons/<slug>")
def hackathon(slug):
    hack = hackathons.get(slug)
    user = current_user
    return render_template(
        "crowdsourcing/hackathons/detail.html",
        hack=hack,
        registration=registration_queries.registration_of(user, hack.registration_list_id),
        participant=hackathons.is_participant(user, hack),
        my_team=teams.team_of(user, hack),
        invitations=teams.pending_invitations(user, hack),
        teams=hackathon_queries.teams(hack),
        proposals=hackathon_queries.public_proposals(hack),
        ranking=jury.compute_ranking(hack) if policies.can_see_ranking(user, hack) else None,
        can_manage=policies.can_manage_hackathon(user, hack),
        is_juror=policies.is_juror(user, hack),
        looking_form=forms.LookingForm(),
        empty_form=EmptyForm(),
    )


@bp.post("/hackathons/<slug>/register")
@login_required
def hackathon_register(slug):
    registration = hackathons.register(_user(), hackathons.get(slug).id)
    if registration.status == "confirmed":
        flash(_("You are registered. An invitation is on its way to your mailbox."), "success")
    else:
        flash(_("The hackathon is full: you are on the waitlist."), "info")
    return redirect(url_for(".hackathon", slug=slug))


@bp.post("/hackathons/<slug>/cancel")
@login_required
def hackathon_cancel(slug):
    hackathons.cancel(_user(), hackathons.get(slug).id)
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for(".hackathon", slug=slug))


@bp.post("/hackathons/<slug>/looking")
@login_required
def hackathon_looking(slug):
    looking = request.form.get("looking") == "1"
    hackathons.set_looking(_user(), hackathons.get(slug).id, looking, request.form.get("note"))
    flash(
        _("People forming teams can see you are looking.")
        if looking
        else _("You are no longer listed as looking for a team."),
        "success",
    )
    return redirect(url_for(".hackathon", slug=slug))


@bp.get("/hackathons/<slug>/calendar.ics")
def hackathon_calendar(slug):
    hack = hackathons.get(slug)
    body = ics.calendar_for(
        hack.registration_list, url=url_for(".hackathon", slug=slug, _external=True)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{slug}.ics"'},
    )


# --- organisers --------------------------------------------------------------------------------


def _aware(value):
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@bp.route("/hackathons/new", methods=["GET", "POST"])
@login_required
def hackathon_new():
    if not policies.can_create_hackathon(current_user):
        raise PermissionDenied("hackathon.create_denied")
    form = forms.HackathonForm()
    if form.validate_on_submit():
        data = {k: form[k].data for k in form.data if k != "csrf_token"}
        data.update(starts_at=_aware(data["starts_at"]), ends_at=_aware(data["ends_at"]))
        try:
            hack = hackathons.create(_user(), data)
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(_("The hackathon is created. Add its challenges, criteria and jury."), "success")
            return redirect(url_for(".hackathon_manage", slug=hack.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("crowdsourcing/hackathons/form.html", form=form), status


def _manage_forms(hack):
    departments, locale = _departments()
    phase = forms.PhaseForm()
    phase.phase.choices = [
        (p, str(hackathons.phase_labels()[p])) for p in hackathons.TRANSITIONS[hack.phase]
    ]
    challenge = forms.ChallengeForm()
    challenge.department.choices = [("", _("No department"))] + [
        (d.slug, d.name(locale)) for d in departments
    ]
    challenge.datasets.choices = [
        (d.slug, d.title) for d in db.session.scalars(select(Dataset).order_by(Dataset.title))
    ]
    challenge.backlog_items.choices = [
        (str(i.id), i.title)
        for i in db.session.scalars(select(BacklogItem).order_by(BacklogItem.title))
    ]
    return {
        "phase_form": phase,
        "challenge_form": challenge,
        "criterion_form": forms.CriterionForm(),
        "juror_form": forms.JurorForm(),
    }


def _managed(slug):
    hack = hackathons.get(slug)
    if not policies.can_manage_hackathon(current_user, hack):
        raise PermissionDenied("hackathon.manage_denied")
    return hack


@bp.get("/hackathons/<slug>/manage")
@login_required
def hackathon_manage(slug):
    hack = _managed(slug)
    return render_template("crowdsourcing/hackathons/manage.html", hack=hack, **_manage_forms(hack))


def _manage_action(slug, action, success):
    """Run one organiser's action from the manage page; errors go back to the page, flashed."""
    hack = _managed(slug)
    try:
        action(hack)
    except (ValidationError, Conflict) as error:
        for messages in (error.fields or {}).values():
            for message in messages:
                flash(message, "error")
        if not error.fields:
            flash(error.message, "error")
    else:
        flash(success, "success")
    return redirect(url_for(".hackathon_manage", slug=slug))


@bp.post("/hackathons/<slug>/manage/phase")
@login_required
def hackathon_phase(slug):
    phase = request.form.get("phase")
    return _manage_action(
        slug, lambda h: hackathons.set_phase(_user(), h.id, phase), _("The phase has changed.")
    )


@bp.post("/hackathons/<slug>/manage/challenges")
@login_required
def hackathon_add_challenge(slug):
    form = request.form
    data = {
        "title": form.get("title"),
        "question": form.get("question"),
        "department": form.get("department"),
        "datasets": form.getlist("datasets"),
        "backlog_items": form.getlist("backlog_items"),
    }
    return _manage_action(
        slug, lambda h: hackathons.add_challenge(_user(), h.id, data), _("The challenge is added.")
    )


@bp.post("/hackathons/<slug>/manage/criteria")
@login_required
def hackathon_add_criterion(slug):
    form = forms.CriterionForm()
    data = {
        "name": form.name.data,
        "description": form.description.data,
        "weight": form.weight.data or 1,
        "scale_max": form.scale_max.data or 10,
    }
    return _manage_action(
        slug, lambda h: hackathons.add_criterion(_user(), h.id, data), _("The criterion is added.")
    )


@bp.post("/hackathons/<slug>/manage/jury")
@login_required
def hackathon_add_juror(slug):
    email = (request.form.get("email") or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    return _manage_action(
        slug,
        lambda h: hackathons.add_juror(_user(), h.id, user.id if user else None),
        _("The juror is added."),
    )
