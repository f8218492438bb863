"""The catalogue's pages: the list, a dataset, the DCAT-AP feed, the import (staff)."""

import json
import math

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crowdsourcing import dcat, forms, hackathon_queries, queries
from crowdsourcing.services import catalogue
from crowdsourcing.views import _departments, _user, bp, comment_pages, moderators_only
from webapp import jobs
from webapp.accounts.forms import flash_errors
from webapp.csvutil import to_csv
from webapp.db import unit_of_work
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import Job

PER_PAGE = 20
IMPORT_JOB = "crowdsourcing.jobs.import_catalogue"


@bp.context_processor
def _catalogue_globals():
    return {
        "dataset_licence_labels": catalogue.licence_labels(),
        "frequency_labels": catalogue.frequency_labels(),
    }


def _filter_form():
    form = forms.CatalogueFilterForm(formdata=request.args)
    departments, locale = _departments()
    form.department.choices = [("", _("All departments"))] + [
        (d.slug, d.name(locale)) for d in departments
    ]
    form.theme.choices = [("", _("All themes"))] + [(t, t) for t in catalogue.themes()]
    form.licence.choices = [("", _("All licences"))] + [
        (k, str(v)) for k, v in catalogue.licence_labels().items()
    ]
    return form


@bp.get("/catalogue/")
def catalogue_list():
    form = _filter_form()
    filters = {name: form[name].data for name in ("q", "department", "theme", "licence")}
    number = request.args.get("page", 1, type=int) or 1
    rows, total = catalogue.page(filters, number, PER_PAGE)
    args = {k: v for k, v in filters.items() if v}
    return render_template(
        "crowdsourcing/catalogue_list.html",
        form=form,
        rows=rows,
        total=total,
        number=number,
        pages=max(1, math.ceil(total / PER_PAGE)),
        args=args,
        can_import=catalogue.can_import(current_user),
    )


@bp.get("/catalogue/dcat.jsonld")
def catalogue_dcat():
    body = dcat.catalogue(db.session.scalars(catalogue.search({})).all())
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/ld+json")


@bp.get("/catalogue/<slug>")
def dataset(slug):
    row = catalogue.get(slug)
    item_id = row.backlog_item_id
    return render_template(
        "crowdsourcing/dataset.html",
        dataset=row,
        requests=queries.public_requests_of([item_id])[item_id] if item_id else [],
        can_see_item=item_id is not None and _can_see_backlog(),
        apps=hackathon_queries.apps_of_dataset(row.id),
        **comment_pages.comment_context("dataset", row.id),
    )


def _can_see_backlog():
    from crowdsourcing.services import backlog

    return backlog.can_view_staff_pages(current_user)


def _imports():
    return db.session.scalars(
        select(Job).where(Job.name == IMPORT_JOB).order_by(Job.created_at.desc()).limit(5)
    ).all()


@bp.route("/catalogue/import", methods=["GET", "POST"])
@moderators_only
def catalogue_import():
    form = forms.CatalogueImportForm()
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            if not data:
                raise ValidationError(
                    "catalogue.no_file", fields={"file": [_("Choose a file to import.")]}
                )
            catalogue.parse(data)
        except ValidationError as error:
            flash_errors(form, error)
            return render_template(
                "crowdsourcing/catalogue_import.html", form=form, imports=_imports()
            ), 422
        with unit_of_work():
            jobs.enqueue_after_commit(
                _job(), _user().id, data.decode("utf-8-sig"), "import:upload", actor=_user()
            )
        flash(_("The import has started."), "success")
        return redirect(url_for(".catalogue_import"))
    return render_template("crowdsourcing/catalogue_import.html", form=form, imports=_imports())


def _job():
    from crowdsourcing import jobs as pipeline_jobs

    return pipeline_jobs.import_catalogue


@bp.get("/catalogue/import/<job_id>/report.csv")
@moderators_only
def catalogue_import_report(job_id):
    job = db.session.get(Job, job_id)
    if job is None or job.name != IMPORT_JOB or job.status != "finished":
        abort(404)
    reasons, outcomes = catalogue.reason_labels(), catalogue.outcome_labels()
    header = [_("Line"), _("Identifier"), _("Title"), _("Status in the file"), _("Outcome")]
    header.append(_("Reason"))
    body = [
        [
            line["line"],
            line["identifier"],
            line["title"],
            line["status"],
            str(outcomes.get(line["outcome"], line["outcome"])),
            str(reasons.get(line["reason"], line["reason"])) if line["reason"] else "",
        ]
        for line in (job.result or {}).get("rows", [])
    ]
    return Response(
        to_csv(header, body),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="catalogue-import.csv"'},
    )
