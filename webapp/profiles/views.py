"""Profile pages, the skills directory, and editing one's profile and its visibility."""

import os

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts.forms import flash_errors
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.profiles import forms, queries, visibility
from webapp.profiles import services as profiles
from webapp.profiles.models import Profile

bp = Blueprint("profiles", __name__)


def availability_labels():
    return {
        "unavailable": _("Not available"),
        "occasionally": _("Occasionally"),
        "available": _("Available"),
    }


def _owner(user_id):
    from webapp.accounts.models import User

    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("profile.not_found")
    return user


@bp.get("/people/")
@login_required
def directory():
    locale = str(get_locale())
    skill_id = request.args.get("skill", type=int)
    interest = request.args.get("interest", "")
    availability = request.args.get("availability", "")
    if availability not in availability_labels():
        availability = ""
    people = queries.search(current_user, skill_id, interest, availability or None, locale)
    return render_template(
        "profiles/directory.html",
        people=people,
        skills=queries.vocabulary(curated_only=True),
        skill_id=skill_id,
        interest=interest,
        availability=availability,
        availability_labels=availability_labels(),
        locale=locale,
        labels=visibility.FIELDS,
    )


@bp.get("/people/<int:user_id>")
def profile(user_id):
    owner = _owner(user_id)
    shown = visibility.visible_profile(current_user, owner, locale=str(get_locale()))
    return render_template(
        "profiles/profile.html",
        person=shown,
        labels=visibility.FIELDS,
        availability_labels=availability_labels(),
        is_self=current_user.is_authenticated and current_user.id == owner.id,
    )


@bp.get("/people/<int:user_id>/photo")
def avatar(user_id):
    owner = _owner(user_id)
    record = db.session.get(Profile, owner.id)
    if (
        record is None
        or not record.avatar_path
        or not visibility.can_see(current_user, owner, "avatar", record)
    ):
        raise NotFound("profile.avatar_not_found")
    path = os.path.join(profiles.avatar_folder(), os.path.basename(record.avatar_path))
    if not os.path.exists(path):
        raise NotFound("profile.avatar_not_found")
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _profile_form(formdata=None):
    record = db.session.get(Profile, current_user.id)
    locale = str(get_locale())
    data = None
    if formdata is None:
        data = {
            "display_name": current_user.display_name,
            "skills": [s.id for s in visibility.skills_of(current_user)],
        }
        if record is not None:
            data.update(
                bio=record.bio,
                neighbourhood=record.neighbourhood,
                job_title=record.job_title,
                grade=record.grade,
                category=record.category or "",
                availability=record.availability or "",
                interests="\n".join(record.interests or []),
                links="\n".join(record.links or []),
                languages=", ".join(record.languages or []),
            )
    form = forms.ProfileForm(formdata=formdata, data=data)
    form.skills.choices = [
        (s.id, s.name(locale))
        for s in queries.vocabulary(curated_only=True, plus_those_of=current_user)
    ]
    form.availability.choices = [("", _("Not said"))] + list(availability_labels().items())
    form.category.choices = [("", _("Not said"))] + [(c, c) for c in profiles.CATEGORIES]
    return form, record


def _edit_page(form, record, status=200, avatar_form=None):
    bounds = visibility.policies()
    choices = {
        field: [
            (level, visibility.level_labels()[level])
            for level in visibility.LEVELS[
                visibility.rank(bounds[field][0]) : visibility.rank(bounds[field][1]) + 1
            ]
        ]
        for field, spec in visibility.FIELDS.items()
        if not spec.staff_only or current_user.is_staff
    }
    current = {field: visibility.effective_level(field, record) for field in choices}
    return render_template(
        "profiles/edit.html",
        form=form,
        avatar_form=avatar_form or forms.AvatarForm(),
        record=record,
        visibility_choices=choices,
        current_visibility=current,
        labels=visibility.FIELDS,
    ), status


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit():
    if request.method == "GET":
        return _edit_page(*_profile_form())
    form, record = _profile_form(request.form)
    if not form.validate():
        return _edit_page(form, record, 422)
    user = current_user._get_current_object()
    try:
        profiles.save_profile(
            user,
            {
                "display_name": form.display_name.data,
                "bio": form.bio.data,
                "neighbourhood": form.neighbourhood.data,
                "interests": forms.lines(form.interests.data),
                "languages": [x.strip() for x in (form.languages.data or "").split(",")],
                "links": forms.lines(form.links.data),
                "availability": form.availability.data,
                "job_title": form.job_title.data,
                "grade": form.grade.data,
                "category": form.category.data,
            },
            skills=(form.skills.data or [], (form.new_skills.data or "").split(",")),
            choices={
                field: request.form[f"visibility_{field}"]
                for field in visibility.FIELDS
                if f"visibility_{field}" in request.form
            },
        )
    except ValidationError as error:
        flash_errors(form, error)
        return _edit_page(form, record, 422)
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("profiles.edit"))


@bp.post("/account/profile/photo")
@login_required
def upload_avatar():
    form = forms.AvatarForm()
    user = current_user._get_current_object()
    try:
        if request.form.get("remove"):
            profiles.remove_avatar(user)
        elif form.avatar.data:
            profiles.set_avatar(user, form.avatar.data.read())
        else:
            raise ValidationError(
                "profile.avatar_missing", fields={"avatar": [_("Choose a file.")]}
            )
    except ValidationError as error:
        flash_errors(form, error)
        return _edit_page(*_profile_form(), status=422, avatar_form=form)
    flash(_("Your photo is saved."), "success")
    return redirect(url_for("profiles.edit"))
