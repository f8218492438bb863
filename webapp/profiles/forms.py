"""Profile forms: they collect input; the services hold the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from webapp.accounts.forms import MultiCheckboxField


def lines(text):
    """Split a textarea into its non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[InputRequired()])
    bio = TextAreaField(_l("About me"))
    skills = MultiCheckboxField(_l("Skills"), choices=[], coerce=int)
    new_skills = StringField(_l("Other skills, separated by commas"))
    interests = TextAreaField(_l("Interests (one per line)"))
    languages = StringField(_l("Languages I speak, separated by commas"))
    neighbourhood = StringField(_l("Neighbourhood"))
    links = TextAreaField(_l("Links (one per line)"))
    availability = SelectField(_l("Availability for projects"), choices=[], default="")
    job_title = StringField(_l("Job title"))
    grade = StringField(_l("Grade"))
    category = SelectField(_l("Category"), choices=[], default="")


class AvatarForm(FlaskForm):
    avatar = FileField(_l("Photo (PNG, JPEG or WebP, under 5 MB)"))


class EraseForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[InputRequired()])


class SkillForm(FlaskForm):
    name_fr = StringField(_l("Name in French"), validators=[InputRequired()])
    name_en = StringField(_l("Name in English"), validators=[InputRequired()])


class MergeForm(FlaskForm):
    source = SelectField(_l("Merge this skill"), coerce=int, choices=[])
    target = SelectField(_l("into this one"), coerce=int, choices=[])
