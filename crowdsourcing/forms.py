"""HTML forms of the pipeline: they collect input and show errors; the rules live in the services.

Choices are filled by the views (kinds, departments, reasons) and not checked here
(`validate_choice=False`), so that the services give the one, translated, error message.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional


class InboxFilterForm(FlaskForm):
    """The inbox filters, read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], default="pending")
    kind = SelectField(_l("Kind"), choices=[], default="")
    department = SelectField(_l("Department"), choices=[], default="")
    context = SelectField(_l("Inventory or event"), choices=[], default="")
    older_than_days = IntegerField(
        _l("Waiting for at least (days)"), validators=[Optional(), NumberRange(1, 3650)]
    )
    flagged = BooleanField(_l("Reported only"))
    duplicate_hint = BooleanField(_l("Possible duplicates only"))


class BulkDecisionForm(FlaskForm):
    action = SelectField(_l("Decision for the selection"), choices=[], validate_choice=False)
    reason = SelectField(_l("Reason"), choices=[], default="", validate_choice=False)
    note = TextAreaField(_l("Note to the contributors"), id="bulk-note")


class ApproveForm(FlaskForm):
    version = HiddenField(id="approve-version")
    note = TextAreaField(_l("Note to the contributor (optional)"), id="approve-note")


class RejectForm(FlaskForm):
    version = HiddenField(id="reject-version")
    reason = SelectField(_l("Reason"), choices=[], default="", validate_choice=False)
    note = TextAreaField(_l("Note to the contributor"), id="reject-note")


class ChangesForm(FlaskForm):
    version = HiddenField(id="changes-version")
    note = TextAreaField(_l("What should change"), id="changes-note")


class DuplicateForm(FlaskForm):
    version = HiddenField(id="duplicate-version")
    duplicate_of = IntegerField(_l("Number of the item it duplicates"), validators=[Optional()])
    note = TextAreaField(_l("Note to the contributor (optional)"), id="duplicate-note")


DECISION_FORMS = {
    "approve": ApproveForm,
    "reject": RejectForm,
    "request_changes": ChangesForm,
    "duplicate": DuplicateForm,
}


class DatasetRequestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    description = TextAreaField(_l("Which data do you need?"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why do you need it?"))
    intended_use = TextAreaField(_l("What will you do with it?"))
    wished_format = StringField(_l("Wished format (CSV, GeoJSON, API…)"))
    department = SelectField(
        _l("Department that holds the data"), choices=[], default="", validate_choice=False
    )


class FlagForm(FlaskForm):
    reason = SelectField(_l("What is wrong?"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Details (optional)"), id="flag-note")


class ReasonForm(FlaskForm):
    code = StringField(_l("Identifier"), validators=[InputRequired()])
    text_fr = StringField(_l("Text in French"), validators=[InputRequired()])
    text_en = StringField(_l("Text in English"), validators=[InputRequired()])
    active = BooleanField(_l("Offered to moderators"), default=True)


class ModerationSettingsForm(FlaskForm):
    flag_threshold = IntegerField(
        _l("Reports that hide a published item"), validators=[InputRequired()]
    )
    claim_minutes = IntegerField(
        _l("Minutes an item stays reserved by the moderator reviewing it"),
        validators=[InputRequired()],
    )


# --- the dataset backlog ----------------------------------------------------------------------


class BacklogFilterForm(FlaskForm):
    """The backlog list's filters and sort, read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], default="", validate_choice=False)
    department = SelectField(_l("Department"), choices=[], default="", validate_choice=False)
    sort = SelectField(_l("Sort by"), choices=[], default="priority", validate_choice=False)


class BacklogItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()], id="item-title")
    description = TextAreaField(_l("Description"), id="item-description")
    department = SelectField(
        _l("Department"), choices=[], default="", validate_choice=False, id="item-department"
    )
    steward = SelectField(_l("Data steward"), choices=[], default="", validate_choice=False)
    formats = StringField(_l("Formats wanted (CSV, GeoJSON, API…)"))
    licence = SelectField(_l("Licence"), choices=[], default="", validate_choice=False)
    licence_conditions = TextAreaField(_l("Conditions of the restricted licence"))
    priority = SelectField(_l("Priority"), choices=[], default="normal", validate_choice=False)
    due_date = DateField(_l("Due date of the current status"), validators=[Optional()])


class TransitionForm(FlaskForm):
    to_status = SelectField(_l("New status"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note (kept in the history)"), id="transition-note")
    due_date = DateField(
        _l("Due date of the new status (optional)"),
        validators=[Optional()],
        id="transition-due-date",
    )
    decline_reason = SelectField(
        _l("Why is it declined?"), choices=[], default="", validate_choice=False
    )
    decline_link = StringField(_l("Where the data already exists (address)"))
    decline_text = TextAreaField(_l("Other reason"))
    postponed_until = DateField(_l("Postponed until about"), validators=[Optional()])
    dataset = SelectField(
        _l("Catalogue dataset (when published)"), choices=[], default="", validate_choice=False
    )


class RouteForm(FlaskForm):
    version = HiddenField(id="route-version")
    item = SelectField(
        _l("Backlog item"), choices=[], default="", validate_choice=False, id="route-item"
    )
    title = StringField(_l("Title of the new item"), id="route-title")
    department = SelectField(
        _l("Department"), choices=[], default="", validate_choice=False, id="route-department"
    )
    note = TextAreaField(_l("Note (optional)"), id="route-note")


class CatalogueImportForm(FlaskForm):
    file = FileField(
        _l("Catalogue file (CSV separated by commas or semicolons, or CKAN/DCAT JSON; UTF-8)")
    )


class CatalogueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search in titles and descriptions"))
    department = SelectField(_l("Department"), choices=[], default="", validate_choice=False)
    theme = SelectField(_l("Theme"), choices=[], default="", validate_choice=False)
    licence = SelectField(_l("Licence"), choices=[], default="", validate_choice=False)


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), id="comment-body")
