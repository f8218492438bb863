"""Ideas: the board with dot votes, posting, an idea's page with its comments, and turning
an idea that asks for data into a dataset request."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.errors import NotFound, ValidationError
from workshops import files, forms, labels, policies, queries
from workshops.models import CATEGORIES
from workshops.services import ideas, votes
from workshops.views import bp, departments_choices, form_page, map_settings, user


@bp.get("/<slug>/ideas")
def ideas_board(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    category = request.args.get("category") if request.args.get("category") in CATEGORIES else None
    totals = queries.dots_by_idea(workshop.id)
    mine, left = queries.my_dots(current_user, workshop.id)
    rows = queries.ranked(queries.visible_ideas(workshop.id, category=category), totals)
    return render_template(
        "workshops/ideas.html",
        workshop=workshop,
        ideas=rows,
        totals=totals,
        mine=mine,
        left=left,
        category=category,
    )


def _idea_form():
    form = forms.IdeaForm()
    form.category.choices = list(labels.category_labels().items())
    return form


def _sessions_choices(form, workshop):
    form.session.choices = [("", _("Between sessions"))] + [
        (str(s.id), s.title) for s in queries.sessions_of(workshop.id)
    ]


@bp.route("/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
def new_idea(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    form = _idea_form()
    _sessions_choices(form, workshop)
    if request.method == "POST":
        data = {
            "category": form.category.data,
            "text": form.text.data,
            "needs_data": form.needs_data.data,
            "session_id": int(form.session.data) if (form.session.data or "").isdigit() else None,
            "lon": form.lon.data,
            "lat": form.lat.data,
        }
        photo = form.photo.data.read() if form.photo.data else None
        try:
            idea = ideas.post(user(), workshop.id, data, photo=photo)
        except ValidationError as error:
            return form_page(
                "workshops/idea_form.html", form, error, workshop=workshop, map=map_settings()
            )
        flash(_("Your contribution is published. Thank you!"), "success")
        return redirect(url_for(".idea", slug=slug, idea_id=idea.id))
    return render_template(
        "workshops/idea_form.html", form=form, workshop=workshop, map=map_settings(), unplaced=[]
    )


@bp.get("/<slug>/ideas/<int:idea_id>")
def idea(slug, idea_id):
    workshop = queries.workshop_by_slug(current_user, slug)
    row = queries.visible_idea(current_user, idea_id)
    if row.workshop_id != workshop.id:
        raise NotFound("idea.not_found")
    mine, left = queries.my_dots(current_user, workshop.id)
    comments = queries.comments_of(row.id)
    return render_template(
        "workshops/idea.html",
        workshop=workshop,
        idea=row,
        total=queries.dots_by_idea(workshop.id).get(row.id, 0),
        mine=mine.get(row.id, 0),
        left=left,
        comments=[(c, ideas.submission_of(ideas.COMMENT_KIND, c.id)) for c in comments],
        comment_form=forms.CommentForm(formdata=None),
        themes=queries.themes_of(workshop.id),
        submission=ideas.submission_of(ideas.KIND, row.id),
        map=map_settings(),
    )


@bp.get("/<slug>/ideas/<int:idea_id>/photo")
def idea_photo(slug, idea_id):
    row = queries.visible_idea(current_user, idea_id)
    if not row.photo_name:
        raise NotFound("idea.photo_not_found")
    return send_file(files.path_of("photos", row.photo_name), mimetype="image/jpeg")


def _back_to_idea(slug, idea_id):
    target = request.form.get("next")
    if target == "board":
        return redirect(url_for(".ideas_board", slug=slug) + f"#idea-{idea_id}")
    return redirect(url_for(".idea", slug=slug, idea_id=idea_id))


@bp.post("/<slug>/ideas/<int:idea_id>/dots")
@login_required
def cast_dot(slug, idea_id):
    votes.cast(user(), idea_id)
    flash(_("Dot placed."), "success")
    return _back_to_idea(slug, idea_id)


@bp.post("/<slug>/ideas/<int:idea_id>/dots/withdraw")
@login_required
def withdraw_dot(slug, idea_id):
    votes.withdraw(user(), idea_id)
    flash(_("Dot taken back."), "success")
    return _back_to_idea(slug, idea_id)


@bp.post("/<slug>/ideas/<int:idea_id>/comments")
@login_required
def post_comment(slug, idea_id):
    form = forms.CommentForm()
    try:
        row = ideas.comment(user(), idea_id, form.body.data)
    except ValidationError as error:
        workshop = queries.workshop_by_slug(current_user, slug)
        return form_page(
            "workshops/comment_form.html", form, error, workshop=workshop, idea_id=idea_id
        )
    flash(_("Your comment is published."), "success")
    return redirect(url_for(".idea", slug=slug, idea_id=idea_id) + f"#comment-{row.id}")


@bp.route("/<slug>/ideas/<int:idea_id>/dataset-request", methods=["GET", "POST"])
@login_required
def dataset_request(slug, idea_id):
    workshop = queries.workshop_by_slug(current_user, slug)
    row = queries.visible_idea(current_user, idea_id)
    is_author = row.author_id == current_user.id
    if row.workshop_id != workshop.id or not (
        is_author or policies.can_facilitate(current_user, workshop)
    ):
        raise NotFound("idea.not_found")
    if row.dataset_request_id is not None:
        flash(_("This idea is already a dataset request."), "info")
        return redirect(url_for(".idea", slug=slug, idea_id=row.id))
    form = forms.DatasetRequestForm(
        data=None
        if request.method == "POST"
        else {
            "title": row.text[:200],
            "description": row.text,
            "department": workshop.department.slug if workshop.department else "",
        }
    )
    form.department.choices = departments_choices(_("I do not know"))
    if request.method == "POST":
        fields = ("title", "description", "intended_use", "wished_format", "department")
        try:
            ideas.request_dataset(user(), row.id, {f: form[f].data for f in fields})
        except ValidationError as error:
            return form_page(
                "workshops/dataset_request.html", form, error, workshop=workshop, idea=row
            )
        flash(_("The dataset request is recorded and waits for a moderator."), "success")
        return redirect(url_for(".idea", slug=slug, idea_id=row.id))
    return render_template(
        "workshops/dataset_request.html", form=form, workshop=workshop, idea=row, unplaced=[]
    )
