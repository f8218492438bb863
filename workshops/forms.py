"""HTML forms of workshops: they collect input and show errors; the rules live in the services.

Choices are filled by the views and not checked here (`validate_choice=False`), so that the
services give the one, translated, error message.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional

from webapp.accounts.forms import MultiCheckboxField


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    slug = StringField(_l("Address of its page (optional)"))
    question = TextAreaField(_l("The question the workshop works on"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"))
    audience = TextAreaField(_l("Who is it for?"))
    accessibility = TextAreaField(_l("Accessibility (access, hearing loop, sign language…)"))
    department = SelectField(_l("Department"), choices=[], default="", validate_choice=False)
    dots_per_participant = IntegerField(
        _l("Dots per participant for the dot vote"), validators=[InputRequired()], default=5
    )
    facilitators = TextAreaField(_l("Facilitators (one e-mail address per line)"))
    backlog_items = MultiCheckboxField(
        _l("Datasets of the open-data backlog it is about"), choices=[], validate_choice=False
    )
    inventory_urls = TextAreaField(_l("Related map inventories (one address per line)"))
    questions = MultiCheckboxField(
        _l("Questions asked at registration"), choices=[], validate_choice=False
    )


class SessionForm(FlaskForm):
    title = StringField(_l("Title of the session"), validators=[InputRequired()])
    day = DateField(_l("Date"), validators=[InputRequired()])
    start = TimeField(_l("Start time"), validators=[InputRequired()])
    end = TimeField(_l("End time"), validators=[InputRequired()])
    capacity = IntegerField(_l("Places"), validators=[InputRequired()])
    address = StringField(_l("Address"))
    lon = FloatField(_l("Longitude"), validators=[Optional()])
    lat = FloatField(_l("Latitude"), validators=[Optional()])
    online_url = StringField(_l("Online meeting link"))
    agenda = TextAreaField(_l("Agenda"))


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes of the session"))


class MaterialForm(FlaskForm):
    title = StringField(_l("Title of the material"), validators=[InputRequired()])
    url = StringField(_l("Web address"))
    file = FileField(_l("Or a file (PDF, PNG, JPEG, OpenDocument; 10 MB at most)"))


class IdeaForm(FlaskForm):
    category = RadioField(_l("What do you bring?"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Your contribution"), validators=[InputRequired()])
    needs_data = BooleanField(_l("This needs data the institution holds"))
    session = SelectField(_l("Session"), choices=[], default="", validate_choice=False)
    lon = FloatField(_l("Longitude"), validators=[Optional()])
    lat = FloatField(_l("Latitude"), validators=[Optional()])
    photo = FileField(_l("Photo (optional; PNG, JPEG or WebP, 8 MB at most)"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), id="comment-body")


class ThemeForm(FlaskForm):
    name = StringField(_l("Name of the theme"), validators=[InputRequired()])


class RequirementForm(FlaskForm):
    role = StringField(_l("As a…"), validators=[InputRequired()])
    goal = TextAreaField(_l("I want…"), validators=[InputRequired()])
    benefit = TextAreaField(_l("So that…"), validators=[InputRequired()])
    priority = SelectField(_l("Priority"), choices=[], validate_choice=False)
    ideas = MultiCheckboxField(_l("Ideas that justify it"), choices=[], validate_choice=False)


class PublishForm(FlaskForm):
    intro = TextAreaField(_l("Introduction of the document"))


class DatasetRequestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    description = TextAreaField(_l("Which data is needed?"), validators=[InputRequired()])
    intended_use = TextAreaField(_l("What will it be used for?"))
    wished_format = StringField(_l("Wished format (CSV, GeoJSON, API…)"))
    department = SelectField(
        _l("Department that holds the data"), choices=[], default="", validate_choice=False
    )


def answers_form(questions, labels, data=None):
    """A form with one free-text field per question the workshop asks."""

    class AnswersForm(FlaskForm):
        pass

    for key in questions:
        setattr(AnswersForm, key, TextAreaField(labels[key], id=f"answer-{key}"))
    return AnswersForm(data=data)
