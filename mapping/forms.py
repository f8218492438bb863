"""HTML forms of inventories and features: they collect input and show errors; the rules
live in the services (`inventories._clean`, `formschema.clean_values`, `geo.check`)."""

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from mapping import formschema
from mapping.models import GEOMETRY_TYPES, INVENTORY_STATUSES, LICENCES
from webapp.errors import ValidationError
from webapp.inputs import loads as strict_json

# Names of the inventory settings the service takes, in the form's order.
INVENTORY_FIELDS = (
    "title",
    "slug",
    "theme",
    "description",
    "area",
    "geometry_types",
    "licence",
    "attribution",
    "moderation_mode",
    "status",
    "department",
    "generalise_m",
    "form_schema",
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InventoryForm(FlaskForm):
    title = StringField(_l("Title"))
    slug = StringField(_l("Web address"))
    theme = SelectField(_l("Theme"), choices=[])
    description = TextAreaField(_l("Description"))
    area = HiddenField(_l("Area of interest"))
    area_file = FileField(_l("Or upload the area as a GeoJSON file"))
    geometry_types = MultiCheckboxField(_l("What contributors may draw"), choices=[])
    licence = SelectField(_l("Licence of the data"), choices=[])
    attribution = StringField(_l("Attribution"))
    moderation_mode = RadioField(_l("Moderation"), choices=[])
    status = SelectField(_l("Status"), choices=[])
    department = SelectField(_l("Department"), choices=[])
    generalise_m = StringField(_l("Size of the cell sensitive positions are blurred to (metres)"))
    form_schema = TextAreaField(_l("Form fields"))


def inventory_form(theme_labels, licence_labels, status_labels, mode_labels, departments, **kw):
    """The inventory form with its choices filled in (labels are the services' own)."""
    form = InventoryForm(**kw)
    form.theme.choices = list(theme_labels.items())
    form.licence.choices = [(k, licence_labels[k]) for k in LICENCES]
    form.status.choices = [(k, status_labels[k]) for k in INVENTORY_STATUSES]
    form.moderation_mode.choices = list(mode_labels.items())
    form.geometry_types.choices = [
        ("Point", _l("Points")),
        ("LineString", _l("Lines")),
        ("Polygon", _l("Areas")),
    ]
    form.department.choices = [("", _l("None"))] + departments
    return form


def inventory_targets(form):
    """For the error summary: each setting's label and the element to jump to."""
    targets = {name: (form[name].label.text, form[name].id) for name in INVENTORY_FIELDS}
    targets["area"] = (form.area.label.text, "area-section")
    targets["form_schema"] = (form.form_schema.label.text, "schema-section")
    for name in ("geometry_types", "moderation_mode"):
        targets[name] = (form[name].label.text, f"{name}-group")
    return targets


def inventory_initial(data):
    """Form data from an inventory's settings (a template's, or an inventory being edited)."""
    initial = {k: data.get(k) for k in INVENTORY_FIELDS if k in data}
    types = initial.get("geometry_types")
    if isinstance(types, str):
        initial["geometry_types"] = [t for t in types.split(",") if t in GEOMETRY_TYPES]
    for key in ("area", "form_schema"):
        if isinstance(initial.get(key), dict):
            initial[key] = json.dumps(initial[key], ensure_ascii=False, indent=2)
    if initial.get("generalise_m") is not None:
        initial["generalise_m"] = str(initial["generalise_m"])
    return initial


def inventory_data(form):
    """What the service takes, from a posted form; an unreadable form schema is refused here."""
    data = {name: form[name].data for name in INVENTORY_FIELDS}
    upload = form.area_file.data
    if upload and getattr(upload, "filename", ""):
        data["area"] = upload.read().decode("utf-8", errors="replace")
    text = (form.form_schema.data or "").strip()
    try:
        data["form_schema"] = strict_json(text) if text else {"fields": []}
    except ValueError:
        raise ValidationError(
            "inventory.invalid",
            fields={"form_schema": [_l("The form fields are not valid JSON.")]},
        ) from None
    return data


# --- a feature's form, built from its inventory's schema ----------------------------------------


RADIO_LIMIT = 6


def uses_fieldset(spec):
    """Choices shown as radios or checkboxes in a fieldset (a long single choice is a select)."""
    kind = spec["type"]
    if kind == formschema.CHOICE:
        return len(spec.get("choices", [])) <= RADIO_LIMIT
    return kind in (formschema.MULTI_CHOICE, formschema.BOOLEAN)


def error_targets(inventory, label):
    """For the error summary: each field's label and the id of the element to jump to."""
    targets = {"geometry": (_l("Position on the map"), "map-section")}
    for spec in inventory.fields:
        anchor = f"field-{spec['key']}" + ("" if uses_fieldset(spec) else "-input")
        targets[spec["key"]] = (label(spec), anchor)
    return targets


def input_name(spec):
    return f"field-{spec['key']}"


def feature_values(inventory, formdata):
    """The attributes typed in, as the form sent them; the service checks them."""
    values = {}
    for spec in inventory.fields:
        name = input_name(spec)
        if spec["type"] == formschema.PHOTO:
            continue
        if spec["type"] == formschema.MULTI_CHOICE:
            chosen = formdata.getlist(name)
            if chosen:
                values[spec["key"]] = chosen
        elif formdata.get(name, "").strip():
            values[spec["key"]] = formdata.get(name)
    return values


def feature_photos(inventory, files):
    """The bytes of each photo field that received a file."""
    photos = {}
    for spec in inventory.fields:
        upload = files.get(input_name(spec)) if spec["type"] == formschema.PHOTO else None
        if upload is not None and upload.filename:
            photos[spec["key"]] = upload.read()
    return photos


def feature_geometry(formdata):
    """The drawn geometry (GeoJSON text), or None when nothing was drawn."""
    text = (formdata.get("geometry") or "").strip()
    return text or None


def party_id(value):
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


def as_form_values(values):
    """Stored attributes as the inputs show them: text, "true"/"false", lists of choices."""
    shown = {}
    for key, value in (values or {}).items():
        if isinstance(value, bool):
            shown[key] = "true" if value else "false"
        elif isinstance(value, list):
            shown[key] = [str(v) for v in value]
        elif isinstance(value, float):
            shown[key] = f"{value:g}"
        else:
            shown[key] = str(value)
    return shown
