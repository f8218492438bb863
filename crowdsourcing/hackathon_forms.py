"""HTML forms of hackathons, teams and proposals: they collect input; the services decide.

Choices are filled by the views and not checked here (`validate_choice=False`), so that
the services give the one, translated, error message.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

MISSING_ROWS = 3


class HackathonForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    summary = StringField(_l("Summary"))
    description = TextAreaField(_l("Description"))
    rules = TextAreaField(_l("Rules"))
    starts_at = DateTimeLocalField(_l("Starts at"), validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends at"), validators=[Optional()])
    capacity = IntegerField(_l("Number of places"), validators=[Optional()])
    team_size_max = IntegerField(_l("Largest team size"), default=5, validators=[Optional()])
    online = BooleanField(_l("Online hackathon"))
    online_url = StringField(_l("Address of the online meeting"))
    address = StringField(_l("Address"))
    lon = FloatField(_l("Longitude"), validators=[Optional()])
    lat = FloatField(_l("Latitude"), validators=[Optional()])


class PhaseForm(FlaskForm):
    phase = SelectField(_l("Next phase"), choices=[], validate_choice=False)


class ChallengeForm(FlaskForm):
    title = StringField(_l("Challenge title"), id="challenge-title")
    question = TextAreaField(_l("Question asked by the department"))
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    datasets = SelectMultipleField(
        _l("Datasets to use"), choices=[], validate_choice=False, id="challenge-datasets"
    )
    backlog_items = SelectMultipleField(
        _l("Backlog items it relates to"), choices=[], validate_choice=False
    )


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"))
    description = StringField(_l("What the jury looks at"), id="criterion-description")
    weight = IntegerField(_l("Weight"), default=1, validators=[Optional()])
    scale_max = IntegerField(_l("Highest score"), default=10, validators=[Optional()])


class JurorForm(FlaskForm):
    email = StringField(_l("Juror's e-mail address"))


class LookingForm(FlaskForm):
    note = StringField(_l("What you can bring (optional)"), id="looking-note")


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[InputRequired()])
    description = TextAreaField(_l("What the team wants to build"), id="team-description")
    skills = SelectMultipleField(
        _l("Skills the team is looking for"), choices=[], validate_choice=False, coerce=str
    )


class RoleForm(FlaskForm):
    role = StringField(_l("My role in the team"))


class FinderForm(FlaskForm):
    class Meta:
        csrf = False

    skill = SelectField(_l("Skill"), choices=[], validate_choice=False)
    availability = SelectField(_l("Availability"), choices=[], validate_choice=False)


class ProposalForm(FlaskForm):
    title = StringField(_l("Title of the app"), validators=[InputRequired()])
    pitch = TextAreaField(_l("Pitch"), validators=[InputRequired()])
    problem = TextAreaField(_l("Problem addressed"))
    target_users = TextAreaField(_l("Target users"))
    datasets = SelectMultipleField(_l("Catalogue datasets used"), choices=[], validate_choice=False)
    challenge = SelectField(_l("Challenge"), choices=[], validate_choice=False)
    team = SelectField(_l("Submitted by"), choices=[], validate_choice=False)
    repository_url = StringField(_l("Source code repository"))
    demo_url = StringField(_l("Demo address"))
    licence = SelectField(_l("Licence of the code"), choices=[], validate_choice=False)
    stage = SelectField(_l("Stage"), choices=[], validate_choice=False)


for _n in range(1, MISSING_ROWS + 1):
    setattr(
        ProposalForm, f"missing_title_{_n}", StringField(_l("Missing dataset %(n)d: title", n=_n))
    )
    setattr(
        ProposalForm,
        f"missing_description_{_n}",
        TextAreaField(_l("Missing dataset %(n)d: what it should contain", n=_n)),
    )


class StageForm(FlaskForm):
    stage = SelectField(_l("New stage"), choices=[], validate_choice=False)
    note = StringField(_l("What changed"), id="stage-note")


class ProgressForm(FlaskForm):
    body = TextAreaField(_l("News of the project"))


class ScreenshotForm(FlaskForm):
    file = FileField(_l("Screenshot (PNG, JPEG or WebP, under 5 MB)"))
    caption = StringField(_l("Caption"))
