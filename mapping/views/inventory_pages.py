"""Inventory pages: the list, one inventory with its map, and the organisers' form."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from mapping import forms, formschema, maps, policies
from mapping.inventory_templates import TEMPLATES
from mapping.services import browse, inventories
from mapping.views import (
    FEATURE_STATUS_LABELS,
    INVENTORY_STATUS_LABELS,
    MODERATION_LABELS,
    bp,
    field_errors,
    locale,
    nonce,
    organisers_only,
    user,
)
from webapp.accounts.forms import EmptyForm, apply_errors
from webapp.accounts.models import Department
from webapp.errors import ValidationError
from webapp.extensions import db


@bp.get("/")
def index():
    return render_template(
        "mapping/index.html",
        rows=inventories.listed(user()),
        can_organise=policies.can_organise(user()),
    )


def map_labels():
    """The words the map's script shows, in the page's language."""
    return {
        "feature": _("Feature"),
        "open": _("Open its page"),
        "shown": _("Features shown on the map: %(count)s", count="%d"),
        "clustered": _("Too many features to show one by one: %(count)s, grouped.", count="%d"),
        "error": _("The map could not load the features. Use the list below the map."),
        "statuses": {k: str(v) for k, v in FEATURE_STATUS_LABELS.items()},
    }


def _feature_url():
    return url_for(".feature", feature_id=0)[:-1] + "__id__"


@bp.get("/inventories/<slug>")
def inventory(slug):
    page = request.args.get("page", 1, type=int) or 1
    view = browse.inventory_page(user(), slug, page)
    # The map's data comes from the JSON API, never from the page (it may be huge).
    data_url = f"{request.script_root}/api/v1/inventories/{view['inventory'].slug}/map"
    fmap = maps.inventory_map(view["inventory"], data_url, _feature_url(), map_labels())
    return render_template(
        "mapping/inventory.html",
        **view,
        map=maps.render(fmap, nonce()),
        empty_form=EmptyForm(),
        template_names=TEMPLATES,
    )


def _departments():
    rows = db.session.scalars(select(Department).order_by(Department.name_fr)).all()
    return [(d.slug, d.name(locale())) for d in rows]


def _form(**kwargs):
    return forms.inventory_form(
        inventories.THEMES,
        inventories.LICENCE_LABELS,
        INVENTORY_STATUS_LABELS,
        MODERATION_LABELS,
        _departments(),
        **kwargs,
    )


def _area_map(form):
    """The map organisers draw the area on (Leaflet-Geoman), written to the hidden input."""
    fmap = maps.base_map(plugins=["geoman"], zoom=12)
    maps.add_call(
        fmap,
        "draw",
        input=form.area.id,
        types=["Polygon"],
        initial=form.area.data or None,
        statusId="area-status",
        labels=draw_labels(),
    )
    return maps.render(fmap, nonce())


def draw_labels():
    return {
        "placed": _("Point placed at latitude %(lat)s, longitude %(lon)s.", lat="%lat", lon="%lon"),
        "drawn": _("Shape drawn. You can move its vertices."),
        "drawing": _("Tap the map to add vertices; tap the last one again to finish."),
        "cleared": _("Nothing is drawn any more."),
        "marker": _("Position of the feature"),
        "vertex": _("Corner of the shape: drag it to move it"),
        "locating": _("Looking for your position…"),
        "denied": _(
            "Your browser did not give your position. Allow it, or place the point on the map."
        ),
        "unavailable": _("Your position could not be found. Place the point on the map."),
    }


def schema_editor_labels():
    """The words of the field editor (static/js/schema-editor.js)."""
    return {
        "fieldN": _("Field %(n)s: %(key)s", n="%n", key="%key"),
        "key": _("Key (lower-case letters, digits, _)"),
        "type": _("Type"),
        "labelFr": _("Label in French"),
        "labelEn": _("Label in English"),
        "helpFr": _("Help in French"),
        "helpEn": _("Help in English"),
        "min": _("Minimum"),
        "max": _("Maximum"),
        "required": _("Required"),
        "sensitive": _("Sensitive: any value blurs the position"),
        "locating": _("May give the place away (hidden when sensitive)"),
        "keyAttribute": _("Compared to find duplicates"),
        "osmTag": _("OpenStreetMap tag"),
        "choices": _("Choices"),
        "choiceValue": _("Value"),
        "choiceOsm": _("OpenStreetMap tags (key=value;key=value)"),
        "choiceSensitive": _("Sensitive choice"),
        "addChoice": _("Add a choice"),
        "removeChoice": _("Remove this choice"),
        "choiceAdded": _("Choice added."),
        "choiceRemoved": _("Choice removed."),
        "add": _("Add a field"),
        "added": _("Field added at the end."),
        "up": _("Move up"),
        "down": _("Move down"),
        "remove": _("Remove this field"),
        "removed": _("Field %(name)s removed.", name="%name"),
        "moved": _("Field %(name)s is now number %(n)s.", name="%name", n="%n"),
        "ofField": _("field %(name)s", name="%name"),
        "ofChoice": _("choice %(name)s", name="%name"),
        "unreadable": _("The JSON below cannot be read; correct it there."),
    }


def _form_page(form, inventory=None, error=None):
    unplaced = apply_errors(form, error) if error else []
    for message in unplaced:
        flash(message, "error")
    return render_template(
        "mapping/inventory_form.html",
        form=form,
        inventory=inventory,
        errors=field_errors(error) if error else {},
        targets=forms.inventory_targets(form),
        schema_labels=schema_editor_labels(),
        field_types=[[k, str(v)] for k, v in formschema.FIELD_TYPE_LABELS.items()],
        area_map=_area_map(form),
        template_names=TEMPLATES,
        chosen_template=request.args.get("template"),
    ), (422 if error else 200)


@bp.route("/inventories/new", methods=["GET", "POST"])
@organisers_only
def new_inventory():
    name = request.args.get("template")
    start = inventories.template_data(name) if name else {"geometry_types": ["Point"]}
    form = _form(data=forms.inventory_initial({"status": "draft", **start}))
    if not form.is_submitted():
        return _form_page(form)
    try:
        created = inventories.create(user(), forms.inventory_data(form))
    except ValidationError as error:
        return _form_page(form, error=error)
    flash(_("The inventory is created."), "success")
    return redirect(url_for(".inventory", slug=created.slug))


@bp.route("/inventories/<slug>/edit", methods=["GET", "POST"])
@organisers_only
def edit_inventory(slug):
    current = inventories.get_visible(user(), slug)
    form = _form(data=forms.inventory_initial(browse.inventory_settings(current)))
    if not form.is_submitted():
        return _form_page(form, current)
    try:
        updated = inventories.update(user(), current.id, forms.inventory_data(form))
    except ValidationError as error:
        return _form_page(form, current, error=error)
    flash(_("The inventory is saved."), "success")
    return redirect(url_for(".inventory", slug=updated.slug))


@bp.post("/inventories/<int:inventory_id>/status")
@organisers_only
def inventory_status(inventory_id):
    changed = inventories.set_status(user(), inventory_id, request.form.get("status", ""))
    flash(
        _("The inventory is now: %(status)s.", status=INVENTORY_STATUS_LABELS[changed.status]),
        "success",
    )
    return redirect(url_for(".inventory", slug=changed.slug))
