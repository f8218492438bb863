"""Feature pages: contribute, the feature's page and its actions, edit, remove, history."""

import hashlib
import json
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from crowdsourcing.models import FLAG_REASONS
from mapping import forms, formschema, geo, maps, policies
from mapping.models import POST, PUBLISHED
from mapping.services import browse, features, inventories
from mapping.views import (
    FLAG_REASON_LABELS,
    bp,
    field_errors,
    locale,
    nonce,
    user,
)
from mapping.views.inventory_pages import draw_labels
from webapp import idempotency
from webapp.accounts.forms import EmptyForm
from webapp.errors import Conflict, PermissionDenied, ValidationError


def _draw_map(inventory, geometry):
    """The contribution map: the area's outline and the drawing tools of the allowed types."""
    area = geo.from_db(inventory.area)
    fmap = maps.base_map(bounds=area.bounds, plugins=["geoman"])
    maps.add_outline(fmap, area)
    maps.add_call(
        fmap,
        "draw",
        input="geometry",
        types=list(inventory.allowed_types),
        initial=geometry,
        statusId="draw-status",
        labels=draw_labels(),
    )
    return maps.render(fmap, nonce())


def _posted_geometry():
    try:
        return json.loads(forms.feature_geometry(request.form) or "null")
    except ValueError:
        return None


def _feature_form(inventory, feature=None, error=None, status=200, **context):
    """The contribution form (new or edit), with what was typed kept on errors."""
    if error is not None:
        values = forms.feature_values(inventory, request.form)
        geometry = _posted_geometry()
    else:
        values, geometry = context.pop("values", {}), context.pop("geometry", None)
    return render_template(
        "mapping/feature_form.html",
        inventory=inventory,
        feature=feature,
        values=forms.as_form_values(values),
        errors=field_errors(error) if error else {},
        targets=forms.error_targets(inventory, lambda spec: formschema.label(spec, locale())),
        geometry_json=json.dumps(geometry) if geometry else "",
        map=_draw_map(inventory, geometry),
        **context,
    ), (error.status if error else status)


def _done_message(feature):
    if feature.status == PUBLISHED:
        return _("Thank you! Your contribution is on the map.")
    return _("Thank you! Your contribution waits for a moderator before it is published.")


@bp.route("/inventories/<slug>/contribute", methods=["GET", "POST"])
@login_required
def contribute(slug):
    inventory = inventories.get_visible(user(), slug)
    if not policies.can_contribute(user(), inventory):
        raise PermissionDenied("feature.cannot_contribute")
    party = forms.party_id(request.values.get("party"))
    if request.method == "GET":
        # One key per submission: a form sent again (a retry after a lost answer, a double
        # click) finds the feature the first one created instead of adding it twice.
        return _feature_form(inventory, party=party, submission_key=uuid.uuid4().hex)
    key = (request.form.get("submission_key") or "").strip()[: idempotency.MAX_LENGTH] or None
    geometry = forms.feature_geometry(request.form)
    values = forms.feature_values(inventory, request.form)
    photos = forms.feature_photos(inventory, request.files)
    payload = {
        "geometry": geometry,
        "values": values,
        "party": party,
        "photos": {k: hashlib.sha256(v).hexdigest() for k, v in photos.items()},
    }
    try:
        try:
            created, _replayed = idempotency.run_once(
                user(),
                key,
                f"feature:{inventory.id}",
                payload,
                lambda: features.create(
                    user(), inventory.id, geometry, values, photos, party_id=party
                ),
                lambda feature_id: features.get_visible(user(), feature_id),
            )
        except ValidationError as error:
            if error.code != "idempotency.key_reused":
                raise
            # The page was sent, then changed and sent again (back button): a new submission.
            created = features.create(user(), inventory.id, geometry, values, photos, party)
    except ValidationError as error:
        return _feature_form(inventory, error=error, party=party, submission_key=key)
    flash(_done_message(created), "success")
    return redirect(url_for(".feature", feature_id=created.id))


def _shape_map(view):
    fmap = maps.base_map(zoom=16)
    inventory = view.feature.inventory
    maps.add_call(
        fmap,
        "shape",
        geometry=view.geometry,
        generalised=not view.exact,
        radius=inventory.generalise_m / 2,
    )
    return maps.render(fmap, nonce())


@bp.get("/features/<int:feature_id>")
def feature(feature_id):
    view = browse.feature_page(user(), feature_id, locale())
    return render_template(
        "mapping/feature.html",
        view=view,
        map=_shape_map(view),
        reasons=[(r, FLAG_REASON_LABELS[r]) for r in FLAG_REASONS if r in FLAG_REASON_LABELS],
        empty_form=EmptyForm(),
        post_moderated=view.feature.inventory.moderation_mode == POST,
    )


def _editable(feature_id):
    feature = features.get_visible(user(), feature_id)
    if not policies.can_edit_feature(user(), feature):
        raise PermissionDenied("feature.cannot_edit")
    return feature


def _edit_form(current, error=None, revision=None):
    """The edit form: prefilled with what the viewer may see, or as posted on errors."""
    withheld = browse.withheld_keys(user(), current)
    if error is None:
        values, geometry = browse.edit_values(user(), current)
        return _feature_form(
            current.inventory,
            current,
            values=values,
            geometry=geometry,
            revision=current.revision,
            withheld=withheld,
        )
    conflict = error.message if isinstance(error, Conflict) else None
    return _feature_form(
        current.inventory,
        current,
        error=error,
        revision=revision,
        withheld=withheld,
        conflict=conflict,
    )


@bp.route("/features/<int:feature_id>/edit", methods=["GET", "POST"])
@login_required
def edit_feature(feature_id):
    current = _editable(feature_id)
    if request.method == "GET":
        return _edit_form(current)
    revision = request.form.get("revision", type=int)
    posted = forms.feature_values(current.inventory, request.form)
    try:
        features.update(
            user(),
            current.id,
            revision,
            geometry=forms.feature_geometry(request.form),
            properties=browse.merged(user(), current, posted),
            photos=forms.feature_photos(current.inventory, request.files),
            note=request.form.get("note"),
        )
    except (ValidationError, Conflict) as error:
        return _edit_form(current, error, revision)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for(".feature", feature_id=current.id))


@bp.route("/features/<int:feature_id>/remove", methods=["GET", "POST"])
@login_required
def remove_feature(feature_id):
    if request.method == "GET":
        view = browse.feature_page(user(), feature_id, locale())
        if not view.can_edit:
            raise PermissionDenied("feature.cannot_edit")
        return render_template("mapping/feature_remove.html", view=view, empty_form=EmptyForm())
    removed = features.remove(user(), feature_id, request.form.get("note"))
    flash(_("The feature is taken off the map. It stays in the history."), "success")
    return redirect(url_for(".inventory", slug=removed.inventory.slug))


@bp.post("/features/<int:feature_id>/confirm")
@login_required
def confirm(feature_id):
    try:
        features.confirm(user(), feature_id)
    except Conflict as error:
        flash(str(error.message), "warning")
    else:
        flash(_("Thank you for confirming it."), "success")
    return redirect(url_for(".feature", feature_id=feature_id))


@bp.post("/features/<int:feature_id>/unconfirm")
@login_required
def unconfirm(feature_id):
    features.unconfirm(user(), feature_id)
    flash(_("Your confirmation is withdrawn."), "success")
    return redirect(url_for(".feature", feature_id=feature_id))


@bp.post("/features/<int:feature_id>/report")
@login_required
def report(feature_id):
    try:
        features.report(
            user(), feature_id, request.form.get("reason", ""), request.form.get("note")
        )
    except (Conflict, ValidationError) as error:
        messages = [str(m) for ms in error.fields.values() for m in ms] or [str(error.message)]
        for message in messages:
            flash(message, "error")
    else:
        flash(_("Thank you. A moderator will look at your report."), "success")
    return redirect(url_for(".feature", feature_id=feature_id))


@bp.get("/features/<int:feature_id>/history")
def history(feature_id):
    current, title, rows = browse.history_page(user(), feature_id, locale())
    return render_template(
        "mapping/history.html",
        feature=current,
        title=title,
        rows=rows,
        can_revert=policies.can_moderate(user()),
        empty_form=EmptyForm(),
    )


@bp.post("/features/<int:feature_id>/revert/<int:number>")
@login_required
def revert(feature_id, number):
    try:
        features.revert(user(), feature_id, number)
    except Conflict as error:
        flash(str(error.message), "warning")
    else:
        flash(_("The feature is back as it was at revision %(n)d.", n=number), "success")
    return redirect(url_for(".history", feature_id=feature_id))
