"""Public pages: the list of workshops, a workshop, a session; registering and answering."""

from flask import Response, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.errors import NotFound, ValidationError
from webapp.registrations import ics
from webapp.registrations import queries as registration_queries
from webapp.registrations.models import CONFIRMED
from workshops import files, forms, labels, queries
from workshops.services import participation, sessions
from workshops.views import bp, form_page, map_settings, user


@bp.get("/")
def index():
    return render_template("workshops/index.html", rows=queries.published())


@bp.get("/<slug>")
def detail(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    return render_template(
        "workshops/detail.html",
        workshop=workshop,
        sessions=queries.sessions_of(workshop.id),
        backlog_items=queries.backlog_items(workshop),
        registered=queries.is_registered(current_user, workshop.id),
        answers=queries.answers_of(current_user, workshop.id),
    )


@bp.get("/sessions/<int:session_id>")
def session(session_id):
    row = queries.session_by_id(current_user, session_id)
    mine = registration_queries.registration_of(current_user, row.registration_list_id)
    return render_template(
        "workshops/session.html",
        row=row,
        workshop=row.workshop,
        event=row.registration_list,
        mine=mine,
        position=registration_queries.waitlist_position(mine),
        map=map_settings(),
        material_form=forms.MaterialForm(formdata=None),
        minutes_form=forms.MinutesForm(formdata=None, minutes=row.minutes),
    )


@bp.post("/sessions/<int:session_id>/register")
@login_required
def register(session_id):
    registration = participation.register(user(), session_id)
    if registration.status == CONFIRMED:
        flash(_("You are registered. An invitation is on its way to your mailbox."), "success")
    else:
        flash(
            _(
                "The session is full: you are on the waitlist. We will tell you if a place frees up."
            ),
            "info",
        )
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel(session_id):
    participation.cancel(user(), session_id)
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for(".session", session_id=session_id))


@bp.get("/sessions/<int:session_id>/calendar.ics")
def calendar(session_id):
    row = queries.session_by_id(current_user, session_id)
    body = ics.calendar_for(
        row.registration_list, url=url_for(".session", session_id=session_id, _external=True)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{session_id}.ics"'},
    )


@bp.get("/sessions/<int:session_id>/materials/<int:material_id>")
def material(session_id, material_id):
    row = sessions.material_of(current_user, session_id, material_id)
    if row.url:
        return redirect(row.url)
    return send_file(
        files.path_of("materials", row.file_name),
        mimetype=row.content_type,
        as_attachment=not row.content_type.startswith("image/"),
        download_name=f"material-{row.id}.{row.file_name.rsplit('.', 1)[-1]}",
    )


@bp.route("/<slug>/my-answers", methods=["GET", "POST"])
@login_required
def my_answers(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    if not workshop.questions:
        raise NotFound("registration_answers.no_questions")
    mine = queries.answers_of(current_user, workshop.id)
    form = forms.answers_form(
        workshop.questions, labels.question_labels(), data=mine.answers if mine else None
    )
    if form.validate_on_submit():
        answers = {key: form[key].data for key in workshop.questions}
        try:
            participation.save_answers(user(), workshop.id, answers)
        except ValidationError as error:
            return form_page("workshops/answers.html", form, error, workshop=workshop)
        flash(_("Your answers are saved. Only the organisers see them."), "success")
        return redirect(url_for(".detail", slug=slug))
    return render_template("workshops/answers.html", form=form, workshop=workshop, unplaced=[])
