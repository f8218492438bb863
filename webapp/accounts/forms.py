"""HTML forms: they collect input and show errors; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


def apply_errors(form, error):
    """Show a ValidationError's field messages on the form; return what belongs to no field."""
    unplaced = []
    for name, messages in (error.fields or {}).items():
        field = getattr(form, name, None)
        if field is None:
            unplaced.extend(str(m) for m in messages)
        else:
            field.errors = list(field.errors or []) + [str(m) for m in messages]
    if not error.fields:
        unplaced.append(str(error.message))
    return unplaced


def flash_errors(form, error):
    """Put a ValidationError on the form's fields and flash what belongs to none of them."""
    from flask import flash

    for message in apply_errors(form, error):
        flash(message, "error")


class SignUpForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[InputRequired()])
    email = EmailField(_l("E-mail address"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    accept_licence = BooleanField(_l("I accept the contribution licence"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    remember = BooleanField(_l("Stay logged in on this device"))


class EmailOnlyForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[InputRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired()])


class ChangeEmailForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    email = EmailField(_l("New e-mail address"), validators=[InputRequired()])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[InputRequired()])


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AdminUserForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    department = SelectField(_l("Department"), choices=[], default="")
    is_manager = BooleanField(
        _l("Manages this department (sees what colleagues show to their hierarchy)")
    )
    active = BooleanField(_l("Account active"))


class DepartmentForm(FlaskForm):
    name_fr = StringField(_l("Name in French"), validators=[InputRequired()])
    name_en = StringField(_l("Name in English"), validators=[InputRequired()])
    slug = StringField(_l("Identifier"), validators=[InputRequired()])


class SettingsForm(FlaskForm):
    name = StringField(_l("Name of the institution"), validators=[InputRequired()])
    contact_email = EmailField(_l("Contact e-mail address"), validators=[Optional()])
    map_center_lon = FloatField(
        _l("Default map centre: longitude"),
        validators=[InputRequired(), NumberRange(-180, 180)],
    )
    map_center_lat = FloatField(
        _l("Default map centre: latitude"), validators=[InputRequired(), NumberRange(-90, 90)]
    )
    map_zoom = IntegerField(_l("Default zoom"), validators=[InputRequired(), NumberRange(1, 19)])
    tile_attribution = StringField(_l("Map tile attribution"))
    logo = FileField(_l("Logo (PNG, JPEG or WebP, under 2 MB)"))
