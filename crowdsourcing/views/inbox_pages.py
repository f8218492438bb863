"""Moderators' pages: the inbox, an item and its decisions, the log, the summary, settings."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from crowdsourcing import api, forms, queries, registry, stats
from crowdsourcing.models import (
    APPROVED,
    PENDING,
    STATUSES,
    Flag,
    RejectReason,
    Submission,
)
from crowdsourcing.services import moderation
from crowdsourcing.views import (
    _departments,
    _described,
    _described_many,
    _int,
    _user,
    admins_only,
    bp,
    moderators_only,
    status_labels,
)
from webapp.accounts.forms import EmptyForm, flash_errors
from webapp.db import utcnow
from webapp.errors import Conflict, NotFound, ValidationError
from webapp.extensions import db
from webapp.profiles import visibility


def _filter_form():
    form = forms.InboxFilterForm(formdata=request.args)
    form.status.choices = list(status_labels().items())
    form.kind.choices = [("", _("All kinds"))] + [(n, k.label) for n, k in registry.KINDS.items()]
    departments, locale = _departments()
    form.department.choices = [("", _("All departments"))] + [
        (str(d.id), d.name(locale)) for d in departments
    ]
    form.context.choices = [("", _("All inventories and events"))] + registry.contexts()
    return form


def _filters(form):
    if not form.validate():
        return {}
    department = form.department.data or ""
    return {
        "status": form.status.data if form.status.data in STATUSES else PENDING,
        "kind": form.kind.data or None,
        "department": int(department) if department.isdigit() else None,
        "context": form.context.data or None,
        "older_than_days": form.older_than_days.data,
        "flagged": form.flagged.data,
        "duplicate_hint": form.duplicate_hint.data,
    }


def _reason_choices(form):
    locale = str(get_locale())
    reasons = db.session.scalars(
        select(RejectReason).where(RejectReason.active.is_(True)).order_by(RejectReason.code)
    ).all()
    form.reason.choices = [("", _("Choose a reason"))] + [
        (str(r.id), r.text(locale)) for r in reasons
    ]
    return form


def _inbox_page(bulk_form, status=200):
    filter_form = _filter_form()
    filters = _filters(filter_form)
    status = 422 if filter_form.errors else status
    try:
        after = api.decode_cursor(request.args.get("after"))
    except ValidationError:
        flash(_("This page link is not valid any more: here is the first page."), "error")
        after, status = None, 422
    rows, next_after = queries.inbox(filters, after)
    args = {k: v for k, v in request.args.items() if k != "after"}
    next_url = (
        url_for(".inbox", **args, after=api.encode_cursor(next_after)) if next_after else None
    )
    return render_template(
        "crowdsourcing/inbox.html",
        filter_form=filter_form,
        bulk_form=bulk_form,
        rows=[(s, *described) for s, described in zip(rows, _described_many(rows), strict=True)],
        names=visibility.display_names(_user(), [s.submitter for s in rows]),
        hidden=queries.flagged_for_review(),
        next_url=next_url,
        args=args,
    ), status


def _bulk_form(**kwargs):
    form = _reason_choices(forms.BulkDecisionForm(**kwargs))
    form.action.choices = [("approve", _("Approve")), ("reject", _("Reject"))]
    return form


@bp.get("/moderation/")
@moderators_only
def inbox():
    return _inbox_page(_bulk_form(formdata=None))


def _bulk_items(values):
    items = []
    for value in values:
        ident, _sep, version = value.partition(":")
        if not (ident.isdigit() and version.isdigit()):
            raise ValidationError(
                "inbox.selection_invalid", message=_("The selection is not valid.")
            )
        items.append((int(ident), int(version)))
    if not items:
        raise ValidationError("inbox.selection_empty", message=_("Select at least one item."))
    return items


@bp.post("/moderation/bulk")
@moderators_only
def bulk():
    form = _bulk_form()
    try:
        done, refused = moderation.bulk_decide(
            _user(),
            _bulk_items(request.form.getlist("items")),
            form.action.data,
            _int(form.reason.data, "reason", _("Unknown reason.")),
            form.note.data,
        )
    except ValidationError as error:
        flash_errors(form, error)
        return _inbox_page(form, 422)
    flash(ngettext("%(num)d item decided.", "%(num)d items decided.", len(done)), "success")
    if refused:
        numbers = ", ".join(f"#{ident}" for ident, _code in refused)
        flash(
            _(
                "Not decided, because another moderator changed them first: %(items)s.",
                items=numbers,
            ),
            "warning",
        )
    return redirect(url_for(".inbox", **request.args))


# --- one item ---------------------------------------------------------------------------------


def _open_flags(submission_id):
    return db.session.scalars(
        select(Flag)
        .where(Flag.submission_id == submission_id, Flag.resolved_at.is_(None))
        .order_by(Flag.id)
    ).all()


def _item_page(submission_id, status=200, **posted):
    submission = db.session.get(Submission, submission_id, populate_existing=True)
    if submission is None:
        raise NotFound("submission.not_found")
    decision_forms = {
        action: posted.get(action)
        or form_class(formdata=None, data={"version": submission.version})
        for action, form_class in forms.DECISION_FORMS.items()
    }
    _reason_choices(decision_forms["reject"])
    preview, url = _described(submission)
    from crowdsourcing.views import backlog_pages

    kind = registry.KINDS.get(submission.kind)
    obj = kind.load(submission.object_id) if kind and kind.preview_geojson else None

    return render_template(
        "crowdsourcing/item.html",
        route_form=posted.get("route") or backlog_pages.route_form(submission),
        routed_to=queries.items_of_submissions([submission.id]).get(submission.id, []),
        submission=submission,
        preview=preview,
        preview_geojson=kind.preview_geojson(obj) if obj is not None else None,
        object_url=url,
        forms=decision_forms,
        decidable=submission.status == PENDING
        or (submission.status == APPROVED and submission.hidden),
        claimed=submission.claimed_by_id is not None
        and submission.claimed_until is not None
        and submission.claimed_until > utcnow(),
        history=queries.history(submission_id),
        flags=_open_flags(submission_id),
        empty_form=EmptyForm(),
    ), status


@bp.get("/moderation/<int:submission_id>")
@moderators_only
def item(submission_id):
    return _item_page(submission_id)


@bp.post(
    "/moderation/<int:submission_id>/<any(approve, reject, request_changes, duplicate):action>"
)
@moderators_only
def decide(submission_id, action):
    form = forms.DECISION_FORMS[action]()
    stale = _("This form is out of date: reload the page and try again.")
    try:
        # The version is hidden: an error on it must be flashed, not shown beside the field.
        if not (form.version.data or "").isdigit():
            raise ValidationError("submission.version_missing", message=stale)
        version = int(form.version.data)
        if not form.validate():
            return _item_page(submission_id, 422, **{action: form})
        fields = form.data
        submission = moderation.decide(
            _user(),
            submission_id,
            version,
            action,
            reason_id=_int(fields.get("reason"), "reason", _("Unknown reason.")),
            note=fields.get("note"),
            duplicate_of_id=fields.get("duplicate_of"),
        )
    except ValidationError as error:
        flash_errors(form, error)
        return _item_page(submission_id, 422, **{action: form})
    except Conflict as error:
        flash(str(error.message), "error")
        return _item_page(submission_id, 409)
    flash(
        _(
            "“%(title)s”: %(status)s.",
            title=submission.title,
            status=status_labels()[submission.status],
        ),
        "success",
    )
    return redirect(url_for(".inbox"))


@bp.post("/moderation/<int:submission_id>/claim")
@moderators_only
def claim(submission_id):
    moderation.claim(_user(), submission_id)
    flash(_("The item is reserved for you while you review it."), "success")
    return redirect(url_for(".item", submission_id=submission_id))


@bp.post("/moderation/<int:submission_id>/release")
@moderators_only
def release(submission_id):
    moderation.release(_user(), submission_id)
    flash(_("The item is released."), "success")
    return redirect(url_for(".item", submission_id=submission_id))


@bp.get("/moderation/log")
@moderators_only
def log():
    events, next_before = queries.log(request.args.get("before", type=int))
    return render_template("crowdsourcing/log.html", events=events, next_before=next_before)


@bp.get("/moderation/summary")
@moderators_only
def summary():
    return render_template("crowdsourcing/summary.html", summary=queries.waiting_summary())


@bp.get("/moderation/dashboard")
@moderators_only
def dashboard():
    return render_template("crowdsourcing/dashboard.html", figures=stats.dashboard())


# --- admins -----------------------------------------------------------------------------------


def _reasons_page(form, status=200):
    reasons = db.session.scalars(select(RejectReason).order_by(RejectReason.code)).all()
    return render_template("crowdsourcing/reasons.html", reasons=reasons, form=form), status


@bp.route("/moderation/reasons", methods=["GET", "POST"])
@admins_only
def reasons():
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        return _reasons_page(form, 422 if form.errors else 200)
    try:
        moderation.save_reason(
            _user(), form.code.data, form.text_fr.data, form.text_en.data, form.active.data
        )
    except ValidationError as error:
        flash_errors(form, error)
        return _reasons_page(form, 422)
    flash(_("Reason added."), "success")
    return redirect(url_for(".reasons"))


@bp.route("/moderation/reasons/<int:reason_id>", methods=["GET", "POST"])
@admins_only
def edit_reason(reason_id):
    reason = db.session.get(RejectReason, reason_id)
    if reason is None:
        raise NotFound("reason.not_found")
    form = forms.ReasonForm(obj=reason)
    if form.validate_on_submit():
        try:
            moderation.save_reason(
                _user(),
                form.code.data,
                form.text_fr.data,
                form.text_en.data,
                form.active.data,
                reason_id,
            )
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for(".reasons"))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("crowdsourcing/reason.html", reason=reason, form=form), status


@bp.route("/moderation/settings", methods=["GET", "POST"])
@admins_only
def settings():
    form = forms.ModerationSettingsForm(obj=moderation.settings())
    if form.validate_on_submit():
        try:
            moderation.save_settings(_user(), form.flag_threshold.data, form.claim_minutes.data)
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for(".settings"))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("crowdsourcing/settings.html", form=form), status


# --- my contributions -------------------------------------------------------------------------
