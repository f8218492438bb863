"""The dataset backlog's pages: staff list, board, item, CSV export; routing from the
moderation item page; the public transparency page."""

import functools

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crowdsourcing import forms, queries
from crowdsourcing.models import BACKLOG_STATUSES, PUBLISHED, BacklogItem, Dataset
from crowdsourcing.services import backlog
from crowdsourcing.views import _departments, _int, _user, bp, comment_pages, moderators_only
from webapp.accounts.forms import flash_errors
from webapp.accounts.models import DATA_STEWARD, User, UserRole
from webapp.csvutil import to_csv
from webapp.errors import Conflict, PermissionDenied, ValidationError
from webapp.extensions import db

SORTS = ("priority", "demand", "due")


def staff_only(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not backlog.can_view_staff_pages(current_user):
            raise PermissionDenied("backlog.denied")
        return view(*args, **kwargs)

    return wrapped


@bp.context_processor
def _backlog_globals():
    return {
        "backlog_status_labels": backlog.status_labels(),
        "licence_labels": backlog.licence_labels(),
        "priority_labels": backlog.priority_labels(),
        "decline_labels": backlog.decline_labels(),
    }


def _filter_form():
    form = forms.BacklogFilterForm(formdata=request.args)
    form.status.choices = [("", _("All statuses"))] + [
        (k, str(v)) for k, v in backlog.status_labels().items()
    ]
    departments, locale = _departments()
    form.department.choices = [("", _("All departments"))] + [
        (str(d.id), d.name(locale)) for d in departments
    ]
    form.sort.choices = [
        ("priority", _("Priority")),
        ("demand", _("Demand")),
        ("due", _("Due date")),
    ]
    return form


def _filters(form):
    department = form.department.data or ""
    return {
        "status": form.status.data if form.status.data in BACKLOG_STATUSES else None,
        "department": int(department) if department.isdigit() else None,
        "sort": form.sort.data if form.sort.data in SORTS else "priority",
    }


@bp.get("/backlog/")
@staff_only
def backlog_list():
    form = _filter_form()
    rows = queries.backlog(_filters(form), viewer=_user())
    return render_template("crowdsourcing/backlog_list.html", form=form, rows=rows)


@bp.get("/backlog/board")
@staff_only
def backlog_board():
    rows = queries.backlog({"sort": "priority"}, viewer=_user())
    columns = {status: [] for status in BACKLOG_STATUSES}
    for row in rows:
        columns[row[0].status].append(row)
    return render_template("crowdsourcing/backlog_board.html", columns=columns)


@bp.get("/backlog/export.csv")
@staff_only
def backlog_export():
    locale = str(get_locale())
    rows = queries.backlog({"sort": "priority"}, viewer=_user())
    header = [_("Number"), _("Title"), _("Department"), _("Status"), _("Priority")]
    header += [_("Licence"), _("Formats wanted"), _("Due date"), _("Overdue"), _("People")]
    body = [
        [
            item.id,
            item.title,
            item.department.name(locale) if item.department else "",
            backlog.status_labels()[item.status],
            backlog.priority_labels().get(item.priority, item.priority),
            backlog.licence_labels().get(item.licence, "") if item.licence else "",
            item.formats or "",
            item.due_date.isoformat() if item.due_date else "",
            _("yes") if late else _("no"),
            demand["people"],
        ]
        for item, late, demand in rows
    ]
    return Response(
        to_csv([str(h) for h in header], [[str(v) for v in r] for r in body]),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="backlog.csv"'},
    )


def _stewards(department_id):
    if department_id is None:
        return []
    return db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == DATA_STEWARD, User.department_id == department_id)
        .order_by(User.id)
    ).all()


def _item_form(item, formdata=None):
    data = {
        "title": item.title,
        "description": item.description,
        "department": str(item.department_id or ""),
        "steward": str(item.steward_id or ""),
        "formats": item.formats,
        "licence": item.licence or "",
        "licence_conditions": item.licence_conditions,
        "priority": item.priority,
        "due_date": item.due_date,
    }
    form = forms.BacklogItemForm(formdata=formdata, data=data)
    departments, locale = _departments()
    form.department.choices = [("", _("Not known yet"))] + [
        (str(d.id), d.name(locale)) for d in departments
    ]
    form.steward.choices = [("", _("Nobody yet"))] + [
        (str(u.id), u.display_name) for u in _stewards(item.department_id)
    ]
    form.licence.choices = [("", _("Not decided yet"))] + [
        (k, str(v)) for k, v in backlog.licence_labels().items()
    ]
    form.priority.choices = [(k, str(v)) for k, v in backlog.priority_labels().items()]
    return form


def _transition_form(item, formdata=None):
    form = forms.TransitionForm(formdata=formdata)
    labels = backlog.status_labels()
    form.to_status.choices = [(s, str(labels[s])) for s in backlog.TRANSITIONS[item.status]]
    form.decline_reason.choices = [("", _("Choose a reason"))] + [
        (k, str(v)) for k, v in backlog.decline_labels().items()
    ]
    if PUBLISHED in backlog.TRANSITIONS[item.status]:
        free = db.session.scalars(
            select(Dataset)
            .where(Dataset.backlog_item_id.is_(None) | (Dataset.backlog_item_id == item.id))
            .order_by(Dataset.title)
        ).all()
        form.dataset.choices = [("", _("A new dataset, made from this item"))] + [
            (d.slug, d.title) for d in free
        ]
    return form


def _item_page(item_id, status=200, edit_form=None, transition_form=None):
    item = backlog.get(item_id)
    evidence = queries.evidence(item_id)
    return render_template(
        "crowdsourcing/backlog_item.html",
        item=item,
        overdue=queries.is_overdue(item),
        demand=queries.demand([item.id])[item.id],
        evidence=[(e, *_evidence_urls(e)) for e in evidence],
        history=queries.backlog_history(item_id),
        can_manage=backlog.can_manage(current_user, item),
        edit_form=edit_form or _item_form(item),
        transition_form=transition_form or _transition_form(item),
        dataset=db.session.scalar(select(Dataset).where(Dataset.backlog_item_id == item.id)),
        **comment_pages.comment_context("backlog_item", item.id),
    ), status


def _evidence_urls(evidence):
    from crowdsourcing.views import _object_url

    return url_for(".item", submission_id=evidence.submission_id), _object_url(evidence.submission)


@bp.get("/backlog/<int:item_id>")
@staff_only
def backlog_item(item_id):
    return _item_page(item_id)


@bp.post("/backlog/<int:item_id>/transition")
@staff_only
def backlog_transition(item_id):
    item = backlog.get(item_id)
    form = _transition_form(item, request.form)
    form.validate()
    try:
        backlog.transition(
            _user(),
            item_id,
            form.to_status.data,
            form.note.data,
            due_date=form.due_date.data,
            decline_reason=form.decline_reason.data or None,
            decline_link=form.decline_link.data,
            decline_text=form.decline_text.data,
            postponed_until=form.postponed_until.data,
            dataset=form.dataset.data or None,
        )
    except ValidationError as error:
        flash_errors(form, error)
        return _item_page(item_id, 422, transition_form=form)
    except Conflict as error:
        flash(str(error.message), "error")
        return _item_page(item_id, 409)
    flash(_("The item's status is changed."), "success")
    return redirect(url_for(".backlog_item", item_id=item_id))


@bp.post("/backlog/<int:item_id>/edit")
@staff_only
def backlog_edit(item_id):
    form = _item_form(backlog.get(item_id), request.form)
    form.validate()
    try:
        backlog.update(_user(), item_id, {name: form[name].data for name in _ITEM_FIELDS})
    except ValidationError as error:
        flash_errors(form, error)
        return _item_page(item_id, 422, edit_form=form)
    flash(_("Changes saved."), "success")
    return redirect(url_for(".backlog_item", item_id=item_id))


_ITEM_FIELDS = (
    "title",
    "description",
    "department",
    "steward",
    "formats",
    "licence",
    "licence_conditions",
    "priority",
    "due_date",
)


# --- routing from the moderation item page ----------------------------------------------------


def route_form(submission, formdata=None):
    """The routing form shown on a moderation item page."""
    form = forms.RouteForm(
        formdata=formdata,
        data={
            "version": submission.version,
            "title": submission.title,
            "department": str(submission.department_id or ""),
        },
    )
    items = db.session.scalars(select(BacklogItem).order_by(BacklogItem.id.desc())).all()
    form.item.choices = [("", _("A new item, made from this contribution"))] + [
        (str(i.id), f"#{i.id} {i.title}") for i in items
    ]
    departments, locale = _departments()
    form.department.choices = [("", _("Not known yet"))] + [
        (str(d.id), d.name(locale)) for d in departments
    ]
    return form


@bp.post("/moderation/<int:submission_id>/route")
@moderators_only
def route(submission_id):
    from crowdsourcing.views import inbox_pages

    form = forms.RouteForm()
    item_id = _int(form.item.data, "item", _("Choose an existing item, or create a new one."))
    version = _int(form.version.data, "version", _("Reload the page and try again."))
    new = None
    if item_id is None:
        new = {"title": form.title.data, "department": form.department.data or None}
    try:
        item = backlog.route(_user(), submission_id, item_id, new, version, form.note.data)
    except ValidationError as error:
        flash_errors(form, error)
        return inbox_pages._item_page(submission_id, 422, route=form)
    except Conflict as error:
        flash(str(error.message), "error")
        return inbox_pages._item_page(submission_id, 409)
    flash(_("The contribution is linked to the backlog item “%(title)s”.", title=item.title))
    return redirect(url_for(".backlog_item", item_id=item.id))


# --- the public transparency page -------------------------------------------------------------


@bp.get("/open-data/")
def open_data():
    rows = queries.backlog({"sort": "demand"})
    return render_template(
        "crowdsourcing/open_data.html",
        rows=rows,
        requests=queries.public_requests_of([item.id for item, _late, _d in rows]),
    )
