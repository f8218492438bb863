"""Members' pages: my contributions, dataset requests, support and reports."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crowdsourcing import forms, queries
from crowdsourcing.models import (
    APPROVED,
    CHANGES_REQUESTED,
    PENDING,
    DatasetRequestSupport,
    Submission,
)
from crowdsourcing.services import moderation
from crowdsourcing.services import requests as dataset_requests
from crowdsourcing.views import (
    _back,
    _departments,
    _object_url,
    _user,
    bp,
    comment_pages,
    flag_reason_labels,
)
from webapp.accounts.forms import EmptyForm, flash_errors
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db


@bp.get("/my/contributions")
@login_required
def my_contributions():
    rows = queries.of_submitter(_user())
    return render_template(
        "crowdsourcing/my_contributions.html",
        rows=[(s, _object_url(s)) for s in rows],
        backlog_items=queries.items_of_submissions([s.id for s in rows]),
        request_kind=dataset_requests.KIND,
        empty_form=EmptyForm(),
    )


@bp.post("/my/contributions/<int:submission_id>/resubmit")
@login_required
def resubmit(submission_id):
    moderation.resubmit(_user(), submission_id, (request.form.get("note") or "").strip() or None)
    flash(_("Your contribution is back in the moderation queue."), "success")
    return redirect(url_for(".my_contributions"))


@bp.post("/my/contributions/<int:submission_id>/withdraw")
@login_required
def withdraw(submission_id):
    moderation.withdraw(_user(), submission_id)
    flash(_("Your contribution is withdrawn."), "success")
    return redirect(url_for(".my_contributions"))


# --- dataset requests -------------------------------------------------------------------------


def _supported(request_ids):
    if not current_user.is_authenticated or not request_ids:
        return set()
    return set(
        db.session.scalars(
            select(DatasetRequestSupport.request_id).where(
                DatasetRequestSupport.user_id == current_user.id,
                DatasetRequestSupport.request_id.in_(request_ids),
            )
        )
    )


@bp.get("/requests/", endpoint="requests")
def request_list():
    rows = queries.public_requests()
    return render_template(
        "crowdsourcing/requests.html",
        rows=rows,
        supported=_supported([r.id for r, _n in rows]),
        empty_form=EmptyForm(),
    )


def _request_form(obj=None):
    data = None
    if obj is not None:
        data = {name: getattr(obj, name) for name in dataset_requests.LIMITS}
        data["department"] = obj.department.slug if obj.department else ""
    form = forms.DatasetRequestForm(data=data)
    departments, locale = _departments()
    form.department.choices = [("", _("I do not know"))] + [
        (d.slug, d.name(locale)) for d in departments
    ]
    return form


def _request_data(form):
    return {name: form[name].data for name in (*dataset_requests.LIMITS, "department")}


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    form = _request_form()
    if form.validate_on_submit():
        try:
            dataset_requests.create(_user(), _request_data(form))
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(
                _("Your request is recorded. It will be public once a moderator has reviewed it."),
                "success",
            )
            return redirect(url_for(".my_contributions"))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template(
        "crowdsourcing/request_form.html", form=form, dataset_request=None
    ), status


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit_request(request_id):
    obj = dataset_requests.get_visible(current_user, request_id)
    if obj.requester_id != current_user.id:
        raise PermissionDenied("dataset_request.not_yours")
    if dataset_requests.submission_of(obj).status not in (PENDING, CHANGES_REQUESTED):
        flash(_("This request can no longer be edited."), "error")
        return redirect(url_for(".request_detail", request_id=request_id))
    form = _request_form(obj if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            dataset_requests.update(_user(), request_id, _request_data(form))
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(_("Your request is saved."), "success")
            return redirect(url_for(".my_contributions"))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template(
        "crowdsourcing/request_form.html", form=form, dataset_request=obj
    ), status


@bp.get("/requests/<int:request_id>")
def request_detail(request_id):
    obj = dataset_requests.get_visible(current_user, request_id)
    submission = dataset_requests.submission_of(obj)
    return render_template(
        "crowdsourcing/request.html",
        dataset_request=obj,
        submission=submission,
        public=submission.status == APPROVED and not submission.hidden,
        supporters=dataset_requests.supporters_count(obj.id),
        from_proposal=_public_proposal_of(obj.id),
        supported=obj.id in _supported([obj.id]),
        flag_form=_flag_form(formdata=None),
        empty_form=EmptyForm(),
        **comment_pages.comment_context("dataset_request", obj.id),
    )


@bp.post("/requests/<int:request_id>/support")
@login_required
def support(request_id):
    dataset_requests.support(_user(), request_id)
    flash(_("Thank you: your need is counted."), "success")
    return redirect(_back(url_for(".request_detail", request_id=request_id)))


@bp.post("/requests/<int:request_id>/support/withdraw")
@login_required
def withdraw_support(request_id):
    dataset_requests.withdraw_support(_user(), request_id)
    flash(_("Your need is no longer counted."), "success")
    return redirect(_back(url_for(".request_detail", request_id=request_id)))


def _public_proposal_of(request_id):
    """The published app proposal whose missing data this request is, if any."""
    from crowdsourcing import hackathon_queries
    from crowdsourcing.services import proposals

    found = hackathon_queries.proposals_of_requests([request_id]).get(request_id)
    return found if found is not None and proposals.is_public(found) else None


# --- reports ----------------------------------------------------------------------------------


def _flag_form(**kwargs):
    form = forms.FlagForm(**kwargs)
    form.reason.choices = [("", _("Choose a reason"))] + list(flag_reason_labels().items())
    return form


@bp.route("/submissions/<int:submission_id>/flag", methods=["GET", "POST"])
@login_required
def flag(submission_id):
    form, status = _flag_form(), 200
    if request.method == "POST":
        try:
            submission = moderation.flag(_user(), submission_id, form.reason.data, form.note.data)
        except ValidationError as error:
            flash_errors(form, error)
            status = 422
        else:
            flash(_("Thank you. The moderators will look at your report."), "success")
            url = None if submission.hidden else _object_url(submission)
            return redirect(url or url_for("web.home"))
    submission = db.session.get(Submission, submission_id)
    if submission is None or not moderation.is_reportable(submission) or submission.hidden:
        raise NotFound("submission.not_found")  # unpublished items are nobody's business
    return render_template("crowdsourcing/flag.html", submission=submission, form=form), status
