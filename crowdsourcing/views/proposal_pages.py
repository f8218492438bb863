"""Proposal pages: submit and edit, a proposal's page, stage, progress, screenshots, supports;
the showcase; the jury's scoring page, the ranking and the exports."""

import os

from flask import Response, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crowdsourcing import hackathon_forms as forms
from crowdsourcing import hackathon_queries, policies
from crowdsourcing.hackathon_models import STAGES, Screenshot
from crowdsourcing.models import Dataset
from crowdsourcing.services import hackathons, jury, proposals, screenshots, teams
from crowdsourcing.views import _back, _int, _user, bp
from webapp.accounts.forms import EmptyForm, flash_errors
from webapp.errors import NotFound, PermissionDenied, ValidationError
from webapp.extensions import db


def _proposal_form(hack, obj=None):
    form = forms.ProposalForm(obj=obj)
    form.datasets.choices = [
        (d.slug, d.title) for d in db.session.scalars(select(Dataset).order_by(Dataset.title))
    ]
    form.challenge.choices = [("", _("No challenge in particular"))] + [
        (str(c.id), c.title) for c in hack.challenges
    ]
    my_team = teams.team_of(current_user, hack)
    form.team.choices = [("", _("Myself"))] + ([(str(my_team.id), my_team.name)] if my_team else [])
    form.licence.choices = [("", _("Not decided yet"))] + [
        (k, str(v)) for k, v in proposals.licence_labels().items()
    ]
    form.stage.choices = [(s, str(proposals.stage_labels()[s])) for s in STAGES]
    if obj is not None and request.method == "GET":
        form.datasets.data = [d.slug for d in obj.datasets]
        form.challenge.data = str(obj.challenge_id or "")
    return form


def _proposal_data(form):
    data = {
        k: form[k].data
        for k in (
            "title",
            "pitch",
            "problem",
            "target_users",
            "repository_url",
            "demo_url",
            "licence",
            "stage",
            "team",
            "challenge",
        )
    }
    data["datasets"] = form.datasets.data or []
    data["missing"] = [
        {
            "title": form[f"missing_title_{n}"].data,
            "description": form[f"missing_description_{n}"].data,
        }
        for n in range(1, forms.MISSING_ROWS + 1)
    ]
    return data


def _flash_missing(form, error):
    """Missing-data rows' errors (`missing.0.title`) onto their form fields."""
    fields = dict(error.fields or {})
    for key in [k for k in fields if k.startswith("missing.")]:
        _m, index, name = key.split(".")
        target = (
            form[f"missing_{name}_{int(index) + 1}"] if int(index) < forms.MISSING_ROWS else None
        )
        messages = fields.pop(key)
        if target is not None:
            target.errors = list(target.errors) + [str(m) for m in messages]
    error.fields = fields
    flash_errors(form, error)


@bp.route("/hackathons/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def proposal_new(slug):
    hack = hackathons.get(slug)
    form = _proposal_form(hack)
    if form.validate_on_submit():
        try:
            proposal = proposals.submit(_user(), hack.id, _proposal_data(form))
        except ValidationError as error:
            _flash_missing(form, error)
        else:
            flash(
                _("Your proposal is recorded. It will be public once a moderator has reviewed it."),
                "success",
            )
            return redirect(url_for(".proposal", slug=slug, proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "crowdsourcing/hackathons/proposal_form.html", hack=hack, form=form, proposal=None
    ), status


@bp.route("/hackathons/<slug>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def proposal_edit(slug, proposal_id):
    row = proposals.get_visible(current_user, proposal_id)
    if not policies.can_edit_proposal(current_user, row):
        raise PermissionDenied("proposal.not_yours")
    form = _proposal_form(row.hackathon, obj=row)
    if form.validate_on_submit():
        try:
            proposals.update(_user(), proposal_id, _proposal_data(form))
        except ValidationError as error:
            _flash_missing(form, error)
        else:
            flash(_("Your proposal is saved."), "success")
            return redirect(url_for(".proposal", slug=slug, proposal_id=proposal_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "crowdsourcing/hackathons/proposal_form.html", hack=row.hackathon, form=form, proposal=row
    ), status


@bp.get("/hackathons/<slug>/proposals/<int:proposal_id>")
def proposal(slug, proposal_id):
    row = proposals.get_visible(current_user, proposal_id)
    if row.hackathon.slug != slug:
        raise NotFound("proposal.not_found")
    stage_form = forms.StageForm()
    stage_form.stage.choices = [
        (s, str(proposals.stage_labels()[s]))
        for s in STAGES
        if STAGES.index(s) > STAGES.index(row.stage)
    ]
    return render_template(
        "crowdsourcing/hackathons/proposal.html",
        hack=row.hackathon,
        proposal=row,
        submission=proposals.submission_of(row),
        public=proposals.is_public(row),
        supporters=proposals.supporters_count(row.id),
        supported=row.id in proposals.supported_by(current_user, [row.id]),
        can_edit=policies.can_edit_proposal(current_user, row),
        stage_form=stage_form,
        progress_form=forms.ProgressForm(),
        screenshot_form=forms.ScreenshotForm(),
        empty_form=EmptyForm(),
    )


def _to_proposal(row_id):
    row = proposals.get(row_id)
    return redirect(url_for(".proposal", slug=row.hackathon.slug, proposal_id=row.id))


@bp.post("/proposals/<int:proposal_id>/stage")
@login_required
def proposal_stage(proposal_id):
    proposals.set_stage(_user(), proposal_id, request.form.get("stage"), request.form.get("note"))
    flash(_("The stage is updated."), "success")
    return _to_proposal(proposal_id)


@bp.post("/proposals/<int:proposal_id>/progress")
@login_required
def proposal_progress(proposal_id):
    proposals.log_progress(_user(), proposal_id, request.form.get("body"))
    flash(_("Your news is added to the progress log."), "success")
    return _to_proposal(proposal_id)


@bp.post("/proposals/<int:proposal_id>/screenshots")
@login_required
def proposal_screenshot(proposal_id):
    upload = request.files.get("file")
    proposals.add_screenshot(
        _user(), proposal_id, upload.read() if upload else b"", request.form.get("caption")
    )
    flash(_("The screenshot is added."), "success")
    return _to_proposal(proposal_id)


@bp.post("/proposals/<int:proposal_id>/support")
@login_required
def proposal_support(proposal_id):
    proposals.support(_user(), proposal_id)
    flash(_("Thank you for your support."), "success")
    return redirect(_back(url_for(".showcase")))


@bp.post("/proposals/<int:proposal_id>/support/withdraw")
@login_required
def proposal_unsupport(proposal_id):
    proposals.withdraw_support(_user(), proposal_id)
    flash(_("Your support is withdrawn."), "success")
    return redirect(_back(url_for(".showcase")))


@bp.get("/hackathons/screenshots/<int:screenshot_id>")
def screenshot(screenshot_id):
    row = db.session.get(Screenshot, screenshot_id)
    if row is None:
        raise NotFound("screenshot.not_found")
    proposals.get_visible(current_user, row.proposal_id)
    directory, name = os.path.split(os.path.join(screenshots.folder(), row.path))
    return send_from_directory(directory, name, mimetype=row.media_type)


@bp.get("/showcase/")
def showcase():
    rows = hackathon_queries.showcase()
    return render_template(
        "crowdsourcing/hackathons/showcase.html",
        rows=rows,
        supported=proposals.supported_by(current_user, [p.id for p in rows]),
        empty_form=EmptyForm(),
    )


# --- the jury ----------------------------------------------------------------------------------


@bp.route("/hackathons/<slug>/jury", methods=["GET", "POST"])
@login_required
def jury_scores(slug):
    hack = hackathons.get(slug)
    if not policies.is_juror(current_user, hack):
        raise PermissionDenied("score.not_juror")
    if request.method == "POST":
        proposal_id = _int(request.form.get("proposal"), "proposal", _("Choose a proposal."))
        values = {
            c.id: _int(request.form.get(f"criterion-{c.id}"), "value", _("Give a whole number."))
            for c in hack.criteria
        }
        jury.score_many(_user(), proposal_id, {k: v for k, v in values.items() if v is not None})
        flash(_("Your scores are saved."), "success")
        return redirect(url_for(".jury_scores", slug=slug))
    return render_template(
        "crowdsourcing/hackathons/jury.html",
        hack=hack,
        rows=jury.approved_proposals(hack),
        mine=jury.my_scores(_user(), hack),
        can_score=policies.can_score(current_user, hack),
        empty_form=EmptyForm(),
    )


@bp.get("/hackathons/<slug>/ranking")
def ranking(slug):
    hack, rows = jury.ranking(current_user, hackathons.get(slug).id)
    return render_template(
        "crowdsourcing/hackathons/ranking.html",
        hack=hack,
        rows=rows,
        can_manage=policies.can_manage_hackathon(current_user, hack),
        empty_form=EmptyForm(),
    )


@bp.post("/hackathons/<slug>/results")
@login_required
def publish_results(slug):
    jury.publish_results(_user(), hackathons.get(slug).id)
    flash(_("The results are published."), "success")
    return redirect(url_for(".ranking", slug=slug))


@bp.get("/hackathons/<slug>/export/<any(proposals, scores):what>.<any(csv, json):fmt>")
@login_required
def hackathon_export(slug, what, fmt):
    export = jury.export_proposals if what == "proposals" else jury.export_scores
    body = export(_user(), hackathons.get(slug).id, fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{slug}-{what}.{fmt}"'},
    )
