"""Translated messages for marshmallow's built-in validation errors (used by the API).

marshmallow keeps its default messages in class attributes; we point them at lazy
translations once, so every API schema answers in the user's language.
"""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

FIELD_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field cannot be empty."),
    "validator_failed": _l("This value is not valid."),
}

TYPE_MESSAGES = {
    fields.String: {"invalid": _l("Enter text.")},
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


# At import, before any schema class declares its fields (they copy the messages then).
_patch_messages()
