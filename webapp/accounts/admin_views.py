"""Admin pages: users and roles, departments, and the institution's settings."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from webapp import settings
from webapp.accounts import forms, policies
from webapp.accounts import services as accounts
from webapp.accounts.labels import role_labels
from webapp.accounts.models import ROLES, Department, User
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.before_request
@login_required
def _admins_only():
    policies.require(current_user, "users.manage")


@bp.get("/users")
def users():
    q = (request.args.get("q") or "").strip()
    after = request.args.get("after", type=int) or 0
    query = select(User).where(User.id > after).order_by(User.id).limit(PAGE_SIZE + 1)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        )
    rows = db.session.scalars(query).all()
    next_after = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template(
        "admin/users.html",
        users=rows[:PAGE_SIZE],
        q=q,
        next_after=next_after,
        role_labels=role_labels(),
    )


def _user_form(user, formdata=None):
    departments = db.session.scalars(select(Department).order_by(Department.name_fr)).all()
    locale = str(get_locale())
    form = forms.AdminUserForm(
        formdata=formdata,
        data=None
        if formdata
        else {
            "roles": sorted(user.roles),
            "department": user.department.slug if user.department else "",
            "active": user.is_active_account,
            "is_manager": user.is_manager,
        },
    )
    form.roles.choices = [(r, role_labels()[r]) for r in ROLES if r != "resident"]
    form.department.choices = [("", _("None"))] + [(d.slug, d.name(locale)) for d in departments]
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("account.not_found")
    form = _user_form(user, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            accounts.update_user(
                current_user,
                user.id,
                form.roles.data,
                form.department.data or None,
                form.active.data,
            )
        except ValidationError as error:
            forms.flash_errors(form, error)
            return render_template("admin/user.html", user=user, form=form), 422
        flash(_("Changes saved."), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 422 if form.errors else 200
    return render_template("admin/user.html", user=user, form=form), status


@bp.route("/settings", methods=["GET", "POST"])
def institution():
    row = settings.current()
    form = forms.SettingsForm(obj=row if request.method == "GET" else None)
    if form.validate_on_submit():
        logo = form.logo.data.read() if form.logo.data else None
        try:
            settings.update(
                current_user,
                form.name.data,
                form.contact_email.data,
                form.map_center_lon.data,
                form.map_center_lat.data,
                form.map_zoom.data,
                form.tile_attribution.data,
                logo,
            )
        except ValidationError as error:
            forms.flash_errors(form, error)
            return render_template("admin/settings.html", form=form), 422
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.institution"))
    status = 422 if form.errors else 200
    return render_template("admin/settings.html", form=form), status


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    form = forms.DepartmentForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.create_department(
                current_user, form.slug.data, form.name_fr.data, form.name_en.data
            )
        except ValidationError as error:
            forms.flash_errors(form, error)
            status = 422
        else:
            flash(_("Department added."), "success")
            return redirect(url_for("admin.departments"))
    elif form.errors:
        status = 422
    rows = db.session.scalars(select(Department).order_by(Department.name_fr)).all()
    counts = dict(
        db.session.execute(
            select(User.department_id, func.count()).group_by(User.department_id)
        ).all()
    )
    return render_template(
        "admin/departments.html", departments=rows, counts=counts, form=form
    ), status
