"""Facilitators' synthesis (themes, ideas grouped, requirements) and the requirements
document: its page, Markdown download and printable version."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from workshops import document, forms, labels, policies, queries
from workshops.models import PRIORITIES, Requirement
from workshops.services import ideas, synthesis
from workshops.views import bp, form_page, user


def _facilitated(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    if not policies.can_facilitate(current_user, workshop):
        raise PermissionDenied("workshop.facilitate_denied")
    return workshop


@bp.get("/<slug>/synthesis")
@login_required
def synthesis_page(slug):
    workshop = _facilitated(slug)
    totals = queries.dots_by_idea(workshop.id)
    return render_template(
        "workshops/synthesis.html",
        workshop=workshop,
        themes=queries.themes_of(workshop.id),
        ideas=queries.ranked(queries.visible_ideas(workshop.id), totals),
        totals=totals,
        requirements=queries.requirements_of(workshop.id),
        theme_form=forms.ThemeForm(formdata=None),
        publish_form=forms.PublishForm(formdata=None, intro=workshop.requirements_intro),
    )


def _back(slug, anchor):
    return redirect(url_for(".synthesis_page", slug=slug) + anchor)


@bp.post("/<slug>/themes")
@login_required
def create_theme(slug):
    workshop = _facilitated(slug)
    synthesis.create_theme(user(), workshop.id, request.form.get("name"))
    flash(_("The theme is created."), "success")
    return _back(slug, "#themes")


@bp.post("/<slug>/themes/<int:theme_id>/rename")
@login_required
def rename_theme(slug, theme_id):
    synthesis.rename_theme(user(), theme_id, request.form.get("name"))
    flash(_("The theme is renamed."), "success")
    return _back(slug, "#themes")


@bp.post("/<slug>/themes/<int:theme_id>/delete")
@login_required
def delete_theme(slug, theme_id):
    synthesis.delete_theme(user(), theme_id)
    flash(_("The theme is deleted; its ideas have no theme now."), "success")
    return _back(slug, "#themes")


@bp.post("/<slug>/ideas/<int:idea_id>/theme")
@login_required
def set_theme(slug, idea_id):
    raw = request.form.get("theme") or ""
    ideas.set_theme(user(), idea_id, int(raw) if raw.isdigit() else None)
    flash(_("The idea's theme is saved."), "success")
    if request.form.get("next") == "idea":
        return redirect(url_for(".idea", slug=slug, idea_id=idea_id))
    return _back(slug, f"#idea-{idea_id}")


def _requirement_form(workshop, requirement=None):
    data = None
    if requirement is not None and request.method == "GET":
        data = {
            "role": requirement.role,
            "goal": requirement.goal,
            "benefit": requirement.benefit,
            "priority": requirement.priority,
            "ideas": [str(i.id) for i in requirement.ideas],
        }
    form = forms.RequirementForm(data=data)
    form.priority.choices = [(p, labels.priority_labels()[p]) for p in PRIORITIES]
    form.ideas.choices = [(str(i.id), i.text[:140]) for i in queries.visible_ideas(workshop.id)]
    return form


@bp.route("/<slug>/requirements/new", methods=["GET", "POST"])
@bp.route("/<slug>/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@login_required
def edit_requirement(slug, requirement_id=None):
    workshop = _facilitated(slug)
    requirement = _requirement(workshop, requirement_id)
    form = _requirement_form(workshop, requirement)
    if request.method == "POST":
        data = {f: form[f].data for f in ("role", "goal", "benefit", "priority", "ideas")}
        try:
            synthesis.save_requirement(user(), workshop.id, data, requirement_id)
        except ValidationError as error:
            return form_page(
                "workshops/requirement_form.html",
                form,
                error,
                workshop=workshop,
                requirement=requirement,
            )
        flash(_("The requirement is saved."), "success")
        return _back(slug, "#requirements")
    return render_template(
        "workshops/requirement_form.html",
        form=form,
        workshop=workshop,
        requirement=requirement,
        unplaced=[],
    )


def _requirement(workshop, requirement_id):
    if requirement_id is None:
        return None
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None or requirement.workshop_id != workshop.id:
        raise NotFound("requirement.not_found")
    return requirement


@bp.post("/<slug>/requirements/<int:requirement_id>/delete")
@login_required
def delete_requirement(slug, requirement_id):
    synthesis.delete_requirement(user(), requirement_id)
    flash(_("The requirement is deleted."), "success")
    return _back(slug, "#requirements")


@bp.post("/<slug>/requirements/publish")
@login_required
def publish_requirements(slug):
    workshop = _facilitated(slug)
    synthesis.publish(user(), workshop.id, request.form.get("intro"))
    flash(_("The requirements document is published."), "success")
    return redirect(url_for(".requirements", slug=slug))


@bp.post("/<slug>/requirements/unpublish")
@login_required
def unpublish_requirements(slug):
    workshop = _facilitated(slug)
    synthesis.unpublish(user(), workshop.id)
    flash(_("The requirements document is back to draft."), "success")
    return _back(slug, "#publish")


def _document(slug):
    workshop = queries.workshop_by_slug(current_user, slug)
    if not policies.can_view_requirements(current_user, workshop):
        raise NotFound("requirements.not_published")
    return document.build(current_user, workshop)


@bp.get("/<slug>/requirements")
def requirements(slug):
    return render_template("workshops/requirements.html", **_document(slug))


@bp.get("/<slug>/requirements.md")
def requirements_markdown(slug):
    body = render_template("workshops/requirements_markdown.txt", **_document(slug))
    return Response(
        body,
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="cahier-des-charges-{slug}.md"'},
    )


@bp.get("/<slug>/requirements/print")
def requirements_print(slug):
    return render_template("workshops/requirements_print.html", **_document(slug))
