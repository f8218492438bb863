"""How the API reads input: translated messages for marshmallow's built-in validation errors,
whole numbers bounded to what the database holds, no NUL character in text.

marshmallow keeps its default messages in class attributes; we point them at lazy
translations once, so every API schema answers in the user's language.
"""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from webapp.urls import SQL_INTEGER_MAX

FIELD_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field cannot be empty."),
    "validator_failed": _l("This value is not valid."),
}

TYPE_MESSAGES = {
    fields.String: {
        "invalid": _l("Enter text."),
        "nul": _l("Remove the null character from this text."),
    },
    fields.Integer: {"invalid": _l("Enter a whole number."), "too_large": _l("Number too large.")},
    fields.Float: {
        "invalid": _l("Enter a number."),
        "special": _l("Special numeric values (NaN, infinity) are not allowed."),
    },
    fields.Boolean: {"invalid": _l("Enter true or false.")},
    fields.DateTime: {"invalid": _l("Enter a date and time (ISO 8601).")},
    fields.Date: {"invalid": _l("Enter a date (YYYY-MM-DD).")},
    fields.Email: {"invalid": _l("Enter a valid e-mail address.")},
    fields.URL: {"invalid": _l("Enter a valid URL.")},
    fields.List: {"invalid": _l("Enter a list.")},
    fields.Dict: {"invalid": _l("Enter an object.")},
    fields.Nested: {"type": _l("Enter an object.")},
}


def _patch_messages():
    fields.Field.default_error_messages = {
        **fields.Field.default_error_messages,
        **FIELD_MESSAGES,
    }
    for cls, messages in TYPE_MESSAGES.items():
        cls.default_error_messages = {**cls.default_error_messages, **messages}
    validate.Length.message_min = _l("Enter at least {min} characters.")
    validate.Length.message_max = _l("Enter at most {max} characters.")
    validate.Length.message_all = _l("Enter between {min} and {max} characters.")
    validate.Length.message_equal = _l("Enter exactly {equal} characters.")
    validate.OneOf.default_message = _l("Must be one of: {choices}.")
    from marshmallow import Schema

    Schema._default_error_messages = {
        **Schema._default_error_messages,
        "unknown": _l("Unknown field."),
        "type": _l("Invalid input type."),
    }


def _bound_integers():
    """Refuse whole numbers a SQL INTEGER cannot hold (an id, a count, a weight): "Number too
    large." instead of an overflow in the database."""
    parse = fields.Integer._validated

    def _validated(self, value):
        number = parse(self, value)
        if number is not None and not -SQL_INTEGER_MAX - 1 <= number <= SQL_INTEGER_MAX:
            raise self.make_error("too_large", input=value)
        return number

    fields.Integer._validated = _validated


def _refuse_nul_in_text():
    """Refuse text holding a NUL character: no one types it, and PostgreSQL cannot store it."""
    parse = fields.String._deserialize

    def _deserialize(self, value, attr, data, **kwargs):
        text = parse(self, value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text

    fields.String._deserialize = _deserialize


def integer_range(converter, field, ret=None, **kwargs):
    """Document that bound in the OpenAPI document, unless the field has a tighter one (an
    apispec attribute function)."""
    if not isinstance(field, fields.Integer):
        return {}
    bounds = {"minimum": -SQL_INTEGER_MAX - 1, "maximum": SQL_INTEGER_MAX}
    return {key: value for key, value in bounds.items() if key not in (ret or {})}


# At import, before any schema class declares its fields (they copy the messages then).
_patch_messages()
_bound_integers()
_refuse_nul_in_text()
