"""Organisers' pages: create and edit workshops and sessions, move a workshop's status,
materials and minutes, and the registration answers (organisers and facilitators only)."""

from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crowdsourcing.models import BacklogItem
from webapp.accounts import policies as account_policies
from webapp.csvutil import to_csv
from webapp.errors import PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.profiles import visibility
from workshops import forms, labels, policies, queries
from workshops.models import QUESTIONS
from workshops.services import participation, sessions
from workshops.services import workshops as workshop_services
from workshops.views import bp, departments_choices, form_page, local_datetime, map_settings, user


@bp.get("/manage")
@login_required
def manage():
    return render_template(
        "workshops/manage.html",
        workshops=queries.run_by(user()),
        can_create=account_policies.can(current_user, "workshops.organise"),
    )


def _workshop_form(workshop=None):
    data = None
    if workshop is not None and request.method == "GET":
        data = {
            **{f: getattr(workshop, f) or "" for f in workshop_services.LIMITS},
            "department": workshop.department.slug if workshop.department else "",
            "dots_per_participant": workshop.dots_per_participant,
            "facilitators": "\n".join(f.user.email for f in workshop.facilitators),
            "backlog_items": [str(link.backlog_item_id) for link in workshop.backlog_links],
            "inventory_urls": "\n".join(workshop.inventory_urls or []),
            "questions": list(workshop.questions or []),
        }
    form = forms.WorkshopForm(data=data)
    form.department.choices = departments_choices(_("None"))
    items = db.session.scalars(select(BacklogItem).order_by(BacklogItem.title)).all()
    form.backlog_items.choices = [(str(i.id), i.title) for i in items]
    form.questions.choices = [(q, labels.question_labels()[q]) for q in QUESTIONS]
    return form


def _workshop_data(form):
    lines = lambda text: [line.strip() for line in (text or "").splitlines() if line.strip()]  # noqa: E731
    return {
        **{f: form[f].data for f in workshop_services.LIMITS},
        "slug": form.slug.data,
        "department": form.department.data,
        "dots_per_participant": form.dots_per_participant.data,
        "facilitators": lines(form.facilitators.data),
        "backlog_items": form.backlog_items.data,
        "inventory_urls": lines(form.inventory_urls.data),
        "questions": form.questions.data,
    }


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_workshop():
    account_policies.require(current_user, "workshops.organise")
    form = _workshop_form()
    if request.method == "POST":
        try:
            workshop = workshop_services.create(user(), _workshop_data(form))
        except ValidationError as error:
            return form_page("workshops/workshop_form.html", form, error, workshop=None)
        flash(
            _("The workshop is created as a draft. Add its sessions, then publish it."), "success"
        )
        return redirect(url_for(".detail", slug=workshop.slug))
    return render_template("workshops/workshop_form.html", form=form, workshop=None, unplaced=[])


def _managed(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    if not policies.can_manage(current_user, workshop):
        raise PermissionDenied("workshop.manage_denied")
    return workshop


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_workshop(slug):
    workshop = _managed(slug)
    form = _workshop_form(workshop)
    if request.method == "POST":
        try:
            workshop_services.update(user(), workshop.id, _workshop_data(form))
        except ValidationError as error:
            return form_page("workshops/workshop_form.html", form, error, workshop=workshop)
        flash(_("The workshop is saved."), "success")
        return redirect(url_for(".detail", slug=workshop.slug))
    return render_template(
        "workshops/workshop_form.html", form=form, workshop=workshop, unplaced=[]
    )


@bp.post("/<slug>/status")
@login_required
def set_status(slug):
    workshop = _managed(slug)
    workshop_services.set_status(user(), workshop.id, request.form.get("status"))
    flash(
        _("The workshop is now: %(status)s.", status=labels.status_labels()[workshop.status]),
        "success",
    )
    return redirect(url_for(".detail", slug=slug))


def _session_data(form):
    return {
        "title": form.title.data,
        "starts_at": local_datetime(form.day.data, form.start.data),
        "ends_at": local_datetime(form.day.data, form.end.data),
        "capacity": form.capacity.data,
        "address": form.address.data,
        "lon": form.lon.data,
        "lat": form.lat.data,
        "online_url": form.online_url.data,
        "agenda": form.agenda.data,
    }


def _session_form_page(form, workshop, row=None, error=None):
    context = {"workshop": workshop, "row": row, "map": map_settings()}
    if error is not None:
        return form_page("workshops/session_form.html", form, error, **context)
    return render_template("workshops/session_form.html", form=form, unplaced=[], **context)


@bp.route("/<slug>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(slug):
    workshop = _managed(slug)
    form = forms.SessionForm()
    if form.validate_on_submit():
        try:
            row = sessions.create(user(), workshop.id, _session_data(form))
        except ValidationError as error:
            return _session_form_page(form, workshop, error=error)
        flash(_("The session is added."), "success")
        return redirect(url_for(".session", session_id=row.id))
    return _session_form_page(form, workshop), 422 if form.errors else 200


def _session_form_data(row):
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    event = row.registration_list
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return {
        "title": row.title,
        "day": starts.date(),
        "start": starts.time(),
        "end": ends.time(),
        "capacity": event.capacity,
        "address": event.address,
        "lon": event.lon,
        "lat": event.lat,
        "online_url": event.online_url,
        "agenda": row.agenda,
    }


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id):
    row = queries.session_by_id(current_user, session_id)
    workshop = _managed(row.workshop.slug)
    form = forms.SessionForm(data=None if request.method == "POST" else _session_form_data(row))
    if form.validate_on_submit():
        try:
            sessions.update(user(), row.id, _session_data(form))
        except ValidationError as error:
            return _session_form_page(form, workshop, row, error=error)
        flash(_("The session is saved."), "success")
        return redirect(url_for(".session", session_id=row.id))
    return _session_form_page(form, workshop, row), 422 if form.errors else 200


@bp.post("/sessions/<int:session_id>/minutes")
@login_required
def save_minutes(session_id):
    form = forms.MinutesForm()
    sessions.set_minutes(user(), session_id, form.minutes.data)
    flash(_("The minutes are saved."), "success")
    return redirect(url_for(".session", session_id=session_id) + "#minutes")


@bp.post("/sessions/<int:session_id>/materials")
@login_required
def add_material(session_id):
    form = forms.MaterialForm()
    if form.file.data:
        sessions.add_file(user(), session_id, form.title.data, form.file.data.read())
    else:
        sessions.add_link(user(), session_id, form.title.data, form.url.data)
    flash(_("The material is added."), "success")
    return redirect(url_for(".session", session_id=session_id) + "#materials")


@bp.post("/sessions/<int:session_id>/materials/<int:material_id>/remove")
@login_required
def remove_material(session_id, material_id):
    sessions.remove_material(user(), material_id)
    flash(_("The material is removed."), "success")
    return redirect(url_for(".session", session_id=session_id) + "#materials")


def _answer_rows(workshop):
    rows = participation.answers_for_facilitators(user(), workshop.id)
    return [
        (
            visibility.display_name(current_user, r.user),
            [r.answers.get(q, "") for q in workshop.questions],
        )
        for r in rows
    ]


@bp.get("/<slug>/registration-answers")
@login_required
def registration_answers(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    return render_template(
        "workshops/registration_answers.html", workshop=workshop, rows=_answer_rows(workshop)
    )


@bp.get("/<slug>/registration-answers.csv")
@login_required
def registration_answers_csv(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    header = [_("Name")] + [str(labels.question_labels()[q]) for q in workshop.questions]
    body = to_csv(header, [[name, *answers] for name, answers in _answer_rows(workshop)])
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="answers-{workshop.slug}.csv"'},
    )
