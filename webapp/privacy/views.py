"""My data: download everything (a job builds a zip) or erase my account."""

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from webapp.accounts.forms import EmptyForm, flash_errors
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import Job
from webapp.privacy import services as privacy
from webapp.profiles.forms import EraseForm

bp = Blueprint("privacy", __name__, url_prefix="/account/data")
EXPORT_JOB = f"{privacy.build_export.__module__}.{privacy.build_export.__qualname__}"


def _page(erase_form=None, status=200):
    exports = db.session.scalars(
        select(Job)
        .where(Job.created_by_id == current_user.id, Job.name == EXPORT_JOB)
        .order_by(Job.created_at.desc())
        .limit(5)
    ).all()
    return render_template(
        "privacy/data.html",
        exports=exports,
        export_form=EmptyForm(),
        erase_form=erase_form or EraseForm(),
    ), status


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/export")
@login_required
def export():
    privacy.request_export(current_user._get_current_object())
    flash(_("Your export is being prepared. This page shows its progress."), "info")
    return redirect(url_for("privacy.index"))


@bp.get("/export/<job_id>.zip")
@login_required
def download(job_id):
    path = privacy.export_path(current_user, job_id)
    return send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name="my-fabrique-data.zip",
        max_age=0,
    )


@bp.post("/erase")
@login_required
def erase():
    form = EraseForm()
    if not form.validate():
        return _page(form, 422)
    try:
        privacy.erase_account(current_user._get_current_object(), form.password.data)
    except ValidationError as error:
        flash_errors(form, error)
        return _page(form, 422)
    logout_user()
    flash(
        _("Your account is erased. Your contributions stay, credited to an anonymous contributor."),
        "success",
    )
    return redirect(url_for("web.home"))
