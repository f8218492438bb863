"""Admin pages: the skills vocabulary (curate, add, merge) and the visibility policies."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp.accounts import policies as permissions
from webapp.accounts.forms import flash_errors
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.profiles import forms, queries, visibility
from webapp.profiles import services as profiles
from webapp.profiles.models import UserSkill

bp = Blueprint("profiles_admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    permissions.require(current_user, "users.manage")


def _skills_page(status=200, form=None, merge_form=None):
    locale = str(get_locale())
    skills = queries.vocabulary()
    counts = dict(
        db.session.execute(
            select(UserSkill.skill_id, func.count()).group_by(UserSkill.skill_id)
        ).all()
    )
    merge_form = merge_form or forms.MergeForm()
    merge_form.source.choices = merge_form.target.choices = [(s.id, s.name(locale)) for s in skills]
    return render_template(
        "profiles/admin_skills.html",
        skills=skills,
        counts=counts,
        locale=locale,
        form=form or forms.SkillForm(),
        merge_form=merge_form,
    ), status


@bp.get("/skills")
def skills():
    return _skills_page()


@bp.post("/skills")
def add_skill():
    form = forms.SkillForm()
    if not form.validate():
        return _skills_page(422, form=form)
    try:
        profiles.add_skill(current_user, form.name_fr.data, form.name_en.data)
    except ValidationError as error:
        flash_errors(form, error)
        return _skills_page(422, form=form)
    flash(_("Skill added."), "success")
    return redirect(url_for("profiles_admin.skills"))


@bp.post("/skills/<int:skill_id>")
def curate_skill(skill_id):
    try:
        profiles.curate_skill(
            current_user, skill_id, request.form.get("name_fr"), request.form.get("name_en")
        )
    except ValidationError as error:
        for messages in error.fields.values():
            for message in messages:
                flash(str(message), "error")
        return _skills_page(422)
    flash(_("Skill saved in the vocabulary."), "success")
    return redirect(url_for("profiles_admin.skills"))


@bp.post("/skills/merge")
def merge_skills():
    merge_form = forms.MergeForm()
    merge_form.source.choices = merge_form.target.choices = [
        (s.id, s.key) for s in queries.vocabulary()
    ]
    if not merge_form.validate():
        return _skills_page(422, merge_form=merge_form)
    try:
        profiles.merge_skills(current_user, merge_form.source.data, merge_form.target.data)
    except ValidationError as error:
        flash_errors(merge_form, error)
        return _skills_page(422)
    flash(_("Skills merged: everyone keeps the skill under its new name."), "success")
    return redirect(url_for("profiles_admin.skills"))


@bp.route("/privacy", methods=["GET", "POST"])
def field_policies():
    status = 200
    if request.method == "POST":
        field = request.form.get("field", "")
        try:
            profiles.set_field_policy(
                current_user,
                field,
                request.form.get("most_open"),
                request.form.get("most_private"),
                request.form.get("default"),
            )
        except ValidationError as error:
            for messages in error.fields.values():
                for message in messages:
                    flash(str(message), "error")
            status = 422
        else:
            flash(_("Policy saved."), "success")
            return redirect(url_for("profiles_admin.field_policies"))
    return render_template(
        "profiles/admin_policies.html",
        fields=visibility.FIELDS,
        bounds=visibility.policies(),
        levels=visibility.LEVELS,
        level_labels=visibility.level_labels(),
    ), status
